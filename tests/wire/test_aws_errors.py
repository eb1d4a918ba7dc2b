"""Bedrock's HTTP errors, one recorded fixture per row: our kind, and the exception name botocore's own parser
reads from the same response (the oracle for *which* error it is; the anthropic SDK can only tell statuses apart).
"""

from __future__ import annotations

import json
from typing import Any

import anthropic
import botocore.session
import httpx2
import pytest
from botocore.parsers import create_parser

from modelroute.exceptions import ErrorKind
from modelroute.wire.aws_errors import AWS_ERROR_KINDS, aws_error_name

from ._aws import BASE_ID, BEARER, route

pytestmark = pytest.mark.parity
CORAL = ":http://internal.amazon.com/coral/com.amazon.bedrock/"
SVC = ":http://internal.amazon.com/coral/com.amazon.coral.service/"


def headers(name: str | None, suffix: str = CORAL) -> dict[str, str]:
    h = {"content-type": "application/json", "x-amzn-requestid": "8e7f3a1c-2b4d-4c6e-9f0a-1b2c3d4e5f60",
         "date": "Mon, 30 Nov 2026 01:00:00 GMT"}  # fmt: skip
    if name:
        h["x-amzn-errortype"] = name + suffix
    return h


# (id, status, error type header, body, our kind, anthropic SDK class the status alone gives)
ROWS: list[tuple[str, int, dict[str, str], dict[str, Any] | bytes, ErrorKind, type[Exception]]] = [
    ("throttled requests", 429, headers("ThrottlingException"),
     {"message": "Too many requests, please wait before trying again."}, ErrorKind.RATE_LIMITED, anthropic.RateLimitError),
    ("throttled tokens", 429, headers("ThrottlingException"),
     {"message": "Too many tokens, please wait before trying again."}, ErrorKind.RATE_LIMITED, anthropic.RateLimitError),
    ("model not ready", 429, headers("ModelNotReadyException"),
     {"message": "Model is not ready to serve inference requests. Try again later."}, ErrorKind.OVERLOADED,
     anthropic.RateLimitError),
    ("service unavailable", 503, headers("ServiceUnavailableException"),
     {"message": "Bedrock is unable to process your request."}, ErrorKind.OVERLOADED, anthropic.InternalServerError),
    ("internal server", 500, headers("InternalServerException"),
     {"message": "The system encountered an unexpected error during processing. Try your request again."},
     ErrorKind.SERVER_ERROR, anthropic.InternalServerError),
    ("model error 424", 424, headers("ModelErrorException"),
     {"message": "Received server error (500) from model. See the model's logs for details.",
      "originalStatusCode": 500, "resourceName": "anthropic.claude-haiku-4-5"},
     ErrorKind.SERVER_ERROR, anthropic.APIStatusError),
    ("model timeout", 408, headers("ModelTimeoutException"),
     {"message": "Model has timed out in processing the request. Try your request again."}, ErrorKind.TIMEOUT,
     anthropic.APIStatusError),
    ("validation", 400, headers("ValidationException"),
     {"message": "Malformed input request: #: required key [messages] not found, please reformat your input and "
                 "try again."}, ErrorKind.INVALID_REQUEST, anthropic.BadRequestError),
    ("validation: input too long", 400, headers("ValidationException"),
     {"message": "Input is too long for requested model."}, ErrorKind.CONTEXT_WINDOW, anthropic.BadRequestError),
    ("validation: prompt too long", 400, headers("ValidationException"),
     {"message": "prompt is too long: 204748 tokens > 200000 maximum"}, ErrorKind.CONTEXT_WINDOW,
     anthropic.BadRequestError),
    ("validation: context limit", 400, headers("ValidationException"),
     {"message": "The model returned the following errors: input length and `max_tokens` exceed context limit: "
                 "197000 + 8192 > 200000, decrease input length or `max_tokens` and try again"},
     ErrorKind.CONTEXT_WINDOW, anthropic.BadRequestError),
    ("service quota", 400, headers("ServiceQuotaExceededException"),
     {"message": "Your request exceeds the service quota for your account."}, ErrorKind.QUOTA_EXHAUSTED,
     anthropic.BadRequestError),
    ("access denied", 403, headers("AccessDeniedException"),
     {"message": "You don't have access to the model with the specified model ID."}, ErrorKind.PERMISSION,
     anthropic.PermissionDeniedError),
    ("bad key", 403, headers("UnrecognizedClientException", SVC),
     {"message": "The security token included in the request is invalid."}, ErrorKind.AUTH,
     anthropic.PermissionDeniedError),
    ("bad signature", 403, headers("InvalidSignatureException", SVC),
     {"message": "The request signature we calculated does not match the signature you provided."}, ErrorKind.AUTH,
     anthropic.PermissionDeniedError),
    ("wrong scope", 403, headers("InvalidSignatureException", SVC),
     {"message": "Credential should be scoped to correct service: 'bedrock'. "}, ErrorKind.AUTH,
     anthropic.PermissionDeniedError),
    ("incomplete signature", 403, headers("IncompleteSignatureException", SVC),
     {"message": "Authorization header requires 'Signature' parameter. Authorization header requires "
                 "'SignedHeaders' parameter."}, ErrorKind.AUTH, anthropic.PermissionDeniedError),
    ("expired token", 403, headers("ExpiredTokenException", SVC),
     {"message": "The security token included in the request is expired"}, ErrorKind.AUTH,
     anthropic.PermissionDeniedError),
    ("no credentials", 403, headers("MissingAuthenticationTokenException", SVC),
     {"message": "Missing Authentication Token"}, ErrorKind.AUTH, anthropic.PermissionDeniedError),
    ("not found", 404, headers("ResourceNotFoundException"),
     {"message": "Model not found: arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v9"},
     ErrorKind.NOT_FOUND, anthropic.NotFoundError),
    ("model stream error 424", 424, headers("ModelStreamErrorException"),
     {"message": "The model returned an error before the stream started.", "originalStatusCode": 500},
     ErrorKind.SERVER_ERROR, anthropic.APIStatusError),
    ("internal failure", 500, headers("InternalFailure", SVC),
     {"message": "The request processing has failed because of an unknown error, exception or failure."},
     ErrorKind.SERVER_ERROR, anthropic.InternalServerError),
    ("serialization", 400, headers("SerializationException", SVC),
     {"message": "Start of structure or map found where not expected."}, ErrorKind.INVALID_REQUEST,
     anthropic.BadRequestError),
    ("__type in the body only", 400, headers(None),
     {"__type": "com.amazon.coral.validate#ValidationException", "message": "1 validation error detected"},
     ErrorKind.INVALID_REQUEST, anthropic.BadRequestError),
    ("Message and __type, access denied", 403, headers(None),
     {"__type": "com.amazon.coral.service#AccessDeniedException",
      "Message": "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: bedrock:InvokeModel"},
     ErrorKind.PERMISSION, anthropic.PermissionDeniedError),
]  # fmt: skip

# Responses without an AWS name fall back to the status (an unknown name too).
FALLBACKS = [
    ("proxy html 502", 502, {"content-type": "text/html"}, b"<html><body>502 Bad Gateway</body></html>",
     ErrorKind.SERVER_ERROR),
    ("unknown name 400", 400, headers("SomethingNewException"), {"message": "new"}, ErrorKind.INVALID_REQUEST),
    ("unknown name 429", 429, headers("SomethingNewException"), {"message": "new"}, ErrorKind.RATE_LIMITED),
]  # fmt: skip


def raw(body: dict[str, Any] | bytes) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def botocore_code(status: int, h: dict[str, str], body: bytes) -> str:
    model = botocore.session.get_session().get_service_model("bedrock-runtime")
    parser = create_parser(model.metadata["protocol"])
    parsed = parser.parse(
        {"status_code": status, "headers": h, "body": body},
        model.operation_model("InvokeModel").output_shape,
    )
    return str(parsed["Error"]["Code"])


@pytest.mark.parametrize(("status", "h", "body", "kind", "sdk_class"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_each_bedrock_error_is_classified_by_name(
    status: int, h: dict[str, str], body: Any, kind: ErrorKind, sdk_class: type[Exception]
) -> None:
    err = route("bedrock", region="us-east-1", **BEARER).classify(status, h, raw(body))
    assert err.kind is kind
    assert err.code == botocore_code(status, h, raw(body))
    assert err.status == status
    if "x-amzn-errortype" in h:
        assert err.request_id == h["x-amzn-requestid"]
    assert err.message and err.message in json.dumps(body)
    # the anthropic SDK raises by status only: the name is what tells these rows apart
    transport = httpx2.MockTransport(lambda request: httpx2.Response(status, content=raw(body), headers=h))
    client = anthropic.AnthropicBedrock(
        api_key="k", aws_region="us-east-1", base_url="http://mock", max_retries=0,
        http_client=httpx2.Client(transport=transport),
    )  # fmt: skip
    with pytest.raises(sdk_class):
        client.messages.create(model=BASE_ID, max_tokens=5, messages=[{"role": "user", "content": "Hi"}])


@pytest.mark.parametrize(("status", "h", "body", "kind"), [r[1:] for r in FALLBACKS], ids=[r[0] for r in FALLBACKS])
def test_without_a_known_name_the_status_decides(status: int, h: dict[str, str], body: Any, kind: ErrorKind) -> None:
    assert route("bedrock", region="us-east-1", **BEARER).classify(status, h, raw(body)).kind is kind


@pytest.mark.parametrize("dialect", ["anthropic", "openai"])
def test_mantle_reads_aws_names_first_and_its_dialect_otherwise(dialect: str) -> None:
    r = route("bedrock_mantle", region="us-east-1", dialect=dialect, **BEARER)
    throttled = r.classify(429, headers("ThrottlingException"), b'{"message": "Too many requests"}')
    assert throttled.kind is ErrorKind.RATE_LIMITED and throttled.code == "ThrottlingException"
    body = (
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        if dialect == "anthropic"
        else {"error": {"message": "This model's maximum context length is 128000 tokens.", "type": "invalid_request_error",
                        "param": "messages", "code": "context_length_exceeded"}}
    )  # fmt: skip
    status = 529 if dialect == "anthropic" else 400
    kind = ErrorKind.OVERLOADED if dialect == "anthropic" else ErrorKind.CONTEXT_WINDOW
    assert r.classify(status, {"content-type": "application/json"}, raw(body)).kind is kind


def test_every_row_of_the_table_has_a_recorded_fixture() -> None:
    names = {aws_error_name(h, json.loads(raw(b)) if not isinstance(b, bytes) else None) for _, _, h, b, _, _ in ROWS}
    covered = {n[:1].lower() + n[1:] for n in names if n}
    assert set(AWS_ERROR_KINDS) <= covered, set(AWS_ERROR_KINDS) - covered
