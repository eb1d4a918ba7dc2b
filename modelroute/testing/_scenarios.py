"""A failover scenario suite: one fault per scenario, through the mock cloud on a `FakeClock`, scored the way an
independent failover benchmark scores a router.

Every scenario ends in one of four verdicts:

- ``pass``: the caller got a complete, coherent answer (or, where no rescue was possible for this caller, a clean
  typed error with exactly the text it saw); a recovered target is back in service within ``RECOVERY_GOAL_S``.
- ``partial``: a complete answer, with a flaw the caller can see (a seam that names the wrong error).
- ``safe``: a clean typed error where a rescue was possible (a stream broke after text and another target could
  have continued it for this caller).
- ``fail``: anything worse: text a caller cannot trust (a restarted answer spliced onto the partial one for a
  `Stream.text` consumer, an incomplete answer presented as complete), an untyped exception, a recovered target
  kept out for longer than the goal, or more than one probe per interval sent to a dead target.

The stream matrix covers four faults (a cut connection, a stall, a malformed event, a body that ends without its
end marker), each before and after the first text, on both API families (Anthropic Messages, whose routes
continue a partial answer by prefill, and OpenAI Chat, whose routes can only restart), for four consumers (events
and `text()`, sync and async). The rest: an in-band error after text, a break followed by another target's error,
a tool call cut in flight, outages of 60 s and more (refused and 503) with the primary's return timed in fake
seconds and the requests it received counted on the mock cloud, a long Retry-After, an overloaded, erroring or
hung primary. Only the settings a scenario needs to run fast are set (the real-time socket limits); every routing
decision runs on the defaults, unless ``overrides`` changes them.

`benchmarks/failover_scenarios.py` prints the table; `tests/integration/test_failover_scenarios.py` asserts it.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from .._types import Response, Seam, StreamEvent, TextDelta
from ..exceptions import ModelRouteError, StreamInterrupted
from ._clock import FakeClock
from ._faults import Fault
from ._router import router_on_mock_cloud
from ._server import MockCloud

__all__ = ["RECOVERY_GOAL_S", "SCENARIO_CONFIG", "ScenarioResult", "Verdict", "run_scenarios", "scenario_names"]

Verdict = Literal["pass", "partial", "safe", "fail"]
Consumer = Literal["events", "text", "async-events", "async-text"]

#: A recovered target must serve again within this many seconds of its recovery.
RECOVERY_GOAL_S = 10.0

SCENARIO_CONFIG: dict[str, Any] = {
    "providers": {
        "anth-a": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "anth-b": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "anth-c": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "oai-a": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
        "oai-b": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
    },
    "models": {
        "claude": {"targets": ["anth-a:claude-sonnet-5-5", "anth-b:claude-sonnet-5-5"]},
        "gpt": {"targets": ["oai-a:gpt-5.5", "oai-b:gpt-5.5"]},
        "gpt-then-claude": {"targets": ["oai-a:gpt-5.5", "oai-b:gpt-5.5", "anth-b:claude-sonnet-5-5"]},
        "claude-3": {"targets": ["anth-a:claude-sonnet-5-5", "anth-b:claude-sonnet-5-5", "anth-c:claude-sonnet-5-5"]},
    },
    # Real-time socket limits only (a stall or a hang must end fast); every decision is the defaults'.
    "defaults": {"connect_timeout_s": 1.0, "first_byte_timeout_s": 0.5, "stall_timeout_s": 0.3},
}

HI = [{"role": "user", "content": "Hello there"}]

# How many events each family's mock stream sends before its first text, and after two text deltas.
_BEFORE = {"claude": 2, "gpt": 1}
_AFTER = {"claude": 5, "gpt": 3}
_FAULTS: dict[str, Callable[[int], Fault]] = {
    "cut": lambda n: Fault.stream_cut(after_events=n),
    "stall": lambda n: Fault.stall(after_events=n),
    "malformed": lambda n: Fault.malformed(after_events=n),
    "no-end-marker": lambda n: Fault.ends_early(after_events=n),
}
#: the error kind each stream fault is classified as (what a seam must name)
_BREAK_KIND = {
    "cut": "connection",
    "stall": "timeout",
    "malformed": "malformed_response",
    "no-end-marker": "malformed_response",
    "inband-error": "overloaded",
}
_PREFILL_KINDS = frozenset({"anthropic"})


@dataclass
class ScenarioResult:
    """One scenario's verdict, with what decided it; ``metrics`` holds the figures a scenario measures."""

    name: str
    group: str
    verdict: Verdict
    detail: str
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Scenario:
    name: str
    group: str
    run: Callable[[_Env], ScenarioResult]


class _Env:
    """The shared mock cloud and a fresh router (fake clock, seeded jitter) per scenario."""

    def __init__(self, cloud: MockCloud, config: Mapping[str, Any]) -> None:
        self.cloud = cloud
        self.config = config

    @contextmanager
    def router(self) -> Iterator[tuple[Any, FakeClock]]:
        self.cloud.reset()
        clock = FakeClock()
        r = router_on_mock_cloud(
            self.cloud,
            self.config,
            clock=clock,
            sleep=clock.sleep,
            async_sleep=clock.async_sleep,
            rng=random.Random(0),
        )
        try:
            yield r, clock
        finally:
            r.close()


# --- streams ----------------------------------------------------------------------------------------------------


def _consume(router: Any, alias: str, consumer: Consumer, **options: Any) -> tuple[Any, str, list[Seam]]:
    """Run one stream as ``consumer`` does; returns (the Response or the error, the text it holds, seams)."""
    events: list[StreamEvent] = []
    pieces: list[str] = []
    result: Any
    try:
        if consumer in ("events", "text"):
            with router.stream(alias, HI, **options) as s:
                if consumer == "text":
                    pieces.extend(s.text())
                else:
                    events.extend(s)
                result = s.response
        else:
            result = asyncio.run(_aconsume(router, alias, consumer, events=events, pieces=pieces, options=options))
    except ModelRouteError as e:
        result = e
    except Exception as e:  # an untyped exception is a finding
        result = e
    if consumer.endswith("text"):
        return result, "".join(pieces), []
    return result, _visible(events), [e for e in events if isinstance(e, Seam)]


async def _aconsume(
    router: Any, alias: str, consumer: Consumer, *, events: list[StreamEvent], pieces: list[str], options: Any
) -> Response:
    try:
        async with router.astream(alias, HI, **options) as s:
            if consumer == "async-text":
                async for t in s.text():
                    pieces.append(t)
            else:
                async for e in s:
                    events.append(e)
        answer: Response = s.response
        return answer
    finally:
        await router.aclose()


def _visible(events: list[StreamEvent]) -> str:
    """The text an events consumer holds, by the seam rules (after a restart seam, drop what came before)."""
    text = ""
    for e in events:
        if isinstance(e, Seam) and e.resumed == "restart":
            text = ""
        elif isinstance(e, TextDelta):
            text += e.text
    return text


def _complete_answers(config: Mapping[str, Any]) -> set[str]:
    return {f"Hello from {name}." for name in config["providers"]}


def _judge_stream(
    result: Any, seen: str, seams: list[Seam], *, rescuable: bool, break_kind: str | None, answers: set[str]
) -> tuple[Verdict, str]:
    if isinstance(result, Response):
        if seen != result.text:
            return "fail", f"the caller holds {seen!r} but the answer is {result.text!r}"
        if result.text not in answers:
            return "fail", f"the answer {result.text!r} is not one complete answer"
        wrong = [s for s in seams if break_kind is not None and f"({break_kind})" not in s.reason]
        if wrong:
            return "partial", f"answered {result.text!r}, but the seam names the wrong error: {wrong[0].reason!r}"
        how = f" behind a {seams[0].resumed} seam" if seams else ""
        return "pass", f"answered {result.text!r}{how}"
    if isinstance(result, StreamInterrupted):
        if result.partial_text != seen:
            return "fail", f"StreamInterrupted.partial_text {result.partial_text!r} is not the {seen!r} delivered"
        if rescuable:
            return "safe", f"StreamInterrupted after {seen!r}, though another target could have continued"
        return "pass", f"StreamInterrupted after {seen!r}: no target could continue it for this caller"
    if isinstance(result, ModelRouteError):
        if seen:
            return "fail", f"{type(result).__name__} after {seen!r} was delivered (expected StreamInterrupted)"
        return "safe", f"{type(result).__name__} although a healthy target was left"
    return "fail", f"untyped {type(result).__name__}: {result}"


def _stream_case(family: str, fault: str, where: str, consumer: Consumer) -> _Scenario:
    alias = family
    n = (_BEFORE if where == "before" else _AFTER)[family]

    def run(env: _Env) -> ScenarioResult:
        primary = env.config["models"][alias]["targets"][0].split(":")[0]
        with env.router() as (router, _clock):
            env.cloud.script(primary, _FAULTS[fault](n))
            result, seen, seams = _consume(router, alias, consumer)
            rescuable = where == "before" or _rescuable(env.config, router, alias, consumer)
            verdict, detail = _judge_stream(
                result, seen, seams, rescuable=rescuable, break_kind=_BREAK_KIND[fault], answers=_answers(env)
            )
        return ScenarioResult(f"{family} {fault} {where} text [{consumer}]", "stream", verdict, detail)

    return _Scenario(f"{family} {fault} {where} text [{consumer}]", "stream", run)


def _answers(env: _Env) -> set[str]:
    return _complete_answers(env.config)


def _rescuable(config: Mapping[str, Any], router: Any, alias: str, consumer: Consumer) -> bool:
    """After text, can a later target of ``alias`` continue the stream for ``consumer``? An events consumer
    takes a restart behind a seam; a text consumer only a continuation (prefill)."""
    if not consumer.endswith("text"):
        return True
    later = [t.split(":")[0] for t in config["models"][alias]["targets"][1:]]
    return any(config["providers"][p]["kind"] in _PREFILL_KINDS for p in later)


def _cross_family_text(consumer: Consumer) -> _Scenario:
    """An OpenAI stream cut after text, with a Claude target after the second GPT one: a text consumer can be
    rescued only by the Claude target's continuation."""
    name = f"gpt-then-claude cut after text [{consumer}]"

    def run(env: _Env) -> ScenarioResult:
        with env.router() as (router, _clock):
            env.cloud.script("oai-a", Fault.stream_cut(after_events=_AFTER["gpt"]))
            result, seen, seams = _consume(router, "gpt-then-claude", consumer)
            verdict, detail = _judge_stream(
                result, seen, seams, rescuable=True, break_kind="connection", answers=_answers(env)
            )
        return ScenarioResult(name, "stream", verdict, detail)

    return _Scenario(name, "stream", run)


def _inband_error(family: str) -> _Scenario:
    name = f"{family} in-band error after text [events]"

    def run(env: _Env) -> ScenarioResult:
        primary = env.config["models"][family]["targets"][0].split(":")[0]
        with env.router() as (router, _clock):
            env.cloud.script(primary, Fault.stream_error(after_events=_AFTER[family]))
            result, seen, seams = _consume(router, family, "events")
            verdict, detail = _judge_stream(result, seen, seams, rescuable=True, break_kind=None, answers=_answers(env))
        return ScenarioResult(name, "stream", verdict, detail)

    return _Scenario(name, "stream", run)


def _break_then_error() -> _Scenario:
    """The stream breaks (a cut: ``connection``); the next target is overloaded; the third resumes. The seam
    must name the break, not the last error."""
    name = "claude cut after text, next target overloaded [events]"

    def run(env: _Env) -> ScenarioResult:
        with env.router() as (router, _clock):
            env.cloud.script("anth-a", Fault.stream_cut(after_events=_AFTER["claude"]))
            env.cloud.script("anth-b", Fault.overloaded())
            result, seen, seams = _consume(router, "claude-3", "events")
            verdict, detail = _judge_stream(
                result, seen, seams, rescuable=True, break_kind="connection", answers=_answers(env)
            )
        return ScenarioResult(name, "stream", verdict, detail)

    return _Scenario(name, "stream", run)


def _tool_call_cut() -> _Scenario:
    name = "claude tool call cut in flight [events]"

    def run(env: _Env) -> ScenarioResult:
        with env.router() as (router, _clock):
            cut = Fault("stream_cut", tool_call={"name": "weather", "arguments": {"city": "Paris"}}, after_events=4)
            env.cloud.script("anth-a", cut)
            result, _seen, _seams = _consume(router, "claude", "events", tools=[{"name": "weather"}])
            if isinstance(result, StreamInterrupted) and not env.cloud.requests("anth-b"):
                return ScenarioResult(name, "stream", "pass", "StreamInterrupted: a tool call is never spliced")
            return ScenarioResult(name, "stream", "fail", f"a cut tool call ended as {result!r}")

    return _Scenario(name, "stream", run)


# --- availability -----------------------------------------------------------------------------------------------


@dataclass
class _OutageRun:
    recovered: float | None = None  # seconds from the primary's recovery to its first answer
    per_second: Counter[int] = field(default_factory=Counter)  # attempts at the primary while it was out
    at_cloud: int = 0  # requests the cloud received at the primary while it was out
    failures: int = 0  # the breaker's consecutive-failure threshold
    problems: list[str] = field(default_factory=list)


def _drive_outage(env: _Env, kind: Literal["refused", "503"], outage_s: float) -> _OutageRun:
    cloud = env.cloud
    out = _OutageRun()
    with env.router() as (router, clock):
        out.failures = router.config.spec.defaults.breaker.failures
        start = clock()
        if kind == "refused":
            cloud.down("anth-a")
        else:
            cloud.set_default("anth-a", Fault.unavailable())
        back_at: float | None = None
        while out.recovered is None and clock() - start < outage_s + 120:
            t = clock() - start
            if back_at is None and t >= outage_s:
                back_at = t
                out.at_cloud = len(cloud.requests("anth-a"))
                if kind == "refused":
                    cloud.up("anth-a")
                else:
                    cloud.set_default("anth-a", Fault.ok())
            for _ in range(4):
                r = router.complete("claude", HI)
                where = r.served_by.provider if r.served_by is not None else None
                tried = any(a.provider == "anth-a" and a.outcome != "skipped" for a in r.trace)
                if back_at is None and tried:
                    out.per_second[int(t)] += 1
                if back_at is not None and where == "anth-a" and out.recovered is None:
                    out.recovered = t - back_at
            clock.advance(1.0)
    total = sum(out.per_second.values())
    if kind == "503" and out.at_cloud != total:
        out.problems.append(f"the traces show {total} attempts at the primary, the cloud received {out.at_cloud}")
    return out


def _outage(kind: Literal["refused", "503"], outage_s: float) -> _Scenario:
    """The primary is out for ``outage_s`` seconds of fake time while four calls a second come in; then it
    recovers. Measured: how long after its recovery it serves again, and how many requests reached it while it
    was out beyond the ones that opened its breaker."""
    name = f"primary out for {outage_s:g}s ({kind}), then back"

    def run(env: _Env) -> ScenarioResult:
        out = _drive_outage(env, kind, outage_s)
        total = sum(out.per_second.values())
        # After the attempts that opened the breaker, at most one attempt per second reaches the dead primary,
        # and at most one every two seconds overall: a probe's worth of traffic.
        seen, crowded = 0, 0
        for second in sorted(out.per_second):
            crowded += seen >= out.failures and out.per_second[second] > 1
            seen += out.per_second[second]
        recovered = out.recovered
        metrics = {"recovery_s": recovered if recovered is not None else float("inf"), "attempts_while_out": total}
        if out.problems:
            return ScenarioResult(name, "availability", "fail", out.problems[0], metrics)
        if recovered is None or recovered > RECOVERY_GOAL_S:
            took = "never, within 120 s" if recovered is None else f"{recovered:g}s after it recovered"
            detail = f"the primary served again {took} (goal: {RECOVERY_GOAL_S:g}s)"
            return ScenarioResult(name, "availability", "fail", detail, metrics)
        if crowded or total - out.failures > outage_s / 2 + 1:
            detail = f"{total} attempts reached the dead primary in {outage_s:g}s ({crowded} seconds with several)"
            return ScenarioResult(name, "availability", "fail", detail, metrics)
        detail = f"back {recovered:g}s after it recovered; {total} attempts reached it in its {outage_s:g}s outage"
        return ScenarioResult(name, "availability", "pass", detail, metrics)

    return _Scenario(name, "availability", run)


def _throttled() -> _Scenario:
    name = "primary throttled (429, Retry-After 20s)"

    def run(env: _Env) -> ScenarioResult:
        with env.router() as (router, clock):
            env.cloud.script("anth-a", Fault.rate_limited(retry_after=20))
            served: list[str] = []
            for _ in range(25):
                r = router.complete("claude", HI)
                served.append(r.served_by.provider if r.served_by else "?")
                clock.advance(1.0)
            sent = len(env.cloud.requests("anth-a"))
        ok = served[0] == "anth-b" and set(served[1:20]) == {"anth-b"} and served[20:] == ["anth-a"] * 5
        if ok and sent == 6:
            return ScenarioResult(name, "availability", "pass", "moved on at once, cooled down 20 s, then back")
        return ScenarioResult(name, "availability", "fail", f"served by {served}; {sent} requests to the primary")

    return _Scenario(name, "availability", run)


def _single(name: str, fault: Fault, want: str, *, tries: int) -> _Scenario:
    def run(env: _Env) -> ScenarioResult:
        with env.router() as (router, _clock):
            env.cloud.script("anth-a", fault)
            try:
                r = router.complete("claude", HI)
            except ModelRouteError as e:
                return ScenarioResult(name, "availability", "safe", f"{type(e).__name__}: {e}")
            sent = len(env.cloud.requests("anth-a"))
            where = r.served_by.provider if r.served_by else "?"
            if where == want and sent == tries and r.text == f"Hello from {want}.":
                return ScenarioResult(name, "availability", "pass", f"served by {where}, {sent} request(s) to anth-a")
            return ScenarioResult(name, "availability", "fail", f"served by {where}; {sent} requests to anth-a")

    return _Scenario(name, "availability", run)


def _scenarios() -> list[_Scenario]:
    out: list[_Scenario] = []
    consumers: tuple[Consumer, ...] = ("events", "text", "async-events", "async-text")
    for family in ("claude", "gpt"):
        for fault in _FAULTS:
            for where in ("before", "after"):
                out.extend(_stream_case(family, fault, where, c) for c in consumers)
    out.extend(_cross_family_text(c) for c in ("text", "async-text"))
    out.extend(_inband_error(f) for f in ("claude", "gpt"))
    out.append(_break_then_error())
    out.append(_tool_call_cut())
    out.extend(_outage("refused", s) for s in (60.0, 63.0, 67.0, 75.0, 82.0))
    out.append(_outage("503", 60.0))
    out.append(_throttled())
    out.append(_single("primary overloaded (529)", Fault.overloaded(), "anth-b", tries=1))
    out.append(_single("primary server error (500) once", Fault.server_error(), "anth-a", tries=2))
    out.append(_single("primary hangs", Fault.hang(), "anth-b", tries=1))
    return out


def scenario_names() -> list[str]:
    return [s.name for s in _scenarios()]


def run_scenarios(
    *,
    overrides: Mapping[str, Any] | None = None,
    names: Callable[[str], bool] | None = None,
) -> list[ScenarioResult]:
    """Run every scenario (or those whose name ``names`` accepts) on a fresh mock cloud. ``overrides`` are
    merged into the config's ``defaults`` (e.g. ``{"stream_resume": "error"}``)."""
    config = {**SCENARIO_CONFIG, "defaults": {**SCENARIO_CONFIG["defaults"], **(overrides or {})}}
    results: list[ScenarioResult] = []
    with MockCloud() as cloud:
        for name, p in config["providers"].items():
            cloud.add(name, route=p["kind"])
        env = _Env(cloud, config)
        for scenario in _scenarios():
            if names is None or names(scenario.name):
                results.append(scenario.run(env))
    return results
