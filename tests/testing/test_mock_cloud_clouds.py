"""The mock cloud's Azure and Google routes answer like the real endpoints: paths, api-version, auth headers,
request ids and error bodies, proven with raw HTTP and with the official clients."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import httpx2
import openai
import pytest

from modelroute.testing import Fault, MockCloud

MSG = [{"role": "user", "content": "Hello there"}]
VMODEL = "claude-sonnet-5-5@20260901"
VPATH = f"/v1/projects/p/locations/us-east5/publishers/anthropic/models/{VMODEL}"


@pytest.fixture(scope="module")
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as c:
        c.add("az", route="azure_openai")
        c.add("fd", route="azure_foundry")
        c.add("vx", route="vertex")
        yield c


@pytest.fixture(autouse=True)
def _clean(cloud: MockCloud) -> None:
    cloud.reset()


def post(url: str, json: object, headers: dict[str, str] | None = None) -> httpx2.Response:
    with httpx2.Client() as client:
        return client.post(url, json=json, headers=headers or {})


def test_azure_wants_api_version_on_the_deployments_path(cloud: MockCloud) -> None:
    base = cloud.url("az")
    r = post(f"{base}/openai/deployments/d/chat/completions", {"messages": MSG}, {"api-key": "k"})
    assert r.status_code == 404 and r.json() == {"error": {"code": "404", "message": "Resource not found"}}
    ok = post(
        f"{base}/openai/deployments/d/chat/completions?api-version=2024-10-21", {"messages": MSG}, {"api-key": "k"}
    )
    assert ok.status_code == 200 and ok.json()["model"] == "d"
    assert ok.headers["apim-request-id"] == ok.headers["x-request-id"] and ok.headers["x-ms-region"]
    assert ok.json()["prompt_filter_results"][0]["content_filter_results"]["hate"]["filtered"] is False
    v1 = post(f"{base}/openai/v1/chat/completions", {"model": "d", "messages": MSG}, {"authorization": "Bearer k"})
    assert v1.status_code == 200


def test_azure_refuses_a_request_without_credentials(cloud: MockCloud) -> None:
    r = post(f"{cloud.url('az')}/openai/v1/chat/completions", {"model": "d", "messages": MSG})
    assert r.status_code == 401 and r.json()["error"]["code"] == "401"


def test_foundry_accepts_either_key_header_and_refuses_none(cloud: MockCloud) -> None:
    url = f"{cloud.url('fd')}/v1/messages"
    body = {"model": "claude-sonnet-5-5", "max_tokens": 5, "messages": MSG}
    for headers in ({"api-key": "k"}, {"x-api-key": "k"}, {"authorization": "Bearer t"}):
        assert post(url, body, {**headers, "anthropic-version": "2026-10-21"}).status_code == 200
    r = post(url, body, {"anthropic-version": "2026-10-21"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "401"
    assert r.headers["apim-request-id"]


def test_vertex_checks_path_auth_and_body(cloud: MockCloud) -> None:
    base = cloud.url("vx")[: -len("/v1")]
    body = {"anthropic_version": "vertex-2023-10-16", "max_tokens": 5, "messages": MSG}
    auth = {"authorization": "Bearer t"}
    assert post(f"{base}{VPATH}:rawPredict", body, auth).status_code == 200
    unauth = post(f"{base}{VPATH}:rawPredict", body)
    assert unauth.status_code == 401 and unauth.json()["error"]["status"] == "UNAUTHENTICATED"
    assert post(f"{base}{VPATH}:predict", body, auth).json()["error"]["status"] == "NOT_FOUND"
    with_model = post(f"{base}{VPATH}:rawPredict", {**body, "model": "x"}, auth)
    assert with_model.status_code == 400 and with_model.json()["error"]["type"] == "invalid_request_error"
    no_version = {k: v for k, v in body.items() if k != "anthropic_version"}
    assert "anthropic_version" in post(f"{base}{VPATH}:rawPredict", no_version, auth).text
    streamed = post(f"{base}{VPATH}:streamRawPredict", body, auth)
    assert streamed.headers["content-type"] == "text/event-stream" and b"event: message_stop" in streamed.content


def test_a_route_without_a_content_filter_says_so(cloud: MockCloud) -> None:
    cloud.script("vx", Fault.content_filter())
    r = post(f"{cloud.url('vx')[: -len('/v1')]}{VPATH}:rawPredict",
             {"anthropic_version": "v", "max_tokens": 5, "messages": MSG}, {"authorization": "Bearer t"})  # fmt: skip
    assert r.status_code == 501 and b"no content filter" in r.content


def test_azure_openai_sdk_sees_the_content_filter_and_rate_limits(cloud: MockCloud) -> None:
    client = openai.AzureOpenAI(api_key="k", api_version="2024-10-21", azure_endpoint=cloud.url("az"), max_retries=0)
    cloud.script("az", Fault.content_filter(), Fault.content_filter(on="completion"), Fault.rate_limited(retry_after=7))
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model="d", messages=MSG)  # type: ignore[arg-type]
    assert (e.value.code, e.value.param) == ("content_filter", "prompt")
    assert e.value.body["innererror"]["code"] == "ResponsibleAIPolicyViolation"  # type: ignore[index]
    assert client.chat.completions.create(model="d", messages=MSG).choices[0].finish_reason == "content_filter"  # type: ignore[arg-type]
    with pytest.raises(openai.RateLimitError) as rl:
        client.chat.completions.create(model="d", messages=MSG)  # type: ignore[arg-type]
    assert rl.value.code == "429" and rl.value.response.headers["retry-after"] == "7"
    assert rl.value.response.headers["x-ratelimit-remaining-requests"] == "0"
    client.close()


def test_azure_streams_through_the_sdk_with_a_filtered_ending(cloud: MockCloud) -> None:
    client = openai.AzureOpenAI(api_key="k", api_version="2024-10-21", azure_endpoint=cloud.url("az"), max_retries=0)
    cloud.script("az", Fault.content_filter(on="completion"))
    chunks = list(client.chat.completions.create(model="d", messages=MSG, stream=True))  # type: ignore[arg-type]
    assert chunks[0].choices == [] and [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "content_filter"
    client.close()


def test_foundry_and_vertex_sdks_parse_answers_and_cloud_errors(cloud: MockCloud) -> None:
    fd = anthropic.AnthropicFoundry(api_key="k", base_url=cloud.url("fd") + "/", max_retries=0)
    vx = anthropic.AnthropicVertex(region="us-east5", project_id="p", access_token="t", base_url=cloud.url("vx"),
                                   max_retries=0)  # fmt: skip
    assert fd.messages.create(model="claude-sonnet-5-5", max_tokens=9, messages=MSG).content[0].text == "Hello from fd."  # type: ignore[arg-type, union-attr]
    m = vx.messages.create(model=VMODEL, max_tokens=9, messages=MSG)  # type: ignore[arg-type]
    assert (m.content[0].text, m.model) == ("Hello from vx.", VMODEL)  # type: ignore[union-attr]
    cloud.script("fd", Fault.not_found())
    with pytest.raises(anthropic.NotFoundError) as nf:
        fd.messages.create(model="claude-sonnet-5-5", max_tokens=9, messages=MSG)  # type: ignore[arg-type]
    assert nf.value.body == {"error": {"code": "DeploymentNotFound", "message": nf.value.body["error"]["message"]}}  # type: ignore[index]
    cloud.script("vx", Fault.rate_limited(retry_after=4), Fault.overloaded())
    with pytest.raises(anthropic.RateLimitError) as rl:
        vx.messages.create(model=VMODEL, max_tokens=9, messages=MSG)  # type: ignore[arg-type]
    assert rl.value.body["error"]["status"] == "RESOURCE_EXHAUSTED"  # type: ignore[index]
    with pytest.raises(anthropic.OverloadedError):
        vx.messages.create(model=VMODEL, max_tokens=9, messages=MSG)  # type: ignore[arg-type]
    with vx.messages.stream(model=VMODEL, max_tokens=9, messages=MSG) as s:  # type: ignore[arg-type]
        assert s.get_final_text() == "Hello from vx."
    fd.close()
    vx.close()
