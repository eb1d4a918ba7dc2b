"""The router through the mock cloud: success, streaming, every fault kind, failover — sync and async."""

from __future__ import annotations

import json
from typing import Any

import pytest

from modelroute import (
    AllTargetsFailed,
    InvalidRequestError,
    Response,
    Router,
    StreamInterrupted,
    TextDelta,
    ToolCallDelta,
    ToolCallStart,
)
from modelroute.testing import FakeClock, Fault, MockCloud

CONFIG: dict[str, Any] = {
    "providers": {
        "anth-1": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}", "region": "us-east-1"},
        "anth-2": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}", "region": "eu-west-1"},
        "oai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
    },
    "models": {
        "claude": {"targets": ["anth-1:claude-sonnet-5-5", "anth-2:claude-sonnet-5-5"], "fallbacks": ["gpt"]},
        "gpt": {"targets": ["oai:gpt-5.5"]},
        "claude-only": {"targets": ["anth-1:claude-sonnet-5-5", "anth-2:claude-sonnet-5-5"]},
        "claude-stop": {"targets": ["anth-1:claude-sonnet-5-5", "anth-2:claude-sonnet-5-5"], "stream_resume": "error"},
    },
    "defaults": {"deadline_s": 20, "attempt_timeout_s": 5, "stall_timeout_s": 0.5, "first_byte_timeout_s": 2},
}
HI = [{"role": "user", "content": "Hello there"}]


def kinds(r: Response | AllTargetsFailed) -> list[str | None]:
    return [a.kind.value if a.kind else None for a in r.trace]


# --- success ---------------------------------------------------------------------------------------------------


def test_complete_reports_text_usage_and_where(router: Router, cloud: MockCloud) -> None:
    r = router.complete("claude", HI, max_tokens=100)
    assert r.text == "Hello from anth-1."
    assert (r.usage.input_tokens, r.usage.output_tokens) == (5, 3)
    assert r.served_by is not None
    assert (r.served_by.provider, r.served_by.cloud, r.served_by.region, r.served_by.model, r.served_by.alias) == (
        "anth-1", "anthropic", "us-east-1", "claude-sonnet-5-5", "claude",
    )  # fmt: skip
    sent = cloud.requests("anth-1")[-1]
    assert sent.headers["authorization"] == "Bearer mock-anthropic_api_key"
    assert sent.json == {
        "model": "claude-sonnet-5-5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "Hello there"}],
    }


def test_stream_events_and_final_response(router: Router) -> None:
    with router.stream("gpt", HI) as s:
        events = list(s)
    texts = [e.text for e in events if isinstance(e, TextDelta)]
    assert "".join(texts) == "Hello from oai." and len(texts) > 1
    assert [e.type for e in events][-2:] == ["usage", "stop"]
    assert s.response.text == "Hello from oai." and s.response.usage.output_tokens == 3


def test_tool_call_round_trip(router: Router, cloud: MockCloud) -> None:
    cloud.script("anth-1", Fault.ok(tool_call={"name": "weather", "arguments": {"city": "Paris"}}))
    r = router.complete("claude", HI, tools=[{"name": "weather", "input_schema": {"type": "object"}}])
    assert [(c.name, c.arguments) for c in r.tool_calls] == [("weather", {"city": "Paris"})]
    cloud.script("oai", Fault.ok(tool_call={"name": "weather", "arguments": {"city": "Rome"}}))
    with router.stream("gpt", HI, tools=[{"name": "weather"}]) as s:
        events = list(s)
    starts = [e for e in events if isinstance(e, ToolCallStart)]
    args = "".join(e.arguments_delta for e in events if isinstance(e, ToolCallDelta))
    assert starts[0].name == "weather" and json.loads(args) == {"city": "Rome"}
    assert s.response.tool_calls[0].arguments == {"city": "Rome"}


# --- acceptance: failover ---------------------------------------------------------------------------------------


def test_first_provider_refusing_connections_fails_over(router: Router, cloud: MockCloud) -> None:
    cloud.down("anth-1")
    r = router.complete("claude", HI)
    assert r.served_by is not None and r.served_by.provider == "anth-2"
    assert [(a.provider, a.outcome) for a in r.trace] == [("anth-1", "error"), ("anth-2", "ok")]
    assert kinds(r) == ["connection", None]
    assert "refused" in r.trace[0].describe()


def test_every_provider_failing_carries_every_attempt(router: Router, cloud: MockCloud) -> None:
    cloud.down("anth-1")
    cloud.set_default("anth-2", Fault.overloaded())
    cloud.set_default("oai", Fault.unavailable())
    with pytest.raises(AllTargetsFailed) as info:
        router.complete("claude", HI)
    assert [a.provider for a in info.value.trace] == ["anth-1", "anth-2", "oai"]
    assert kinds(info.value) == ["connection", "overloaded", "overloaded"]
    assert [e.status for e in info.value.errors] == [None, 529, 503]


def test_long_retry_after_does_not_wait(router: Router, cloud: MockCloud, clock: FakeClock) -> None:
    cloud.script("anth-1", Fault.rate_limited(retry_after=3600))
    r = router.complete("claude", HI)
    assert clock.sleeps == []
    assert r.served_by is not None and r.served_by.provider == "anth-2"
    assert r.trace[0].error is not None and r.trace[0].error.retry_after_s == 3600
    assert "Retry-After 3600s is longer than max_retry_wait_s" in r.trace[0].reason
    # ...and the next call does not even try anth-1.
    r2 = router.complete("claude", HI)
    assert r2.trace[0].outcome == "skipped" and "cooling down" in r2.trace[0].reason
    assert len(cloud.requests("anth-1")) == 1


def test_short_retry_after_ms_is_waited_exactly(router: Router, cloud: MockCloud, clock: FakeClock) -> None:
    cloud.down("anth-1")
    cloud.script("anth-2", Fault.rate_limited(retry_after_ms=250))
    r = router.complete("claude-only", HI)
    assert clock.sleeps == [0.25]
    assert [a.action for a in r.trace] == ["failover", "retry", "served"]


# --- every fault kind, sync and async, streamed and not ---------------------------------------------------------

FAULTS: list[tuple[Fault, str, str]] = [
    # fault on anth-1, its error kind, what the router does
    (Fault.rate_limited(retry_after=30), "rate_limited", "failover"),
    (Fault.overloaded(), "overloaded", "failover"),
    (Fault.unavailable(), "overloaded", "failover"),
    (Fault.unauthorized(), "auth", "failover"),
    (Fault.not_found(), "not_found", "failover"),
    (Fault.quota_exhausted(), "quota_exhausted", "failover"),
    (Fault.context_length(), "context_window", "failover"),
    (Fault.reset(), "connection", "failover"),
    (Fault.refused(), "connection", "failover"),
    (Fault.status(400, {"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}),
     "invalid_request", "stop"),
]  # fmt: skip


def _check(trace_kind: str, action: str, r: Response | None, err: Exception | None) -> None:
    if action == "stop":
        assert isinstance(err, InvalidRequestError) and err.trace[0].action == "stop"
        return
    assert r is not None and r.served_by is not None
    first = r.trace[0]
    assert first.kind is not None and first.kind.value == trace_kind and first.action == action
    if trace_kind == "context_window":  # the same model is never retried: the fallback serves
        assert r.served_by.provider == "oai"
    else:
        assert r.served_by.provider == "anth-2"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("fault", "kind", "action"), FAULTS, ids=[f"{f.kind}-{k}" for f, k, _ in FAULTS])
def test_fault_matrix_sync(
    router: Router, cloud: MockCloud, fault: Fault, kind: str, action: str, stream: bool
) -> None:
    cloud.script("anth-1", fault)
    r, err = None, None
    try:
        if stream:
            with router.stream("claude", HI) as s:
                list(s)
            r = s.response
        else:
            r = router.complete("claude", HI)
    except InvalidRequestError as e:
        err = e
    _check(kind, action, r, err)


@pytest.mark.anyio
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("fault", "kind", "action"), FAULTS, ids=[f"{f.kind}-{k}" for f, k, _ in FAULTS])
async def test_fault_matrix_async(
    router: Router, cloud: MockCloud, fault: Fault, kind: str, action: str, stream: bool
) -> None:
    cloud.script("anth-1", fault)
    r, err = None, None
    try:
        if stream:
            s = router.astream("claude", HI)
            async for _ in s:
                pass
            r = s.response
        else:
            r = await router.acomplete("claude", HI)
    except InvalidRequestError as e:
        err = e
    finally:
        await router.aclose()
    _check(kind, action, r, err)


def test_server_error_is_retried_once_then_fails_over(router: Router, cloud: MockCloud, clock: FakeClock) -> None:
    cloud.script("anth-1", Fault.server_error(), Fault.server_error())
    r = router.complete("claude", HI)
    assert [(a.provider, a.action) for a in r.trace] == [
        ("anth-1", "retry"),
        ("anth-1", "failover"),
        ("anth-2", "served"),
    ]
    assert len(clock.sleeps) == 1 and 0 <= clock.sleeps[0] <= 0.25


# --- streams: commit points -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [Fault.stream_cut(after_events=1), Fault.stream_error(after_events=2), Fault.malformed(after_events=1)],
    ids=["cut", "inband-error", "malformed"],
)
def test_stream_failure_before_any_text_fails_over_silently(router: Router, cloud: MockCloud, fault: Fault) -> None:
    cloud.script("anth-1", fault)
    with router.stream("claude", HI) as s:
        text = "".join(s.text())
    assert text == "Hello from anth-2."
    assert kinds(s.response)[0] in ("connection", "overloaded", "malformed_response")


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (Fault.stream_cut(after_events=5), "connection"),
        (Fault.stream_error(after_events=5), "overloaded"),
        (Fault.stall(after_events=5), "timeout"),
        (Fault.malformed(after_events=5), "malformed_response"),
    ],
    ids=["cut", "inband-error", "stall", "malformed"],
)
def test_stream_failure_after_text_raises_stream_interrupted(
    router: Router, cloud: MockCloud, fault: Fault, kind: str
) -> None:
    cloud.script("anth-1", fault)
    got: list[str] = []
    with pytest.raises(StreamInterrupted) as info, router.stream("claude-stop", HI) as s:
        got.extend(s.text())
    e = info.value
    assert e.partial_text == "".join(got) and e.partial_text and e.partial_text != "Hello from anth-1."
    assert e.error is not None and e.error.kind.value == kind
    assert [a.action for a in e.trace] == ["stop"]


@pytest.mark.anyio
async def test_async_stream_cut_after_text(router: Router, cloud: MockCloud) -> None:
    cloud.script("anth-1", Fault.stream_cut(after_events=5))
    with pytest.raises(StreamInterrupted) as info:
        async for _ in router.astream("claude-stop", HI):
            pass
    await router.aclose()
    assert info.value.partial_text


def test_incomplete_stream_is_never_a_complete_answer(router: Router, cloud: MockCloud) -> None:
    """A stream the server ends cleanly but without message_stop is malformed, not complete."""
    cloud.script("anth-1", Fault.status(200, body=b"event: ping\ndata: {\"type\": \"ping\"}\n\n",
                                          headers={"content-type": "text/event-stream"}))  # fmt: skip
    with router.stream("claude", HI) as s:
        list(s)
    assert kinds(s.response) == ["malformed_response", None]


def test_missing_secret_fails_over_and_names_the_variable(cloud: MockCloud) -> None:
    cloud.reset()
    from modelroute import load_config

    cfg = load_config(CONFIG, env={"OPENAI_API_KEY": "k"})
    urls = {n: cloud.url(n) for n in CONFIG["providers"]}
    with Router(cfg.with_base_urls(urls)) as router:
        r = router.complete("claude", HI)
    assert r.served_by is not None and r.served_by.provider == "oai"
    assert kinds(r) == ["auth", "auth", None]
    assert "ANTHROPIC_API_KEY" in r.trace[0].describe()
    assert all(not req.headers.get("authorization") for req in cloud.requests("anth-1"))


def test_last_target_with_a_long_retry_after_fails_at_once(router: Router, cloud: MockCloud, clock: FakeClock) -> None:
    cloud.down("anth-1")
    cloud.script("anth-2", Fault.rate_limited(retry_after=10))  # fits the 20 s deadline, above the 2 s cap
    with pytest.raises(AllTargetsFailed) as info:
        router.complete("claude-only", HI)
    assert clock.sleeps == []
    assert kinds(info.value) == ["connection", "rate_limited"]
