"""Hooks: your own metrics from every attempt, answer, failure and breaker change, sync or async.

Hooks run off the call's path (sync ones on a worker thread, async ones as tasks of the call's event loop), so a
slow or failing hook never delays or breaks a call; a failure is logged once.

    python examples/hooks.py
"""

from __future__ import annotations

import asyncio
from collections import Counter

from modelroute.observability import AttemptInfo, BreakerChange, ErrorInfo, Hooks, ResponseInfo
from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud

CONFIG = {
    "providers": {
        "anthropic": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "vertex": {"kind": "vertex", "project": "my-project", "region": "us-east5", "access_token": "${VERTEX_TOKEN}"},
    },
    "models": {"claude": {"targets": ["anthropic:claude-sonnet-4-5", "vertex:claude-sonnet-4-5@20250929"]}},
    "defaults": {"breaker": {"failures": 3, "open_s": 5}},
}

attempts: Counter[tuple[str, str]] = Counter()  # (provider, outcome or error kind) -> count
latencies: list[float] = []
changes: list[str] = []
errors: list[str] = []


def on_attempt(info: AttemptInfo) -> None:
    attempts[info.provider, info.error_kind or info.outcome] += 1


async def on_response(info: ResponseInfo) -> None:  # an async hook: a task, never awaited by the call
    latencies.append(info.latency_s)


def on_error(info: ErrorInfo) -> None:
    errors.append(f"{info.alias}: {info.error_type}")


def on_breaker_change(change: BreakerChange) -> None:
    changes.append(f"{change.target}: {change.old} -> {change.new}")


def main() -> None:
    hooks = Hooks(
        on_attempt=on_attempt, on_response=on_response, on_error=on_error, on_breaker_change=on_breaker_change
    )
    clock = FakeClock()
    with MockCloud() as cloud:
        router = router_on_mock_cloud(cloud, CONFIG, hooks=hooks, clock=clock, sleep=clock.sleep)
        cloud.set_default("anthropic", Fault.overloaded())  # Anthropic is down: Vertex answers
        for _ in range(4):
            router.complete("claude", [{"role": "user", "content": "Hello!"}])
        cloud.set_default("anthropic", Fault.ok())  # it recovers; after open_s one probe finds it
        clock.advance(6)
        asyncio.run(router.acomplete("claude", [{"role": "user", "content": "Hello again!"}]))
        cloud.set_default("vertex", Fault.overloaded())
        cloud.set_default("anthropic", Fault.overloaded())
        try:
            router.complete("claude", [{"role": "user", "content": "Anyone?"}])
        except Exception as e:
            print("the last call failed:", type(e).__name__)
        router.close()
    hooks.flush()  # wait until the worker has handled every event so far
    for (provider, outcome), n in sorted(attempts.items()):
        print(f"attempts {provider:<9} {outcome:<12} {n}")
    print("answers:", len(latencies), "| failed calls:", errors)
    print("breaker changes:", *changes, sep="\n  ")


if __name__ == "__main__":
    main()
