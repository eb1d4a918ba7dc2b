"""One conformance suite, parametrised over every route the package ships.

Each provider kind in `modelroute.routes.ROUTES` must have a case below (a test checks it), so a new route is
proven on the same terms as the first ones: success, streaming, usage and `served_by`; every fault of the mock
cloud's script mapped to the right error kind, answered as JSON and as a stream; and failover from the route to
the next one. A case is the smallest provider entry of that kind that works on the mock cloud.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from modelroute import AllTargetsFailed, ModelRouteError, Response, Router, Seam, StreamInterrupted, TextDelta
from modelroute.catalog import default_catalog
from modelroute.routes import ROUTES
from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud


@dataclass(frozen=True)
class Case:
    """A provider entry of one kind on the mock cloud, and what ``served_by`` must say about it."""

    provider: dict[str, Any]
    model: str
    cloud: str
    region: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    #: the kind of the route's in-band stream error event (its wire names the error type)
    inband_error_kind: str = "overloaded"
    #: the route's dialect continues a trailing assistant message (Anthropic Messages), so a broken stream
    #: resumes there with a prefill; otherwise it restarts
    prefill: bool = True


SIGV4 = {"aws_access_key_id": "${AWS_ACCESS_KEY_ID}", "aws_secret_access_key": "${AWS_SECRET_ACCESS_KEY}"}

CASES: dict[str, Case] = {
    "openai": Case(
        {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
        "gpt-5.5",
        "openai",
        inband_error_kind="server_error",
        prefill=False,
    ),
    "anthropic": Case(
        {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}", "region": "us-east-1"},
        "claude-sonnet-5-5",
        "anthropic",
        "us-east-1",
    ),
    "azure_openai": Case(
        {"kind": "azure_openai", "resource": "contoso", "api_key": "${AZURE_OPENAI_API_KEY}"},
        "gpt-prod",
        "azure",
        inband_error_kind="server_error",
        prefill=False,
    ),
    "azure_openai-v1": Case(
        {"kind": "azure_openai", "resource": "contoso", "api_version": "v1", "api_key": "${AZURE_OPENAI_API_KEY}"},
        "gpt-prod-eu",
        "azure",
        inband_error_kind="server_error",
        prefill=False,
    ),
    "azure_foundry": Case(
        {"kind": "azure_foundry", "resource": "contoso-ai", "api_key": "${AZURE_FOUNDRY_API_KEY}"},
        "claude-sonnet-4-5",
        "azure",
    ),
    "bedrock": Case(
        {"kind": "bedrock", "region": "us-east-1", **SIGV4},
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "aws",
        "us-east-1",
    ),
    "bedrock-api-key": Case(
        {"kind": "bedrock", "region": "us-west-2", "api_key": "${AWS_BEARER_TOKEN_BEDROCK}"},
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "aws",
        "us-west-2",
    ),
    "bedrock-openai": Case(
        {"kind": "bedrock", "region": "us-east-1", "dialect": "openai", **SIGV4},
        "openai.gpt-oss-120b-1:0",
        "aws",
        "us-east-1",
        inband_error_kind="server_error",
        prefill=False,
    ),
    "bedrock_mantle": Case(
        {"kind": "bedrock_mantle", "region": "us-east-1", **SIGV4}, "anthropic.claude-sonnet-4-5", "aws", "us-east-1"
    ),
    "bedrock_mantle-openai": Case(
        {
            "kind": "bedrock_mantle",
            "region": "eu-west-1",
            "dialect": "openai",
            "api_key": "${AWS_BEARER_TOKEN_BEDROCK}",
        },
        "openai.gpt-oss-20b-1:0",
        "aws",
        "eu-west-1",
        inband_error_kind="server_error",
        prefill=False,
    ),
    "anthropic_aws": Case(
        {"kind": "anthropic_aws", "region": "us-east-1", "workspace_id": "wrkspc_01", **SIGV4},
        "claude-opus-4-5",
        "aws",
        "us-east-1",
    ),
    "vertex": Case(
        {"kind": "vertex", "project": "acme", "region": "us-east5", "access_token": "${GCP_ACCESS_TOKEN}"},
        "claude-sonnet-4-5@20250929",
        "gcp",
        "us-east5",
    ),
}

KINDS = sorted(CASES)
HI = [{"role": "user", "content": "Hello there"}]

# fault -> the error kind the first attempt's trace entry must carry (the route's own wire makes the body)
FAULT_KINDS: list[tuple[Fault, str]] = [
    (Fault.rate_limited(retry_after=30), "rate_limited"),
    (Fault.overloaded(), "overloaded"),
    (Fault.unavailable(), "overloaded"),
    (Fault.server_error(), "server_error"),
    (Fault.unauthorized(), "auth"),
    (Fault.not_found(), "not_found"),
    (Fault.quota_exhausted(), "quota_exhausted"),
    (Fault.context_length(), "context_window"),
    (Fault.reset(), "connection"),
    (Fault.refused(), "connection"),
    (Fault.stream_cut(after_events=1), "connection"),
    (Fault.stream_error(after_events=1), "overloaded"),
    (Fault.malformed(after_events=1), "malformed_response"),
]
STALL = (Fault.stall(after_events=1), "timeout")


def _next_kind(kind: str) -> str:
    return KINDS[(KINDS.index(kind) + 1) % len(KINDS)]


def _config(kind: str) -> dict[str, Any]:
    """``primary`` of the kind under test, then ``backup`` of the next kind, as one alias."""
    backup = _next_kind(kind)
    return {
        "providers": {"primary": CASES[kind].provider, "backup": CASES[backup].provider},
        "models": {
            "chat": {"targets": [f"primary:{CASES[kind].model}", f"backup:{CASES[backup].model}"]},
            "solo": {"targets": [f"primary:{CASES[kind].model}"]},
            "resume-here": {
                "targets": [f"backup:{CASES[backup].model}", f"primary:{CASES[kind].model}"],
                "stream_resume": "continue",
            },
        },
        "defaults": {"deadline_s": 20, "attempt_timeout_s": 5, "first_byte_timeout_s": 3, "stall_timeout_s": 0.5},
    }


@pytest.fixture(params=KINDS, scope="module")
def kind(request: pytest.FixtureRequest) -> str:
    """The case's name: a provider kind, or a variant of one."""
    return str(request.param)


@pytest.fixture(scope="module")
def cloud(kind: str) -> Iterator[MockCloud]:
    with MockCloud() as c:
        c.add("primary", route=CASES[kind].provider["kind"])
        c.add("backup", route=CASES[_next_kind(kind)].provider["kind"])
        yield c


@pytest.fixture
def router(cloud: MockCloud, kind: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Router]:
    for name, value in CASES[kind].env.items():
        monkeypatch.setenv(name, value)
    cloud.reset()
    clock = FakeClock()
    r = router_on_mock_cloud(cloud, _config(kind), sleep=clock.sleep, async_sleep=clock.async_sleep)
    yield r
    r.close()


def test_every_route_has_a_conformance_case() -> None:
    covered = {case.provider["kind"] for case in CASES.values()}
    assert covered == set(ROUTES), "add a Case for every provider kind in modelroute.routes.ROUTES"


def _may_take_a_longer_prompt(kind: str) -> bool:
    """Whether the backup may get a prompt too long for the primary: not the same model, and not a context
    window the catalog knows is no larger (see `modelroute.routing.window`)."""
    catalog = default_catalog()
    primary, backup = CASES[kind].model, CASES[_next_kind(kind)].model
    if catalog.same_model(primary, backup):
        return False
    had, has = catalog.context_window(primary), catalog.context_window(backup)
    return had is None or has is None or has > had


def _check_served(r: Response, kind: str, provider: str = "primary") -> None:
    case = CASES[kind] if provider == "primary" else CASES[_next_kind(kind)]
    assert r.served_by is not None
    assert (r.served_by.provider, r.served_by.cloud, r.served_by.model) == (provider, case.cloud, case.model)
    if case.region is not None:
        assert r.served_by.region == case.region
    assert r.text == f"Hello from {provider}."
    assert r.usage.input_tokens > 0 and r.usage.output_tokens > 0
    assert r.stop_reason is not None and r.stop_reason.value == "end"


def test_complete(router: Router, kind: str) -> None:
    r = router.complete("chat", HI, max_tokens=64)
    _check_served(r, kind)
    assert [a.outcome for a in r.trace] == ["ok"]


def test_stream(router: Router, kind: str) -> None:
    with router.stream("chat", HI, max_tokens=64) as s:
        events = list(s)
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 1 and "".join(deltas) == "Hello from primary."
    assert [e.type for e in events][-2:] == ["usage", "stop"]
    _check_served(s.response, kind)


@pytest.mark.anyio
async def test_acomplete_and_astream(router: Router, kind: str) -> None:
    r = await router.acomplete("chat", HI)
    _check_served(r, kind)
    s = router.astream("chat", HI)
    text = "".join([e.text async for e in s if isinstance(e, TextDelta)])
    await router.aclose()
    assert text == "Hello from primary."
    _check_served(s.response, kind)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("fault", "expected"), [*FAULT_KINDS, STALL], ids=[f.kind for f, _ in [*FAULT_KINDS, STALL]])
def test_fault_kind_then_failover(
    router: Router, cloud: MockCloud, kind: str, fault: Fault, expected: str, stream: bool
) -> None:
    """Every fault on the route is classified as the same kind, and the call moves on to the next route."""
    if stream and fault.kind == "stream_error":
        expected = CASES[kind].inband_error_kind
    cloud.script("primary", fault, fault)  # server errors are retried once: both attempts fail
    if fault.kind == "context_length" and not _may_take_a_longer_prompt(kind):
        with pytest.raises(AllTargetsFailed) as info:
            router.complete("chat", HI) if not stream else list(router.stream("chat", HI))
        first, last = info.value.trace[0], info.value.trace[-1]
        assert first.provider == "primary" and first.kind is not None and first.kind.value == expected
        assert last.provider == "backup" and last.outcome == "skipped" and "refused this prompt" in last.reason
        return
    if stream:
        with router.stream("chat", HI) as s:
            "".join(s.text())
        r = s.response
    else:
        r = router.complete("chat", HI)
    first = r.trace[0]
    assert first.provider == "primary" and first.kind is not None
    assert first.kind.value == expected, first.describe()
    assert r.trace[-1].provider == "backup"
    _check_served(r, kind, provider="backup")


@pytest.mark.parametrize(("fault", "expected"), FAULT_KINDS, ids=[f.kind for f, _ in FAULT_KINDS])
def test_fault_kind_alone_raises_the_typed_error(router: Router, cloud: MockCloud, fault: Fault, expected: str) -> None:
    """With no other target, the error the caller gets is the route's classified kind."""
    cloud.set_default("primary", fault)
    with pytest.raises(ModelRouteError) as info:
        router.complete("solo", HI)
    assert info.value.trace, "every error carries the trace"
    assert {a.kind.value for a in info.value.trace if a.kind} == {expected}


def test_stream_cut_after_text_is_never_a_clean_end(router: Router, cloud: MockCloud) -> None:
    cloud.script("primary", Fault.stream_cut(after_events=5))
    got: list[str] = []
    with pytest.raises(StreamInterrupted) as info, router.stream("solo", HI) as s:  # no target left to resume on
        got.extend(s.text())
    assert info.value.partial_text == "".join(got) and got  # even if every word came: no end event, no success


def test_the_planner_knows_whether_the_route_continues_a_partial_answer(router: Router, kind: str) -> None:
    """`Route.prefills(spec)` (pure, what the planner reads for ``stream_resume: auto``) says what the built
    route's ``supports_prefill`` says."""
    spec = router.config.spec.providers["primary"]
    assert ROUTES[spec.kind].prefills(spec) is router._route("primary").supports_prefill is CASES[kind].prefill


def test_a_stream_broken_elsewhere_resumes_on_this_route(router: Router, cloud: MockCloud, kind: str) -> None:
    """With ``stream_resume: continue``, a stream cut after text on the other route resumes here behind a seam:
    with the partial answer as a prefill where the dialect continues one, otherwise restarted."""
    cloud.script("backup", Fault.stream_cut(after_events=4))
    with router.stream("resume-here", HI) as s:
        events = list(s)
    seams = [e for e in events if isinstance(e, Seam)]
    assert len(seams) == 1 and (seams[0].from_provider, seams[0].to_provider) == ("backup", "primary")
    before = "".join(e.text for e in events[: events.index(seams[0])] if isinstance(e, TextDelta))
    assert before, "the cut came after some text"
    last = cloud.requests("primary")[-1].json["messages"][-1]
    if CASES[kind].prefill:
        assert seams[0].resumed == "prefill"
        assert last["role"] == "assistant" and before.startswith(str(last["content"]).strip())
    else:
        assert seams[0].resumed == "restart" and last["role"] == "user"
    assert s.response.served_by is not None and s.response.served_by.provider == "primary"
