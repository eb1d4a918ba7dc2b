"""Bedrock Runtime as AWS serves it. Claude through InvokeModel: ``POST /model/{modelId}/invoke`` (JSON) and
``/invoke-with-response-stream`` (AWS event-stream binary frames, CRC32-checked, each ``chunk`` event carrying one
base64 Anthropic stream event); errors are ``{"message": ...}`` bodies named by ``x-amzn-ErrorType``, in-stream
errors ``exception`` frames. OpenAI models through ``POST /openai/v1/chat/completions`` (OpenAI bodies, SSE).
It refuses what AWS refuses: no or foreign credentials (a SigV4 scope for another service or region), an
InvokeModel body without ``anthropic_version`` or with ``model``/``stream`` in it.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from typing import Any
from urllib.parse import unquote

from .._faults import Fault
from ._base import Answer, RecordedRequest, Reply
from .anthropic import AnthropicMock
from .openai import OpenAIMock

__all__ = [
    "BedrockMock",
    "OpenAIOnAWS",
    "aws_auth_refusal",
    "aws_error_headers",
    "es_chunk",
    "es_exception",
    "es_frame",
    "sigv4_signature_valid",
]

_CORAL = "http://internal.amazon.com/coral/com.amazon.bedrock/"
_PATH = re.compile(r"^/model/([^/]+)/(invoke|invoke-with-response-stream)$")
_SCOPE = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
_SIGNED = re.compile(r"SignedHeaders=([^,\s]+), Signature=([0-9a-f]{64})$")

_ERRORS: dict[str, tuple[int, str, str]] = {
    "rate_limited": (429, "ThrottlingException", "Too many requests, please wait before trying again."),
    "overloaded": (503, "ServiceUnavailableException", "Bedrock is unable to process your request."),
    "server_error": (500, "InternalServerException",
                     "The system encountered an unexpected error during processing. Try your request again."),
    "unavailable": (503, "ServiceUnavailableException", "Service Unavailable"),
    "context_length": (400, "ValidationException", "Input is too long for requested model."),
    "unauthorized": (403, "UnrecognizedClientException", "The security token included in the request is invalid."),
    "quota_exhausted": (400, "ServiceQuotaExceededException",
                        "Your request exceeds the service quota for your account. You can view your quotas at "
                        "https://console.aws.amazon.com/servicequotas/"),
    "not_found": (404, "ResourceNotFoundException",
                  "Could not resolve the foundation model from the provided model identifier."),
}  # fmt: skip


# --- AWS event-stream encoding (what botocore's EventStreamBuffer decodes) ---------------------------------------


def _header(name: str, value: str) -> bytes:
    n, v = name.encode(), value.encode()
    return struct.pack("!B", len(n)) + n + struct.pack("!BH", 7, len(v)) + v  # 7: a string value


def es_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One event-stream message: prelude (lengths + CRC), string headers, payload, CRC of everything before."""
    hb = b"".join(_header(k, v) for k, v in headers.items())
    prelude = struct.pack("!II", 12 + len(hb) + len(payload) + 4, len(hb))
    message = prelude + struct.pack("!I", zlib.crc32(prelude)) + hb + payload
    return message + struct.pack("!I", zlib.crc32(message))


def es_chunk(event: dict[str, Any]) -> bytes:
    """An InvokeModelWithResponseStream ``chunk`` event carrying one Anthropic stream event."""
    payload = json.dumps({"bytes": base64.b64encode(json.dumps(event).encode()).decode()}).encode()
    return es_frame({":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}, payload)


def es_exception(exception_type: str, message: str, **extra: Any) -> bytes:
    """An ``exception`` message (``throttlingException``, ``modelStreamErrorException``...)."""
    headers = {":exception-type": exception_type, ":content-type": "application/json", ":message-type": "exception"}
    return es_frame(headers, json.dumps({"message": message, **extra}).encode())


def aws_error_headers(name: str) -> dict[str, str]:
    return {"x-amzn-ErrorType": f"{name}:{_CORAL}"}


def aws_auth_refusal(req: RecordedRequest, service: str, region: str | None) -> tuple[int, str, str] | None:
    """What AWS answers a request whose credentials it will not look at: (status, error type, message)."""
    auth = req.headers.get("authorization", "")
    if auth.startswith("Bearer ") and len(auth) > 7:
        return None
    if not auth:
        return 403, "MissingAuthenticationTokenException", "Missing Authentication Token"
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return (
            403,
            "IncompleteSignatureException",
            f"Authorization header requires 'Credential' parameter. ({auth[:20]})",
        )
    scope = _SCOPE.search(auth)
    if scope is None or "SignedHeaders=" not in auth or "Signature=" not in auth:
        return (
            403,
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.",
        )
    if not req.headers.get("x-amz-date"):
        return (
            403,
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    if scope.group(4) != service:
        return 403, "InvalidSignatureException", f"Credential should be scoped to correct service: '{service}'. "
    if region is not None and scope.group(3) != region:
        return (
            403,
            "InvalidSignatureException",
            (f"Credential should be scoped to a valid region, not '{scope.group(3)}'. "),
        )
    return None  # fmt: skip


def sigv4_signature_valid(req: RecordedRequest, secret: str) -> bool:
    """Recompute a received request's SigV4 signature as AWS would, given the secret key (needs botocore).

    The mock does not call this itself (it never knows the secret); tests use it to prove that what reached the
    wire is signed right, headers and path included, after the HTTP client had its say."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    auth = req.headers.get("authorization", "")
    scope, signed = _SCOPE.search(auth), _SIGNED.search(auth)
    if scope is None or signed is None:
        return False
    query = "&".join(f"{k}={v}" for k, v in req.query.items())
    url = f"http://{req.headers['host']}{req.path}" + (f"?{query}" if query else "")
    headers = {h: req.headers.get(h, "") for h in signed.group(1).split(";")}
    request = AWSRequest(method=req.method, url=url, headers=headers, data=req.body)
    request.context["timestamp"] = req.headers.get("x-amz-date", "")
    signer = SigV4Auth(Credentials(scope.group(1), secret), scope.group(4), scope.group(3))
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    return bool(expected == signed.group(2))


def _reframe(sse_events: list[bytes]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for raw in sse_events:
        fields = dict(line.split(": ", 1) for line in raw.decode().strip().split("\n"))
        out.append((fields["event"], json.loads(fields["data"])))
    return out


class OpenAIOnAWS(OpenAIMock):
    """OpenAI Chat Completions under ``/openai/v1`` of an AWS endpoint (the endpoint checks the credentials)."""

    base_path = ""
    path = "/openai/v1/chat/completions"
    request_id_header = "x-amzn-requestid"

    def auth_ok(self, req: RecordedRequest) -> bool:
        return True


class BedrockMock(AnthropicMock):
    request_id_header = "x-amzn-requestid"
    version_header = False
    service = "bedrock"
    region: str | None = "us-east-1"

    def __init__(self, entry: str, reply_text: str | None = None) -> None:
        super().__init__(entry, reply_text)
        self._openai = OpenAIOnAWS(entry, reply_text)

    def aws_refuse(self, status: int, name: str, message: str) -> Reply:
        return self.json_reply(status, {"message": message}, self.new_request_id(), aws_error_headers(name))

    def handle(self, req: RecordedRequest, fault: Fault) -> Reply:
        refused = aws_auth_refusal(req, self.service, self.region)  # AWS authenticates before it routes
        if refused is not None:
            return self.aws_refuse(*refused)
        if req.path.startswith("/openai/"):
            return self._openai.handle(req, fault)
        return super().handle(req, fault)

    def validate(self, req: RecordedRequest) -> Reply | None:
        if req.method != "POST" or _PATH.match(req.path) is None:
            return self.aws_refuse(404, "UnknownOperationException", f"Unknown operation: {req.method} {req.path}")
        body = req.json
        if not isinstance(body, dict):
            return self.aws_refuse(400, "ValidationException", "Malformed input request, please reformat your input.")
        for name in ("model", "stream"):
            if name in body:
                return self.malformed_input(f"extraneous key [{name}] is not permitted")
        for name in ("anthropic_version", "max_tokens", "messages"):
            if name not in body:
                return self.malformed_input(f"required key [{name}] not found")
        return None

    def malformed_input(self, problem: str) -> Reply:
        message = f"Malformed input request: #: {problem}, please reformat your input and try again."
        return self.aws_refuse(400, "ValidationException", message)

    def model(self, req: RecordedRequest) -> str:
        m = _PATH.match(req.path)
        return unquote(m.group(1)) if m else ""

    def wants_stream(self, req: RecordedRequest) -> bool:
        return req.path.endswith("/invoke-with-response-stream")

    def stream_headers(self) -> list[tuple[str, str]]:
        return [
            ("content-type", "application/vnd.amazon.eventstream"),
            ("x-amzn-bedrock-content-type", "application/json"),
        ]

    def stream_events(self, req: RecordedRequest, answer: Answer) -> list[bytes]:
        events = [(e, d) for e, d in _reframe(super().stream_events(req, answer)) if e != "ping"]
        usage = self.usage(req, answer)
        out = []
        metrics = {"inputTokenCount": usage["input_tokens"], "outputTokenCount": usage["output_tokens"],
                   "invocationLatency": 42, "firstByteLatency": 21}  # fmt: skip
        for event, data in events:
            extra = {"amazon-bedrock-invocationMetrics": metrics} if event == "message_stop" else {}
            out.append(es_chunk({**data, **extra}))
        return out

    def named_error(self, kind: str, req: RecordedRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
        status, name, message = _ERRORS[kind]
        return status, {"message": message}, aws_error_headers(name)

    def inband_error(self, error_type: str | None) -> bytes:
        """An exception frame. ``error_type`` is Bedrock's lower-camel name; an Anthropic error type (as a fault
        script written for every route may give) becomes the exception Bedrock sends for it."""
        etype = _FROM_ANTHROPIC.get(error_type or "", error_type or "serviceUnavailableException")
        if etype == "modelStreamErrorException":
            return es_exception(
                etype, "The model returned an error.", originalStatusCode=529, originalMessage="Overloaded"
            )
        return es_exception(etype, f"{etype[:1].upper()}{etype[1:]}: the stream was interrupted.")


_FROM_ANTHROPIC = {
    "overloaded_error": "serviceUnavailableException",
    "rate_limit_error": "throttlingException",
    "api_error": "internalServerException",
    "invalid_request_error": "validationException",
    "timeout_error": "modelTimeoutException",
}
