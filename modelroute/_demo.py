"""`modelroute demo`: the whole path, offline, on the built-in mock cloud.

The mock cloud serves every provider entry of ``configs/demo.yaml``; a fault script makes the first Claude
provider refuse connections and the second throttle once, so each request shows failover and why it happened.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any, TextIO

from ._types import Response
from .exceptions import ModelRouteError
from .observability import trace_table

__all__ = ["DEMO_CONFIG", "run_demo"]

DEMO_CONFIG = str(files("modelroute") / "_data" / "demo.yaml")


@dataclass
class Scene:
    """One demo request: what is asked, how, and the faults set up just before it."""

    title: str
    prompt: str
    stream: bool = False
    faults: dict[str, list[Any]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


def _scenes() -> list[Scene]:
    from .testing import Fault

    return [
        Scene(
            "anthropic-east is down; anthropic-west throttles once with a short Retry-After",
            "Say hello in five words.",
            faults={"anthropic-west": [Fault.rate_limited(retry_after_ms=300)]},
        ),
        Scene("the same, streamed: failover happens before the first token", "Count to five.", stream=True),
        Scene(
            "anthropic-west is overloaded too: the alias falls back to GPT",
            "Summarise failover in one line.",
            faults={"anthropic-west": [Fault.overloaded()]},
        ),
        Scene(
            "a request with temperature: this anthropic-version rejects it, so the plan skips Claude",
            "Pick a random colour.",
            options={"temperature": 0.9},
        ),
    ]


def run_demo(out: TextIO = sys.stdout, *, config: str = DEMO_CONFIG) -> int:
    """Run the demo, print what happened, return a process exit code."""
    from .testing import Fault, MockCloud
    from .testing._router import router_on_mock_cloud

    def say(line: str = "") -> None:
        print(line, file=out)

    say("modelroute demo: offline, on the built-in mock cloud (no keys, no network)")
    say(f"config: {config}")
    with MockCloud() as cloud:
        router = router_on_mock_cloud(cloud, config)
        cloud.set_default("anthropic-east", Fault.refused())
        say("")
        say(str(router.explain("claude-sonnet")))
        failed = 0
        for i, scene in enumerate(_scenes(), 1):
            for entry, steps in scene.faults.items():
                cloud.script(entry, *steps)
            say("")
            say(f"[{i}] {scene.title}")
            how = "stream" if scene.stream else "complete"
            opts = "".join(f", {k}={v!r}" for k, v in scene.options.items())
            say(f'    router.{how}(model="claude-sonnet", "{scene.prompt}"{opts})')
            try:
                response = _ask(router, scene)
            except ModelRouteError as e:
                failed += 1
                say(f"    !! {type(e).__name__}: {e}")
                continue
            _show(say, response)
        router.close()
    say("")
    say("Every attempt above is on response.trace; router.explain(...) shows the plan without calling anything.")
    return 1 if failed else 0


def _ask(router: Any, scene: Scene) -> Response:
    messages = [{"role": "user", "content": scene.prompt}]
    if not scene.stream:
        answer: Response = router.complete("claude-sonnet", messages, **scene.options)
        return answer
    with router.stream("claude-sonnet", messages, **scene.options) as stream:
        for _ in stream.text():
            pass
        streamed: Response = stream.response
        return streamed


def _show(say: Callable[[str], None], r: Response) -> None:
    sb = r.served_by
    where = f"{sb.provider} ({sb.cloud}{', ' + sb.region if sb.region else ''}, {sb.model})" if sb else "?"
    say(f"    -> served by {where} in {r.latency_s * 1000:.0f} ms: {r.text!r}")
    say(f"    -> usage: {r.usage.input_tokens} in, {r.usage.output_tokens} out; stop: {r.stop_reason.value}")
    say(trace_table(r.trace, indent="       "))
