"""Claude on Foundry and on Vertex: our routes against ``anthropic.AnthropicFoundry`` and
``anthropic.AnthropicVertex`` (with a fake access token or fake Google credentials), the oracles."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import google.auth
import httpx2
import pytest

from modelroute._coerce import build_request
from modelroute.exceptions import AuthError, ErrorKind

from ._clouds import KEY, TOKEN, Capture, cloud_route, ours, sse_capture
from .test_parity_anthropic import REQUESTS, TEXT_STREAM, TOOL_STREAM, err_body, message

pytestmark = pytest.mark.parity
MODEL = "claude-sonnet-5-5"
VMODEL = "claude-sonnet-5-5@20260901"
MSG = [{"role": "user", "content": "x"}]
VERTEX_VERSION = {"anthropic_version": "vertex-2023-10-16"}


def foundry(**spec: Any) -> Any:
    return cloud_route("azure_foundry", **{"resource": "myres", "api_key": "${K}", **spec})


def vertex(region: str = "us-east5", **spec: Any) -> Any:
    return cloud_route("vertex", **{"project": "my-proj", "region": region, "access_token": "${T}", **spec})


# --- Foundry requests ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("ask", "native"), [r[1:] for r in REQUESTS], ids=[r[0] for r in REQUESTS])
def test_foundry_request_matches_the_sdk(ask: dict[str, Any], native: dict[str, Any], stream: bool) -> None:
    cap = Capture()
    cap.foundry().messages.create(model=MODEL, **({"stream": True} if stream else {}), **native)
    sdk = cap.sent[0]
    mine = ours(foundry(), build_request(model="alias", **ask), MODEL, stream=stream)
    assert (
        (mine.method, mine.url)
        == (sdk.method, sdk.url)
        == ("POST", "https://myres.services.ai.azure.com/anthropic/v1/messages")
    )
    assert mine.headers["x-api-key"] == sdk.headers["x-api-key"] == KEY
    assert mine.headers["api-key"] == sdk.headers["api-key"] == KEY
    assert "authorization" not in mine.headers and "authorization" not in sdk.headers
    assert mine.headers["anthropic-version"] == sdk.headers["anthropic-version"]
    assert mine.json == sdk.json


def test_foundry_entra_token_matches_the_sdk() -> None:
    cap = Capture()
    cap.foundry(azure_ad_token_provider=lambda: TOKEN).messages.create(model=MODEL, max_tokens=5, messages=MSG)  # type: ignore[arg-type]
    mine = ours(foundry(api_key=None, access_token="${T}"), build_request(model="a", messages=MSG, max_tokens=5), MODEL)
    sdk = cap.sent[0]
    assert mine.headers["authorization"] == sdk.headers["authorization"] == f"Bearer {TOKEN}"
    assert not {"x-api-key", "api-key"} & (set(mine.headers) | set(sdk.headers))


# --- Vertex requests -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("ask", "native"), [r[1:] for r in REQUESTS], ids=[r[0] for r in REQUESTS])
def test_vertex_request_matches_the_sdk(ask: dict[str, Any], native: dict[str, Any], stream: bool) -> None:
    cap = Capture()
    cap.vertex().messages.create(
        model=VMODEL, extra_body=VERTEX_VERSION, **({"stream": True} if stream else {}), **native
    )
    sdk = cap.sent[0]
    mine = ours(vertex(), build_request(model="alias", **ask), VMODEL, stream=stream)
    verb = "streamRawPredict" if stream else "rawPredict"
    assert (mine.method, mine.url) == (sdk.method, sdk.url)
    assert mine.url == (
        f"https://us-east5-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-east5/publishers/anthropic/models/{VMODEL}:{verb}"
    )
    assert mine.headers["authorization"] == sdk.headers["authorization"] == f"Bearer {TOKEN}"
    assert "anthropic-version" not in mine.headers and "anthropic-version" not in sdk.headers
    assert "model" not in mine.json and mine.json["anthropic_version"] == "vertex-2023-10-16"
    assert mine.json == sdk.json


@pytest.mark.parametrize("region", ["us-east5", "europe-west1", "global", "us", "eu"])
def test_vertex_hosts_match_the_sdk(region: str) -> None:
    cap = Capture()
    cap.vertex(region).messages.create(model=VMODEL, max_tokens=5, messages=MSG)  # type: ignore[arg-type]
    mine = ours(vertex(region), build_request(model="a", messages=MSG, max_tokens=5), VMODEL)
    assert mine.url == cap.sent[0].url
    assert mine.json == {**cap.sent[0].json, **VERTEX_VERSION}


def test_vertex_model_segment_escaping_matches_the_sdk() -> None:
    cap = Capture()
    cap.vertex().messages.create(model="odd;model name", max_tokens=5, messages=MSG)  # type: ignore[arg-type]
    assert ours(vertex(), build_request(model="a", messages=MSG, max_tokens=5), "odd;model name").url == cap.sent[0].url


def test_vertex_dated_version_is_the_sdks_default_and_refuses_temperature() -> None:
    cap = Capture()
    cap.vertex().messages.create(model=VMODEL, max_tokens=5, messages=MSG)  # type: ignore[arg-type]
    dated = vertex(anthropic_version="2026-10-21")
    assert ours(dated, build_request(model="a", messages=MSG, max_tokens=5), VMODEL).json == cap.sent[0].json
    hot = build_request(model="a", messages=MSG, max_tokens=5, temperature=0.3)
    assert dated.unsupported(dated.spec, hot) is not None
    legacy = vertex()
    assert legacy.unsupported(legacy.spec, hot) is None
    assert ours(legacy, hot, VMODEL).json["temperature"] == 0.3


class FakeGoogleCredentials:
    """google-auth's credential surface: ``valid``, ``token``, ``expired``, ``refresh(request)``."""

    def __init__(self) -> None:
        self.token: str | None = None
        self.refreshes = 0

    @property
    def valid(self) -> bool:
        return self.token is not None

    @property
    def expired(self) -> bool:
        return False

    def refresh(self, request: Any) -> None:
        self.refreshes += 1
        self.token = f"adc-token-{self.refreshes}"


def test_vertex_adc_matches_the_sdk_with_the_same_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    creds = FakeGoogleCredentials()
    monkeypatch.setattr(google.auth, "default", lambda scopes=None, **kw: (creds, "my-proj"))
    cap = Capture()
    cap.vertex(credentials=FakeGoogleCredentials()).messages.create(model=VMODEL, max_tokens=5, messages=MSG)  # type: ignore[arg-type]
    route = vertex(access_token=None)
    sent = [ours(route, build_request(model="a", messages=MSG, max_tokens=5), VMODEL) for _ in range(3)]
    assert (
        {s.headers["authorization"] for s in sent} == {cap.sent[0].headers["authorization"]} == {"Bearer adc-token-1"}
    )
    assert creds.refreshes == 1  # cached while valid


def test_vertex_adc_failure_is_an_auth_error_without_details(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(scopes: Any = None, **kw: Any) -> Any:
        raise google.auth.exceptions.DefaultCredentialsError("secret path /home/me/key.json")

    monkeypatch.setattr(google.auth, "default", broken)
    with pytest.raises(AuthError) as e:
        vertex(access_token=None).build(build_request(model="a", messages=MSG), VMODEL, stream=False)
    assert (
        e.value.kind is ErrorKind.AUTH and "key.json" not in str(e.value) and "DefaultCredentialsError" in str(e.value)
    )


# --- responses and streams (same codec; the clouds must not change what is decoded) ----------------------------


@pytest.mark.parametrize("which", ["foundry", "vertex"])
def test_response_decodes_like_the_sdk(which: str) -> None:
    raw = json.dumps(message([{"type": "text", "text": "Hi!"}])).encode()
    cap = Capture(200, raw)
    client: Any = cap.foundry() if which == "foundry" else cap.vertex()
    sdk = client.messages.create(model=VMODEL, max_tokens=5, messages=MSG)
    mine = (foundry() if which == "foundry" else vertex()).decode(raw)
    assert mine.text == sdk.content[0].text == "Hi!"
    assert (mine.usage.input_tokens, mine.usage.output_tokens) == (sdk.usage.input_tokens, sdk.usage.output_tokens)


@pytest.mark.parametrize("which", ["foundry", "vertex"])
@pytest.mark.parametrize("body", [TEXT_STREAM, TOOL_STREAM], ids=["text", "tool"])
def test_stream_decodes_like_the_sdk(which: str, body: bytes) -> None:
    cap = sse_capture(body)
    client: Any = cap.foundry() if which == "foundry" else cap.vertex()
    with client.messages.stream(model=VMODEL, max_tokens=5, messages=MSG) as s:
        sdk = s.get_final_message()
    decoder = (foundry() if which == "foundry" else vertex()).stream_decoder()
    decoder.feed(body)
    _, mine = decoder.finish()
    assert mine.text == "".join(b.text for b in sdk.content if b.type == "text")
    assert [(c.id, c.name, c.arguments) for c in mine.tool_calls] == [
        (b.id, b.name, b.input) for b in sdk.content if b.type == "tool_use"
    ]
    assert mine.usage.output_tokens == sdk.usage.output_tokens


# --- errors: recorded bodies -----------------------------------------------------------------------------------


def azure_err(code: str, msg: str, **more: Any) -> bytes:
    return json.dumps({"error": {"code": code, "message": msg, **more}}).encode()


def google_err(code: int, status: str, msg: str, wrap: bool = False) -> bytes:
    body: Any = {"error": {"code": code, "message": msg, "status": status}}
    return json.dumps([body] if wrap else body).encode()


FOUNDRY_ERRORS: list[tuple[str, int, bytes, dict[str, str], type[Exception], ErrorKind]] = [
    ("anthropic overloaded", 529, err_body("overloaded_error", "Overloaded"), {}, anthropic.OverloadedError, ErrorKind.OVERLOADED),
    ("anthropic too long", 400, err_body("invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum"), {},
     anthropic.BadRequestError, ErrorKind.CONTEXT_WINDOW),
    ("anthropic rate limit", 429, err_body("rate_limit_error", "slow"), {"retry-after": "7"}, anthropic.RateLimitError, ErrorKind.RATE_LIMITED),
    ("gateway bad key", 401, azure_err("401", "Access denied due to invalid subscription key or wrong API endpoint."), {},
     anthropic.AuthenticationError, ErrorKind.AUTH),
    ("gateway deployment not found", 404, azure_err("DeploymentNotFound", "The API deployment for this resource does not exist."),
     {}, anthropic.NotFoundError, ErrorKind.NOT_FOUND),
    ("gateway 429", 429, azure_err("429", "Rate limit is exceeded. Try again in 5 seconds."),
     {"retry-after": "5", "x-ms-region": "eastus2"}, anthropic.RateLimitError, ErrorKind.RATE_LIMITED),
    ("gateway content filter", 400, azure_err("content_filter", "The response was filtered due to the prompt triggering "
     "Azure's content management policy.", param="prompt", innererror={"code": "ResponsibleAIPolicyViolation"}), {},
     anthropic.BadRequestError, ErrorKind.CONTENT_FILTERED),
]  # fmt: skip

VERTEX_ERRORS: list[tuple[str, int, bytes, dict[str, str], type[Exception], ErrorKind]] = [
    ("quota per minute", 429, google_err(429, "RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com/"
     "online_prediction_input_tokens_per_minute_per_base_model with base model: anthropic-claude-sonnet."), {},
     anthropic.RateLimitError, ErrorKind.RATE_LIMITED),
    ("quota wrapped in a list", 429, google_err(429, "RESOURCE_EXHAUSTED", "Quota exceeded", wrap=True), {},
     anthropic.RateLimitError, ErrorKind.RATE_LIMITED),
    ("unavailable", 503, google_err(503, "UNAVAILABLE", "The service is currently unavailable."), {},
     anthropic.ServiceUnavailableError, ErrorKind.OVERLOADED),
    ("internal", 500, google_err(500, "INTERNAL", "Internal error encountered."), {}, anthropic.InternalServerError,
     ErrorKind.SERVER_ERROR),
    ("deadline", 504, google_err(504, "DEADLINE_EXCEEDED", "Deadline exceeded"), {}, anthropic.GatewayTimeoutError, ErrorKind.TIMEOUT),
    ("permission", 403, google_err(403, "PERMISSION_DENIED", "Permission 'aiplatform.endpoints.predict' denied on resource "
     "'//aiplatform.googleapis.com/projects/my-proj/locations/us-east5/publishers/anthropic/models/claude'."), {},
     anthropic.PermissionDeniedError, ErrorKind.PERMISSION),
    ("unauthenticated", 401, google_err(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."), {},
     anthropic.AuthenticationError, ErrorKind.AUTH),
    ("model not found", 404, google_err(404, "NOT_FOUND", "Publisher Model `projects/my-proj/locations/us-east5/publishers/"
     "anthropic/models/claude-x` not found."), {}, anthropic.NotFoundError, ErrorKind.NOT_FOUND),
    ("billing disabled", 400, google_err(400, "FAILED_PRECONDITION", "Billing account for project '1' is not found. "
     "Billing must be enabled."), {}, anthropic.BadRequestError, ErrorKind.QUOTA_EXHAUSTED),
    ("model not enabled", 400, google_err(400, "FAILED_PRECONDITION", "Project is not allowed to use Publisher Model."), {},
     anthropic.BadRequestError, ErrorKind.PERMISSION),
    ("google too long", 400, google_err(400, "INVALID_ARGUMENT", "prompt is too long: 210000 tokens > 200000 maximum"), {},
     anthropic.BadRequestError, ErrorKind.CONTEXT_WINDOW),
    ("invalid argument", 400, google_err(400, "INVALID_ARGUMENT", "Invalid JSON payload received."), {},
     anthropic.BadRequestError, ErrorKind.INVALID_REQUEST),
    ("anthropic overloaded passed through", 529, err_body("overloaded_error", "Overloaded"), {}, anthropic.OverloadedError,
     ErrorKind.OVERLOADED),
    ("anthropic too long passed through", 400, err_body("invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum"),
     {}, anthropic.BadRequestError, ErrorKind.CONTEXT_WINDOW),
    ("html from a proxy", 502, b"<html>502 Bad Gateway</html>", {"content-type": "text/html"}, anthropic.InternalServerError,
     ErrorKind.SERVER_ERROR),
]  # fmt: skip


@pytest.mark.parametrize(
    ("which", "status", "body", "headers", "sdk_class", "kind"),
    [("foundry", *e[1:]) for e in FOUNDRY_ERRORS] + [("vertex", *e[1:]) for e in VERTEX_ERRORS],
    ids=[f"foundry-{e[0]}" for e in FOUNDRY_ERRORS] + [f"vertex-{e[0]}" for e in VERTEX_ERRORS],
)
def test_error_classification(
    which: str, status: int, body: bytes, headers: dict[str, str], sdk_class: type[Exception], kind: ErrorKind
) -> None:
    hdrs = {"request-id": "req_cloud", **headers}
    cap = Capture(status, body, hdrs)
    client: Any = cap.foundry() if which == "foundry" else cap.vertex()
    with pytest.raises(anthropic.APIStatusError) as sdk_error:
        client.messages.create(model=VMODEL, max_tokens=5, messages=MSG)
    assert type(sdk_error.value) is sdk_class
    route = foundry() if which == "foundry" else vertex()
    mine = route.classify(status, httpx2.Headers(hdrs), body)
    assert mine.kind is kind
    assert mine.status == sdk_error.value.status_code
    assert mine.request_id == sdk_error.value.request_id == "req_cloud"
    assert mine.retry_after_s == client._parse_retry_after_header(httpx2.Headers(hdrs))


def test_vertex_domain_scoped_project_matches_the_sdk() -> None:
    cap = Capture()
    client = anthropic.AnthropicVertex(
        region="us-east5", project_id="example.com:proj", access_token=TOKEN, http_client=cap.client(), max_retries=0
    )
    client.messages.create(model=VMODEL, max_tokens=5, messages=MSG)  # type: ignore[arg-type]
    mine = ours(vertex(project="example.com:proj"), build_request(model="a", messages=MSG, max_tokens=5), VMODEL)
    assert mine.url == cap.sent[0].url and "/projects/example.com:proj/" in mine.url
