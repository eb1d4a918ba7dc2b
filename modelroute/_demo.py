"""`modelroute demo`: the whole path, offline, on the built-in mock cloud.

The mock cloud serves every provider entry of ``configs/demo.yaml`` (Claude on Azure Foundry, Bedrock and Vertex;
GPT on Azure OpenAI and the OpenAI API). Foundry refuses connections throughout; a fault script per request makes
the other clouds overload or throttle, so each request shows failover across clouds and why it happened, until
Foundry's circuit breaker opens and the router stops trying it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any, Protocol, TextIO

from ._types import Response
from .exceptions import ModelRouteError
from .observability import trace_table

__all__ = ["DEMO_CONFIG", "DemoObserver", "Scene", "run_demo"]

DEMO_CONFIG = str(files("modelroute") / "_data" / "demo.yaml")


@dataclass
class Scene:
    """One demo request: what is asked, how, and the faults set up just before it."""

    title: str
    prompt: str
    stream: bool = False
    faults: dict[str, list[Any]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


class DemoObserver(Protocol):
    """Told when each scene's call starts and how it ended (the CLI's status line and ``--json`` listen)."""

    def scene_started(self, index: int, total: int, scene: Scene) -> None: ...

    def scene_ended(self, index: int, scene: Scene, outcome: Response | ModelRouteError) -> None: ...


def _scenes() -> list[Scene]:
    from .testing import Fault

    return [
        Scene("Foundry (Azure) refuses connections: Bedrock (AWS) answers", "Say hello in five words."),
        Scene(
            "streamed; Bedrock is overloaded too: Vertex (Google Cloud) streams, failover before the first token",
            "Count to five.",
            stream=True,
            faults={"bedrock": [Fault.overloaded()]},
        ),
        Scene(
            "with temperature: Foundry's anthropic-version rejects it, so the plan skips Foundry without calling it",
            "Pick a random colour.",
            options={"temperature": 0.9},
        ),
        Scene(
            "Bedrock overloaded, Vertex throttled for a minute: the alias falls back to GPT on Azure OpenAI",
            "Summarise failover in one line.",
            faults={"bedrock": [Fault.overloaded()], "vertex": [Fault.rate_limited(retry_after=60)]},
        ),
        Scene(
            "Foundry's breaker is open, Vertex cools down: Bedrock's short Retry-After is waited out",
            "Name three clouds.",
            faults={"bedrock": [Fault.rate_limited(retry_after_ms=300)]},
        ),
    ]


def run_demo(out: TextIO = sys.stdout, *, config: str = DEMO_CONFIG, observer: DemoObserver | None = None) -> int:
    """Run the demo, print what happened, return a process exit code. ``observer`` hears of each scene's call."""
    from .testing import Fault, MockCloud
    from .testing._router import router_on_mock_cloud

    def say(line: str = "") -> None:
        print(line, file=out)

    say("modelroute demo: offline, on the built-in mock cloud (no keys, no network)")
    say(f"config: {config}")
    with MockCloud() as cloud, router_on_mock_cloud(cloud, config) as router:
        cloud.set_default("foundry", Fault.refused())
        say("")
        _show_plan(say, router, config)
        failed = 0
        scenes = _scenes()
        for i, scene in enumerate(scenes, 1):
            for entry, steps in scene.faults.items():
                cloud.script(entry, *steps)
            say("")
            say(f"[{i}] {scene.title}")
            say(f"    {_call_line(scene)}")
            if observer:
                observer.scene_started(i, len(scenes), scene)
            try:
                response = _ask(router, scene)
            except ModelRouteError as e:
                failed += 1
                if observer:
                    observer.scene_ended(i, scene, e)
                say(f"    !! {type(e).__name__}: {e}")
                continue
            if observer:
                observer.scene_ended(i, scene, response)
            _show(say, response)
    say("")
    say("Every attempt above is on response.trace; router.explain(...) shows the plan without calling anything.")
    return 1 if failed else 0


def _call_line(scene: Scene) -> str:
    """The call a scene makes, as the Python a reader could paste."""
    how = "stream" if scene.stream else "complete"
    messages = json.dumps([{"role": "user", "content": scene.prompt}])
    opts = "".join(f", {k}={v!r}" for k, v in scene.options.items())
    return f'router.{how}("claude-sonnet", {messages}{opts})'


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
    u = r.usage
    counts = f"{u.input_tokens} in, {u.output_tokens} out" if u is not None else "not reported"
    say(f"    -> usage: {counts}; stop: {r.stop_reason.value}")
    say(trace_table(r.trace, indent="       "))


def _show_plan(say: Callable[[str], None], router: Any, config: str) -> None:
    from .config import load_config
    from .testing._router import MockSecrets

    providers = load_config(config, env=MockSecrets()).spec.providers
    plan = router.explain("claude-sonnet")
    say(f'router.explain("{plan.alias}")  # the order every request below starts from')
    rows = []
    for i, e in enumerate(plan.entries, 1):
        p = providers[e.provider]
        rows.append((f"{i}.", e.provider, p.cloud, p.region or "", e.model, e.origin))
    widths = [max(len(r[c]) for r in rows) for c in range(5)]
    for r in rows:
        say("    " + "  ".join(cell.ljust(widths[c]) if c < 5 else cell for c, cell in enumerate(r)).rstrip())
