"""Azure OpenAI: our route against ``openai.AzureOpenAI`` (deployments path) and ``openai.OpenAI`` on Azure's
``/openai/v1/`` path, the oracles. Same URL (host, path, api-version), auth scheme, body; same decoded result;
same error kind for Azure's recorded error bodies."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import openai
import pytest

from modelroute._coerce import build_request
from modelroute.exceptions import ContentFilteredError, ErrorKind, ProviderError

from ._clouds import KEY, TOKEN, Capture, cloud_route, ours, sse_capture
from .test_parity_openai import REQUESTS, TEXT_STREAM, TOOL_STREAM, completion, sse

pytestmark = pytest.mark.parity
DEPLOYMENT = "gpt-prod-eastus"
MSG = [{"role": "user", "content": "x"}]


def az(**spec: Any) -> Any:
    return cloud_route("azure_openai", **{"resource": "myres", "api_key": "${K}", **spec})


# --- requests --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("ask", "native"), [r[1:] for r in REQUESTS], ids=[r[0] for r in REQUESTS])
def test_deployments_request_matches_azure_openai(ask: dict[str, Any], native: dict[str, Any], stream: bool) -> None:
    cap = Capture()
    extra = {"stream": True, "stream_options": {"include_usage": True}} if stream else {}
    cap.azure_openai().chat.completions.create(model=DEPLOYMENT, **native, **extra)
    sdk = cap.sent[0]
    mine = ours(az(), build_request(model="alias", **ask), DEPLOYMENT, stream=stream)
    assert (mine.method, mine.url) == (sdk.method, sdk.url)
    assert (
        mine.url
        == f"https://myres.openai.azure.com/openai/deployments/{DEPLOYMENT}/chat/completions?api-version=2024-10-21"
    )
    assert mine.headers["api-key"] == sdk.headers["api-key"] == KEY
    assert "authorization" not in mine.headers and "authorization" not in sdk.headers
    assert mine.json == sdk.json


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("ask", "native"), [r[1:] for r in REQUESTS[:4]], ids=[r[0] for r in REQUESTS[:4]])
def test_v1_request_matches_openai_on_the_v1_path(ask: dict[str, Any], native: dict[str, Any], stream: bool) -> None:
    cap = Capture()
    extra = {"stream": True, "stream_options": {"include_usage": True}} if stream else {}
    cap.azure_v1().chat.completions.create(model=DEPLOYMENT, **native, **extra)
    sdk = cap.sent[0]
    mine = ours(az(api_version="v1"), build_request(model="alias", **ask), DEPLOYMENT, stream=stream)
    assert (
        (mine.method, mine.url)
        == (sdk.method, sdk.url)
        == ("POST", "https://myres.openai.azure.com/openai/v1/chat/completions")
    )
    assert mine.headers["authorization"] == sdk.headers["authorization"] == f"Bearer {KEY}"
    assert "api-key" not in mine.headers
    assert mine.json == sdk.json


def test_entra_token_matches_the_sdks_token_provider() -> None:
    cap = Capture()
    cap.azure_openai(azure_ad_token_provider=lambda: TOKEN).chat.completions.create(model=DEPLOYMENT, messages=MSG)  # type: ignore[arg-type]
    mine = ours(az(api_key=None, access_token="${T}"), build_request(model="a", messages=MSG), DEPLOYMENT)
    assert mine.headers["authorization"] == cap.sent[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert "api-key" not in mine.headers and "api-key" not in cap.sent[0].headers


def test_base_url_and_deployment_names_are_escaped_like_the_sdk() -> None:
    cap = Capture()
    cap.azure_openai(
        azure_endpoint="https://proxy.example.com/", api_version="2025-04-01-preview"
    ).chat.completions.create(
        model="my dep",
        messages=MSG,  # type: ignore[arg-type]
    )
    route = az(resource=None, base_url="https://proxy.example.com/", api_version="2025-04-01-preview")
    assert ours(route, build_request(model="a", messages=MSG), "my dep").url == cap.sent[0].url


# --- responses and streams -------------------------------------------------------------------------------------

FILTERS = {c: {"filtered": False, "severity": "safe"} for c in ("hate", "self_harm", "sexual", "violence")}


def azure_completion(
    content: str | None, finish: str = "stop", filters: dict[str, Any] | None = None
) -> dict[str, Any]:
    body = completion({"content": content}, finish)
    body["prompt_filter_results"] = [{"prompt_index": 0, "content_filter_results": FILTERS}]
    body["choices"][0]["content_filter_results"] = filters or FILTERS
    return body


def test_response_with_filter_annotations_decodes_like_the_sdk() -> None:
    raw = json.dumps(azure_completion("Hello!")).encode()
    sdk = Capture(200, raw).azure_openai().chat.completions.create(model=DEPLOYMENT, messages=MSG)  # type: ignore[arg-type]
    mine = az().decode(raw)
    assert mine.text == sdk.choices[0].message.content == "Hello!"
    assert sdk.usage is not None and (mine.usage.input_tokens, mine.usage.output_tokens) == (
        sdk.usage.prompt_tokens, sdk.usage.completion_tokens,
    )  # fmt: skip


def test_filtered_answer_is_content_filtered() -> None:
    hit = {**FILTERS, "violence": {"filtered": True, "severity": "high"}}
    raw = json.dumps(azure_completion("I can tell", "content_filter", hit)).encode()
    sdk = Capture(200, raw).azure_openai().chat.completions.create(model=DEPLOYMENT, messages=MSG)  # type: ignore[arg-type]
    assert sdk.choices[0].finish_reason == "content_filter"
    with pytest.raises(ContentFilteredError, match=r"violence \(high\)") as e:
        az().decode(raw)
    assert e.value.kind is ErrorKind.CONTENT_FILTERED


PROMPT_FILTER_CHUNK = {"id": "", "object": "", "created": 0, "model": "", "choices": [],
                       "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": FILTERS}]}  # fmt: skip


@pytest.mark.parametrize("body", [TEXT_STREAM, TOOL_STREAM], ids=["text", "tools"])
def test_azure_stream_with_a_prompt_filter_chunk_decodes_like_the_sdk(body: bytes) -> None:
    body = sse(PROMPT_FILTER_CHUNK) + body
    client = sse_capture(body).azure_openai()
    with client.chat.completions.stream(model=DEPLOYMENT, messages=MSG) as s:  # type: ignore[arg-type]
        sdk = s.get_final_completion()
    decoder = az().stream_decoder()
    decoder.feed(body)
    _, mine = decoder.finish()
    assert mine.text == (sdk.choices[0].message.content or "")
    assert [(c.id, c.name) for c in mine.tool_calls] == [
        (c.id, c.function.name)
        for c in sdk.choices[0].message.tool_calls or []  # type: ignore[union-attr]
    ]


def test_stream_ending_in_content_filter_raises_where_it_arrives() -> None:
    from .test_parity_openai import chunk

    body = sse(PROMPT_FILTER_CHUNK, chunk({"content": "I can"}), chunk({}, "content_filter"), "[DONE]")
    chunks = list(sse_capture(body).azure_openai().chat.completions.create(model=DEPLOYMENT, messages=MSG, stream=True))  # type: ignore[arg-type]
    assert chunks[-1].choices[0].finish_reason == "content_filter"
    decoder = az().stream_decoder()
    with pytest.raises(ProviderError) as e:
        decoder.feed(body)
    assert e.value.kind is ErrorKind.CONTENT_FILTERED


# --- errors: recorded Azure bodies -----------------------------------------------------------------------------


def azure_err(code: str | None, message: str, **more: Any) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, **more}}).encode()


CF_PROMPT = azure_err(
    "content_filter",
    "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
    param="prompt", type=None, status=400,
    innererror={"code": "ResponsibleAIPolicyViolation",
                "content_filter_result": {**FILTERS, "hate": {"filtered": True, "severity": "medium"}}},
)  # fmt: skip
RATE_HEADERS = {"retry-after": "6", "retry-after-ms": "5500", "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-remaining-tokens": "0", "x-ms-region": "swedencentral",
                "x-ms-client-request-id": "c-1", "apim-request-id": "apim-1"}  # fmt: skip
TOO_LONG = ("This model's maximum context length is 128000 tokens. However, your messages resulted in 130012 "
            "tokens. Please reduce the length of the messages.")  # fmt: skip

ERRORS: list[tuple[str, int, bytes, dict[str, str], type[Exception], ErrorKind, float | None]] = [
    ("prompt content filter", 400, CF_PROMPT, {}, openai.BadRequestError, ErrorKind.CONTENT_FILTERED, None),
    ("inner content filter only", 400, azure_err("BadRequest", "filtered", innererror={"code": "ResponsibleAIPolicyViolation"}), {},
     openai.BadRequestError, ErrorKind.CONTENT_FILTERED, None),
    ("context length coded", 400, json.dumps({"error": {"message": TOO_LONG, "type": "invalid_request_error", "param": "messages",
     "code": "context_length_exceeded"}}).encode(), {}, openai.BadRequestError, ErrorKind.CONTEXT_WINDOW, None),
    ("context length worded", 400, azure_err(None, TOO_LONG), {}, openai.BadRequestError, ErrorKind.CONTEXT_WINDOW, None),
    ("429 with retry-after-ms", 429, azure_err("429", "Requests to the ChatCompletions_Create Operation under Azure OpenAI API "
     "version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds."),
     RATE_HEADERS, openai.RateLimitError, ErrorKind.RATE_LIMITED, 5.5),
    ("429 worded only", 429, azure_err("429", "Requests ... have exceeded call rate limit. Please retry after 20 seconds."),
     {}, openai.RateLimitError, ErrorKind.RATE_LIMITED, 20.0),
    ("deployment not found", 404, azure_err("DeploymentNotFound", "The API deployment for this resource does not exist."), {},
     openai.NotFoundError, ErrorKind.NOT_FOUND, None),
    ("missing api-version", 404, azure_err("404", "Resource not found"), {}, openai.NotFoundError, ErrorKind.NOT_FOUND, None),
    ("operation not supported", 400, azure_err("OperationNotSupported", "The chatCompletion operation does not work with the "
     "specified model, text-embedding-3-large."), {}, openai.BadRequestError, ErrorKind.NOT_FOUND, None),
    ("bad key", 401, azure_err("401", "Access denied due to invalid subscription key or wrong API endpoint."), {},
     openai.AuthenticationError, ErrorKind.AUTH, None),
    ("keys disabled", 403, azure_err("AuthenticationTypeDisabled", "Key based authentication is disabled for this resource."),
     {}, openai.PermissionDeniedError, ErrorKind.AUTH, None),
    ("no RBAC role", 401, azure_err("PermissionDenied", "The principal lacks the required data action "
     "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action."), {},
     openai.AuthenticationError, ErrorKind.PERMISSION, None),
    ("out of quota", 403, azure_err("403", "Out of call volume quota for OpenAI API. Quota will be replenished in 2.12:44:27."),
     {}, openai.PermissionDeniedError, ErrorKind.QUOTA_EXHAUSTED, None),
    ("internal", 500, azure_err("InternalServerError", "The server had an error while processing your request."), {},
     openai.InternalServerError, ErrorKind.SERVER_ERROR, None),
    ("unavailable", 503, azure_err("ServiceUnavailable", "The service is temporarily unable to process your request."), {},
     openai.InternalServerError, ErrorKind.OVERLOADED, None),
    ("timeout", 408, azure_err("Timeout", "The operation was timeout."), {}, openai.APIStatusError, ErrorKind.TIMEOUT, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "body", "headers", "sdk_class", "kind", "wait"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
@pytest.mark.parametrize("v1", [False, True], ids=["deployments", "v1"])
def test_azure_error_classification(
    status: int,
    body: bytes,
    headers: dict[str, str],
    sdk_class: type[Exception],
    kind: ErrorKind,
    wait: float | None,
    v1: bool,
) -> None:
    hdrs = {"x-request-id": "req-azure-1", **headers}
    cap = Capture(status, body, hdrs)
    client = cap.azure_v1() if v1 else cap.azure_openai()
    with pytest.raises(openai.APIStatusError) as sdk_error:
        client.chat.completions.create(model=DEPLOYMENT, messages=MSG)  # type: ignore[arg-type]
    assert type(sdk_error.value) is sdk_class
    mine = az(api_version="v1" if v1 else "2024-10-21").classify(status, httpx2.Headers(hdrs), body)
    assert mine.kind is kind
    assert mine.status == sdk_error.value.status_code
    assert mine.request_id == sdk_error.value.request_id == "req-azure-1"
    assert mine.retry_after_s == wait
    if kind is ErrorKind.CONTENT_FILTERED and b"content_filter_result" in body:
        assert "hate (medium)" in str(mine)


def test_apim_request_id_is_read_when_it_is_the_only_one() -> None:
    mine = az().classify(429, httpx2.Headers({"apim-request-id": "apim-9"}), azure_err("429", "slow down"))
    assert mine.request_id == "apim-9" and mine.kind is ErrorKind.RATE_LIMITED
