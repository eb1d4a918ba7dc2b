"""Claude Platform on AWS: our route against ``anthropic.AnthropicAWS`` as oracle (path, SigV4 scope for service
``aws-external-anthropic``, version and workspace headers, body), the mock cloud proven with that client, and the
router through it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx2
import pytest

from modelroute._coerce import build_request
from modelroute.exceptions import ErrorKind
from modelroute.testing import Fault, MockCloud, router_on_mock_cloud

from . import test_parity_anthropic
from ._aws import AKID, BEARER, SECRET, SIGV4, TOKEN, route, scope, signature_valid

pytestmark = pytest.mark.parity
REGION = "us-east-1"
WORKSPACE = "wrkspc_01AbCdEf"
MODEL = "claude-opus-4-7"
MSG: Any = [{"role": "user", "content": "Hello there"}]


def client(base_url: str, http_client: httpx2.Client | None = None, **auth: Any) -> anthropic.AnthropicAWS:
    return anthropic.AnthropicAWS(
        aws_region=REGION, workspace_id=WORKSPACE, base_url=base_url, max_retries=0, http_client=http_client,
        **(auth or {"aws_access_key": AKID, "aws_secret_key": SECRET}),
    )  # fmt: skip


def mine(ask: dict[str, Any], *, stream: bool, **auth: Any) -> Any:
    r = route("anthropic_aws", region=REGION, workspace_id=WORKSPACE, base_url="http://mock", **(auth or SIGV4))
    return r.build(build_request(model="a", **ask), MODEL, stream=stream)


REQUESTS = test_parity_anthropic.REQUESTS


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("ask", "native"), [r[1:] for r in REQUESTS], ids=[r[0] for r in REQUESTS])
def test_request_matches_anthropic_aws(ask: dict[str, Any], native: dict[str, Any], stream: bool) -> None:
    sent: list[httpx2.Request] = []

    def capture(request: httpx2.Request) -> httpx2.Response:
        request.read()
        sent.append(request)
        return httpx2.Response(200, json={})

    sdk_client = client("http://mock", httpx2.Client(transport=httpx2.MockTransport(capture)))
    sdk_client.messages.create(model=MODEL, **native, **({"stream": True} if stream else {}))
    sdk, wire = sent[0], mine(ask, stream=stream)
    assert (wire.method, httpx2.URL(wire.url).raw_path) == (sdk.method, sdk.url.raw_path) == ("POST", b"/v1/messages")
    assert scope(wire.headers) == scope(sdk.headers) == ("AWS4-HMAC-SHA256", AKID, REGION, "aws-external-anthropic")
    assert wire.headers["anthropic-version"] == sdk.headers["anthropic-version"]
    assert wire.headers["anthropic-workspace-id"] == sdk.headers["anthropic-workspace-id"] == WORKSPACE
    assert json.loads(wire.body) == json.loads(sdk.content)


def test_api_key_is_a_bearer_token_and_the_endpoint_is_regional() -> None:
    sdk = anthropic.AnthropicAWS(api_key=TOKEN, aws_region="eu-west-1", workspace_id=WORKSPACE)
    r = route("anthropic_aws", region="eu-west-1", workspace_id=WORKSPACE, **BEARER)
    wire = r.build(build_request(model="a", messages=MSG), MODEL, stream=False)
    assert wire.url == str(sdk.base_url).rstrip("/") + "/v1/messages"
    assert wire.headers["authorization"] == f"Bearer {TOKEN}" and "x-amz-date" not in wire.headers
    sdk.close()


@pytest.fixture(scope="module")
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as c:
        c.add("claude-aws", route="anthropic_aws", region=REGION)
        yield c


def test_the_mock_serves_anthropic_aws(cloud: MockCloud) -> None:
    cloud.reset()
    with client(cloud.url("claude-aws")) as c:
        m = c.messages.create(model=MODEL, max_tokens=20, messages=MSG)
        assert m.content[0].text == "Hello from claude-aws."  # type: ignore[union-attr]
        with c.messages.stream(model=MODEL, max_tokens=20, messages=MSG) as s:
            assert "".join(s.text_stream) == "Hello from claude-aws."
        cloud.script("claude-aws", Fault.overloaded())
        with pytest.raises(anthropic.OverloadedError):
            c.messages.create(model=MODEL, max_tokens=20, messages=MSG)
    reqs = cloud.requests("claude-aws")
    assert all(scope(r.headers)[3] == "aws-external-anthropic" and signature_valid(r) for r in reqs)
    assert {r.headers["anthropic-workspace-id"] for r in reqs} == {WORKSPACE}


def test_the_mock_refuses_what_aws_and_the_api_refuse(cloud: MockCloud) -> None:
    cloud.reset()
    with (
        anthropic.AnthropicBedrockMantle(
            aws_region=REGION,
            base_url=cloud.url("claude-aws"),
            aws_access_key=AKID,
            aws_secret_key=SECRET,
            max_retries=0,
        ) as wrong,
        pytest.raises(anthropic.PermissionDeniedError, match="aws-external-anthropic"),
    ):
        wrong.messages.create(model=MODEL, max_tokens=5, messages=MSG)
    no_workspace = httpx2.post(
        cloud.url("claude-aws") + "/v1/messages",
        json={"model": MODEL, "max_tokens": 5, "messages": MSG},
        headers={"authorization": "Bearer k", "anthropic-version": "2026-10-21"},
    )
    assert no_workspace.status_code == 400 and "anthropic-workspace-id" in no_workspace.text


def test_router_through_claude_platform_on_aws(cloud: MockCloud) -> None:
    cloud.reset()
    config = {
        "providers": {
            "claude-aws": {"kind": "anthropic_aws", "region": REGION, "workspace_id": WORKSPACE, **SIGV4},
            "bedrock": {"kind": "bedrock", "region": REGION, **BEARER},
        },
        "models": {"claude": {"targets": [f"claude-aws:{MODEL}", "bedrock:us.anthropic.claude-opus-4-7"]}},
    }
    with router_on_mock_cloud(cloud, config) as router:
        r = router.complete("claude", MSG)
        assert r.text == "Hello from claude-aws." and r.served_by is not None
        assert (r.served_by.cloud, r.served_by.region, r.served_by.model) == ("aws", REGION, MODEL)
        with router.stream("claude", MSG) as s:
            list(s)
        assert s.response.text == "Hello from claude-aws." and s.response.usage.output_tokens == 3
        cloud.script("claude-aws", Fault.rate_limited())
        r = router.complete("claude", MSG)
        assert [(a.provider, a.kind) for a in r.trace] == [
            ("claude-aws", ErrorKind.RATE_LIMITED), ("bedrock", None),
        ]  # fmt: skip
        assert r.text == "Hello from bedrock."
