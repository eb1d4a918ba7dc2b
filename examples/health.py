"""Health: every target's breaker (and until when), cooldown (and why), and its last minute, as one table.

``router.health()`` reads the router's state store, so with a shared store it is the fleet's view;
``modelroute status CONFIG`` prints the same from the command line.

    python examples/health.py
"""

from __future__ import annotations

from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud

CONFIG = {
    "providers": {
        "foundry": {"kind": "azure_foundry", "resource": "contoso", "api_key": "${AZURE_FOUNDRY_KEY}"},
        "bedrock": {"kind": "bedrock", "region": "us-east-1", "api_key": "${AWS_BEARER_TOKEN_BEDROCK}"},
        "anthropic": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
    },
    "models": {
        "claude": {
            "targets": [
                "foundry:claude-sonnet-4-5",
                "bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "anthropic:claude-sonnet-4-5",
            ]
        }
    },
    "defaults": {"breaker": {"failures": 2, "open_s": 30}},
}


def main() -> None:
    clock = FakeClock()
    with MockCloud() as cloud:
        router = router_on_mock_cloud(cloud, CONFIG, clock=clock, sleep=clock.sleep)
        print(router.health(), end="\n\n")
        cloud.set_default("foundry", Fault.server_error())  # Foundry fails: its breaker opens
        cloud.script("bedrock", Fault.rate_limited(retry_after=120))  # Bedrock throttles: a cooldown
        for _ in range(3):
            router.complete("claude", [{"role": "user", "content": "Hello!"}])
            clock.advance(1)
        health = router.health()
        print(health)
        foundry = health.target("foundry/claude-sonnet-4-5")
        print(f"\nfoundry: {foundry.status}, reopens in {foundry.breaker.reopen_in_s:.0f}s ({foundry.breaker.reason})")
        router.close()


if __name__ == "__main__":
    main()
