"""A chaos soak: many concurrent calls through the mock cloud with a seeded random mix of every fault, checking
the invariants a failover engine must keep.

Every call must end in an answer or a typed `ModelRouteError` with a full trace; no call may send more attempts
than ``max_attempts``, overrun its deadline by more than ``margin_s``, or deliver text twice (the text a caller
saw, read with the documented seam rules, is exactly the final answer); and once the router is closed, no task
and no connection may be left open. `benchmarks/chaos_soak.py` runs it big; a test runs it small.

    from modelroute.testing import run_chaos
    report = run_chaos(calls=300)          # blocking; from async code: report = await arun_chaos(calls=300)
    assert report.ok, report.as_dict()
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._types import Response, Seam, StreamEvent, TextDelta
from ..exceptions import ModelRouteError, StreamInterrupted
from ._faults import Fault
from ._router import router_on_mock_cloud
from ._server import MockCloud

__all__ = ["CHAOS_CONFIG", "ChaosReport", "arun_chaos", "chaos_faults", "run_chaos"]

CHAOS_CONFIG: dict[str, Any] = {
    "providers": {
        "anth-us": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}", "region": "us-east-1"},
        "anth-eu": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}", "region": "eu-west-1"},
        "oai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
    },
    "models": {
        "chat": {
            "targets": ["anth-us:claude-sonnet-5-5", "anth-eu:claude-sonnet-5-5"],
            "fallbacks": ["gpt"],
            "hedge": {"after_s": 0.1, "max_share": 0.1},
        },
        "chat-continue": {
            "targets": ["anth-us:claude-sonnet-5-5", "anth-eu:claude-sonnet-5-5"],
            "fallbacks": ["gpt"],
            "stream_resume": "continue",
        },
        "gpt": {"targets": ["oai:gpt-5.5"]},
    },
    "defaults": {
        "deadline_s": 6,
        "attempt_timeout_s": 3,
        "first_byte_timeout_s": 0.4,
        "stall_timeout_s": 0.4,
        "max_attempts": 6,
        "breaker": {"failures": 5, "open_s": 1.0},
        # Short cooldowns, so a soak of seconds sees targets leave and come back.
        "on_error": {
            "auth": {"cooldown_s": 0.5},
            "not_found": {"cooldown_s": 0.5},
            "quota_exhausted": {"cooldown_s": 0.5},
            "rate_limited": {"cooldown_s": 0.5},
        },
    },
}


def chaos_faults(rng: random.Random) -> list[tuple[str, Fault]]:
    """One of each fault the mock cloud can script (stream faults at a random point of the answer)."""
    at = rng.randint(1, 6)
    return [
        ("rate_limited_short", Fault.rate_limited(retry_after_ms=50)),
        ("rate_limited_long", Fault.rate_limited(retry_after=3)),
        ("overloaded", Fault.overloaded()),
        ("unavailable", Fault.unavailable()),
        ("server_error", Fault.server_error()),
        ("unauthorized", Fault.unauthorized()),
        ("not_found", Fault.not_found()),
        ("quota_exhausted", Fault.quota_exhausted()),
        ("context_length", Fault.context_length()),
        ("invalid_request", Fault.status(400, {"error": {"type": "invalid_request_error", "message": "bad"}})),
        ("reset", Fault.reset()),
        ("hang", Fault.hang()),
        ("ttfb_delay", Fault.latency(1.0)),
        ("stream_cut", Fault.stream_cut(after_events=at)),
        ("stall", Fault.stall(after_events=at)),
        ("inband_error", Fault.stream_error(after_events=at)),
        ("malformed", Fault.malformed(after_events=at)),
    ]


@dataclass
class ChaosReport:
    """What a soak saw. ``ok`` is true when every invariant held."""

    calls: int
    concurrency: int
    seed: int
    fault_rate: float
    elapsed_s: float = 0.0
    outcomes: Counter[str] = field(default_factory=Counter)
    modes: Counter[str] = field(default_factory=Counter)
    faults_served: Counter[str] = field(default_factory=Counter)
    trace_lines: Counter[str] = field(default_factory=Counter)
    attempts_total: int = 0
    attempts_max: int = 0
    max_attempts: int = 0
    seams: int = 0
    hedged_calls: int = 0
    requests_received: int = 0
    deadline_s: float = 0.0
    margin_s: float = 0.0
    overrun_max_s: float = 0.0
    slowest_call_s: float = 0.0
    lost: int = 0
    duplicated: int = 0
    unexplained: list[str] = field(default_factory=list)
    over_attempts: int = 0
    over_deadline: int = 0
    leaked_tasks: int = 0
    leaked_connections: int = 0

    @property
    def ok(self) -> bool:
        return not (
            self.lost
            or self.duplicated
            or self.unexplained
            or self.over_attempts
            or self.over_deadline
            or self.leaked_tasks
            or self.leaked_connections
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "calls": self.calls,
            "concurrency": self.concurrency,
            "seed": self.seed,
            "fault_rate": self.fault_rate,
            "elapsed_s": round(self.elapsed_s, 2),
            "outcomes": dict(sorted(self.outcomes.items())),
            "modes": dict(sorted(self.modes.items())),
            "faults_served": dict(sorted(self.faults_served.items())),
            "trace_lines": dict(sorted(self.trace_lines.items())),
            "attempts": {
                "total": self.attempts_total,
                "max_in_one_call": self.attempts_max,
                "limit": self.max_attempts,
                "calls_over_limit": self.over_attempts,
            },
            "requests_received_by_cloud": self.requests_received,
            "seams": self.seams,
            "hedged_calls": self.hedged_calls,
            "deadline": {
                "deadline_s": self.deadline_s,
                "margin_s": self.margin_s,
                "slowest_call_s": round(self.slowest_call_s, 3),
                "max_overrun_s": round(max(0.0, self.overrun_max_s), 3),
                "calls_over_margin": self.over_deadline,
            },
            "lost": self.lost,
            "duplicated": self.duplicated,
            "unexplained": self.unexplained[:20],
            "unexplained_count": len(self.unexplained),
            "leaked_tasks": self.leaked_tasks,
            "leaked_connections": self.leaked_connections,
        }


@dataclass
class _Outcome:
    mode: str
    kind: str
    attempts: int
    elapsed_s: float
    problems: list[str]
    seams: int
    trace_kinds: Counter[str] = field(default_factory=Counter)
    hedged: bool = False


def _visible(events: list[StreamEvent]) -> tuple[str, int]:
    """The text a caller holds after ``events``, by the seam rules (restart: drop what came before)."""
    text, seams = "", 0
    for e in events:
        if isinstance(e, Seam):
            seams += 1
            if e.resumed == "restart":
                text = ""
        elif isinstance(e, TextDelta):
            text += e.text
    return text, seams


def _check_trace(result: Response | ModelRouteError, limit: int) -> tuple[int, list[str]]:
    trace = result.trace if isinstance(result, Response) else getattr(result, "trace", [])
    problems: list[str] = []
    attempts = sum(1 for a in trace if a.outcome != "skipped")
    served = sum(1 for a in trace if a.action == "served")
    if not trace:
        problems.append(f"{type(result).__name__} without a trace")
    if isinstance(result, Response):
        ending = [a for a in trace if a.outcome != "cancelled"]  # a hedge race's loser is recorded last
        if served != 1 or not ending or ending[-1].action != "served" or result.served_by is None:
            problems.append(f"an answer whose trace has {served} served lines, not last")
    elif served:
        problems.append(f"{type(result).__name__} after a served attempt")
    if attempts > limit:
        problems.append(f"{attempts} attempts > max_attempts {limit}")
    return attempts, problems


async def _one(router: Any, rng: random.Random, i: int) -> _Outcome:
    alias = "chat-continue" if rng.random() < 0.5 else "chat"
    roll = rng.random()
    mode = "acomplete" if roll < 0.35 else "astream" if roll < 0.7 else "complete" if roll < 0.85 else "stream"
    messages = [{"role": "user", "content": f"Question {i}: hello there"}]
    events: list[StreamEvent] = []
    result: Response | ModelRouteError
    start = time.monotonic()
    try:
        if mode == "acomplete":
            result = await router.acomplete(alias, messages)
        elif mode == "complete":

            def sync_complete() -> Response:
                nonlocal start
                start = time.monotonic()  # time the call, not its wait for a free worker thread
                return router.complete(alias, messages)  # type: ignore[no-any-return]

            result = await asyncio.to_thread(sync_complete)
        elif mode == "astream":
            s = router.astream(alias, messages)
            async with s:
                async for e in s:
                    events.append(e)
            result = s.response
        else:

            def sync_stream() -> Response:
                nonlocal start
                start = time.monotonic()
                with router.stream(alias, messages) as s:
                    events.extend(s)
                return s.response  # type: ignore[no-any-return]

            result = await asyncio.to_thread(sync_stream)
    except ModelRouteError as e:
        result = e
    except Exception as e:  # anything untyped escaping the router is a finding, not a crash of the soak
        return _Outcome(mode, f"untyped:{type(e).__name__}", 0, time.monotonic() - start, [f"untyped {e!r}"], 0)
    elapsed = time.monotonic() - start
    attempts, problems = _check_trace(result, router.config.spec.defaults.max_attempts)
    text, seams = _visible(events)
    if mode in ("astream", "stream"):
        if isinstance(result, Response) and text != result.text:
            problems.append(f"stream delivered {text!r} but the answer is {result.text!r}")
        if isinstance(result, StreamInterrupted) and text != result.partial_text:
            problems.append(f"stream delivered {text!r} but partial_text is {result.partial_text!r}")
        if not isinstance(result, Response | StreamInterrupted) and text:
            problems.append(f"{type(result).__name__} after text was delivered (expected StreamInterrupted)")
    kind = "ok" if isinstance(result, Response) else type(result).__name__
    lines = result.trace if isinstance(result, Response) else getattr(result, "trace", [])
    seen = Counter(a.kind.value if a.kind else a.outcome for a in lines)
    return _Outcome(mode, kind, attempts, elapsed, problems, seams, seen, any(a.hedged for a in lines))


def run_chaos(
    *,
    calls: int = 300,
    concurrency: int = 32,
    seed: int = 7,
    fault_rate: float = 0.3,
    margin_s: float = 0.5,
    outage: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ChaosReport:
    """Run the soak on a fresh mock cloud and its own event loop; returns the report (check ``report.ok``).

    ``calls`` calls, ``concurrency`` at a time, through `CHAOS_CONFIG`'s aliases (complete, acomplete, stream,
    astream), each provider entry answering with a seeded ``fault_rate`` share of every fault the mock cloud
    scripts; with ``outage``, one region is down for a fifth of the soak. A call may overrun its deadline by
    ``margin_s`` at most. From async code, ``await arun_chaos(...)`` instead (this one refuses to run inside a
    running event loop)."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("run_chaos() blocks; inside a running event loop use: report = await arun_chaos(...)")
    return asyncio.run(
        arun_chaos(
            calls=calls,
            concurrency=concurrency,
            seed=seed,
            fault_rate=fault_rate,
            margin_s=margin_s,
            outage=outage,
            progress=progress,
        )
    )


async def arun_chaos(
    *,
    calls: int = 300,
    concurrency: int = 32,
    seed: int = 7,
    fault_rate: float = 0.3,
    margin_s: float = 0.5,
    outage: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ChaosReport:
    """The async twin of `run_chaos`, on the running event loop."""
    rng = random.Random(seed)
    spec = CHAOS_CONFIG["defaults"]
    report = ChaosReport(
        calls,
        concurrency,
        seed,
        fault_rate,
        max_attempts=spec["max_attempts"],
        deadline_s=spec["deadline_s"],
        margin_s=margin_s,
    )
    before = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
    with MockCloud() as cloud:
        scripts: dict[str, list[tuple[str, Fault]]] = {}
        for name in CHAOS_CONFIG["providers"]:
            script = []
            for _ in range(calls * 3):
                script.append(rng.choice(chaos_faults(rng)) if rng.random() < fault_rate else ("ok", Fault.ok()))
            scripts[name] = script
        router = router_on_mock_cloud(cloud, CHAOS_CONFIG, rng=random.Random(seed + 1))
        for name, script in scripts.items():
            cloud.script(name, *(f for _, f in script))
        outcomes: list[_Outcome | None] = [None] * calls
        next_call = 0
        started = time.monotonic()

        async def worker() -> None:
            nonlocal next_call
            while next_call < calls:
                i = next_call
                next_call += 1
                if outage and i == calls * 2 // 5:
                    await asyncio.to_thread(cloud.down, "anth-us")  # a dead region for a fifth of the soak
                if outage and i == calls * 3 // 5:
                    await asyncio.to_thread(cloud.up, "anth-us")
                outcomes[i] = await _one(router, random.Random(seed * 100_003 + i), i)
                if progress is not None:
                    progress(i)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        report.elapsed_s = time.monotonic() - started
        await router.aclose()
        for _ in range(50):  # the server side notices closed connections within a loop turn or two
            open_now = sum(cloud.open_connections(n) for n in cloud.entries)
            if not open_now:
                break
            await asyncio.sleep(0.05)
        report.leaked_connections = open_now
        for name, script in scripts.items():
            got = len(cloud.requests(name))
            report.requests_received += got
            report.faults_served.update(kind for kind, _ in script[:got])
    after = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
    report.leaked_tasks = len(after - before)
    _tally(report, outcomes)
    return report


def _tally(report: ChaosReport, outcomes: list[_Outcome | None]) -> None:
    for i, out in enumerate(outcomes):
        if out is None:
            report.lost += 1
            continue
        report.outcomes[out.kind] += 1
        report.modes[out.mode] += 1
        report.attempts_total += out.attempts
        report.attempts_max = max(report.attempts_max, out.attempts)
        report.seams += out.seams
        report.hedged_calls += out.hedged
        report.trace_lines.update(out.trace_kinds)
        report.over_attempts += out.attempts > report.max_attempts
        overrun = out.elapsed_s - report.deadline_s
        report.slowest_call_s = max(report.slowest_call_s, out.elapsed_s)
        report.overrun_max_s = max(report.overrun_max_s, overrun)
        report.over_deadline += overrun > report.margin_s
        report.unexplained.extend(f"call {i} ({out.mode}): {p}" for p in out.problems)
        report.duplicated += any("delivered" in p for p in out.problems)
