"""Quickstart: route a request through a config, see who served it and why, stream an answer.

Runs offline as is, against the built-in mock cloud (the same code talks to real providers: see the bottom).

    python examples/quickstart.py
"""

from __future__ import annotations

from modelroute import AllTargetsFailed, Router
from modelroute.observability import trace_table
from modelroute.testing import Fault, MockCloud, router_on_mock_cloud

CONFIG = {
    "providers": {
        "anthropic": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "anthropic-backup": {"kind": "anthropic", "api_key": "${ANTHROPIC_BACKUP_KEY}", "region": "eu"},
        "openai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
    },
    "models": {
        "claude": {
            "targets": ["anthropic:claude-sonnet-5-5", "anthropic-backup:claude-sonnet-5-5"],
            "fallbacks": ["gpt"],
        },
        "gpt": {"targets": ["openai:gpt-5.5"]},
    },
}


def main() -> None:
    with MockCloud() as cloud:
        router = router_on_mock_cloud(cloud, CONFIG)

        # 1. The primary is overloaded: the backup answers, and the trace says so.
        cloud.script("anthropic", Fault.overloaded())
        answer = router.complete("claude", [{"role": "user", "content": "Hello!"}], max_tokens=200)
        print(answer.text, "<-", answer.served_by)
        print(trace_table(answer.trace, indent="  "))

        # 2. Streaming: failover happens before the first token reaches you.
        cloud.script("anthropic", Fault.server_error(), Fault.server_error())
        with router.stream("claude", [{"role": "user", "content": "Count to three."}]) as stream:
            for text in stream.text():
                print(text, end="", flush=True)
        print("  <-", stream.response.served_by)

        # 3. Every target down: one error carries the whole story.
        cloud.down("anthropic")
        cloud.down("anthropic-backup")
        cloud.down("openai")
        try:
            router.complete("claude", [{"role": "user", "content": "Anyone there?"}])
        except AllTargetsFailed as e:
            print(f"AllTargetsFailed with {len(e.trace)} attempts:", *(a.describe() for a in e.trace), sep="\n  ")

        # 4. The plan, without calling anything.
        print(router.explain("claude"))
        router.close()


def with_real_keys() -> None:  # pragma: no cover - needs real credentials
    """The same calls against the real APIs: export ANTHROPIC_API_KEY, ANTHROPIC_BACKUP_KEY, OPENAI_API_KEY."""
    router = Router.from_config(CONFIG)  # or Router.from_config("modelroute.yaml")
    answer = router.complete("claude", [{"role": "user", "content": "Hello!"}], max_tokens=200)
    print(answer.text, answer.served_by, answer.usage)


if __name__ == "__main__":
    main()
