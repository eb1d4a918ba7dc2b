"""The fault matrix: every fault the mock cloud scripts x sync/async x streamed/not, through real HTTP on
127.0.0.1, asserting the outcome, the attempts each target received, the waits (on an injected clock) and the
trace. Timeouts are real but short (0.3 s); no test asserts how long anything took."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from modelroute import InvalidRequestError, ModelRouteError, Response, Router
from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud

CONFIG: dict[str, Any] = {
    "providers": {
        "anth-1": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "anth-2": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "oai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
    },
    "models": {
        "claude": {"targets": ["anth-1:claude-sonnet-5-5", "anth-2:claude-sonnet-5-5"], "fallbacks": ["gpt"]},
        "gpt": {"targets": ["oai:gpt-5.5"]},
    },
    "defaults": {
        "deadline_s": 20,
        "attempt_timeout_s": 5,
        "first_byte_timeout_s": 0.3,
        "stall_timeout_s": 0.3,
    },
}
HI = [{"role": "user", "content": "Hello there"}]


@dataclass(frozen=True)
class Row:
    """Faults scripted on anth-1; what anth-1's trace lines say; how many requests reach it; how many waits;
    who serves (None: the call raises ``raises``)."""

    name: str
    faults: tuple[Fault, ...]
    kind: str | dict[bool, str]
    actions: tuple[str, ...]
    requests: int = 1
    sleeps: int = 0
    served_by: str | None = "anth-2"
    raises: type[ModelRouteError] | None = None

    def kind_for(self, stream: bool) -> str:
        return self.kind if isinstance(self.kind, str) else self.kind[stream]


ROWS = [
    Row("rate-limited-long-retry-after", (Fault.rate_limited(retry_after=30),), "rate_limited", ("failover",)),
    Row("rate-limited-short-other-free", (Fault.rate_limited(retry_after_ms=100),), "rate_limited", ("failover",)),
    Row("overloaded-529", (Fault.overloaded(),), "overloaded", ("failover",)),
    Row("unavailable-503", (Fault.unavailable(),), "overloaded", ("failover",)),
    Row("server-error-twice", (Fault.server_error(), Fault.server_error()), "server_error",
        ("retry", "failover"), requests=2, sleeps=1),
    Row("server-error-once", (Fault.server_error(),), "server_error", ("retry", "served"), requests=2, sleeps=1,
        served_by="anth-1"),
    Row("accept-and-never-answer", (Fault.hang(),), "timeout", ("failover",)),
    Row("ttfb-delay", (Fault.latency(2.0),), "timeout", ("failover",)),
    Row("connection-reset", (Fault.reset(),), "connection", ("failover",)),
    Row("connection-refused", (Fault.refused(),), "connection", ("failover",), requests=0),
    Row("unauthorized", (Fault.unauthorized(),), "auth", ("failover",)),
    Row("not-found", (Fault.not_found(),), "not_found", ("failover",)),
    Row("quota-exhausted", (Fault.quota_exhausted(),), "quota_exhausted", ("failover",)),
    Row("context-window", (Fault.context_length(),), "context_window", ("failover",), served_by="oai"),
    Row("invalid-request", (Fault.status(400, {"type": "error", "error": {"type": "invalid_request_error",
        "message": "bad"}}),), "invalid_request", ("stop",), served_by=None, raises=InvalidRequestError),
    Row("cut-before-text", (Fault.stream_cut(after_events=1),), {False: "connection", True: "connection"},
        ("failover",)),
    Row("stall-before-text", (Fault.stall(after_events=1),), "timeout", ("failover",)),
    Row("inband-error-after-200", (Fault.stream_error(after_events=1),), "overloaded", ("failover",)),
    Row("malformed-chunk", (Fault.malformed(after_events=1),), "malformed_response", ("failover",)),
]  # fmt: skip


@pytest.fixture(scope="module")
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as c:
        for name, p in CONFIG["providers"].items():
            c.add(name, route=p["kind"])
        yield c


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def router(cloud: MockCloud, clock: FakeClock) -> Iterator[Router]:
    cloud.reset()
    r = router_on_mock_cloud(
        cloud, CONFIG, clock=clock, sleep=clock.sleep, async_sleep=clock.async_sleep, rng=random.Random(0)
    )
    yield r
    r.close()


def check(row: Row, stream: bool, cloud: MockCloud, clock: FakeClock, r: Response | None, e: Exception | None) -> None:
    if row.raises is not None:
        assert isinstance(e, row.raises), e
        trace = e.trace
    else:
        assert e is None, e
        assert r is not None and r.served_by is not None
        assert r.served_by.provider == row.served_by
        trace = r.trace
    mine = [a for a in trace if a.provider == "anth-1"]
    assert tuple(a.action for a in mine) == row.actions
    first = mine[0]
    assert first.kind is not None and first.kind.value == row.kind_for(stream)
    assert len(cloud.requests("anth-1")) == row.requests
    assert len(clock.sleeps) == row.sleeps
    assert all(0 <= s <= 0.25 for s in clock.sleeps)  # the one retry's backoff: full jitter under 0.25 s
    # Every attempt is in the trace, in order, and the sum of requests sent equals the attempts traced.
    sent = sum(len(cloud.requests(p)) for p in CONFIG["providers"])
    assert sent == sum(1 for a in trace if a.outcome != "skipped") - (1 if row.requests == 0 else 0)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_matrix_sync(router: Router, cloud: MockCloud, clock: FakeClock, row: Row, stream: bool) -> None:
    cloud.script("anth-1", *row.faults)
    r, err = None, None
    try:
        if stream:
            with router.stream("claude", HI) as s:
                text = "".join(s.text())
            r = s.response
            assert text == r.text  # nothing before the commit point leaked into the answer
        else:
            r = router.complete("claude", HI)
    except ModelRouteError as e:
        err = e
    check(row, stream, cloud, clock, r, err)


@pytest.mark.anyio
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
async def test_matrix_async(router: Router, cloud: MockCloud, clock: FakeClock, row: Row, stream: bool) -> None:
    cloud.script("anth-1", *row.faults)
    r, err = None, None
    try:
        if stream:
            s = router.astream("claude", HI)
            text = "".join([t async for t in s.text()])
            r = s.response
            assert text == r.text
        else:
            r = await router.acomplete("claude", HI)
    except ModelRouteError as e:
        err = e
    finally:
        await router.aclose()
    check(row, stream, cloud, clock, r, err)
