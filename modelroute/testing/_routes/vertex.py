"""Claude on Vertex AI as ``{region}-aiplatform.googleapis.com`` serves it:
``POST /v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:rawPredict`` (JSON) or
``:streamRawPredict`` (SSE); ``anthropic_version`` in the body and no ``model``; a Bearer access token; Google's
``{"error": {"code", "message", "status"}}`` bodies for auth, quota, routing and availability, and Anthropic's
own bodies passed through for what the model says (overloaded, prompt too long)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from ._base import RecordedRequest, Reply
from .anthropic import AnthropicMock

__all__ = ["VertexMock", "google_error"]

_PATH = re.compile(r"^/v1/projects/([^/]+)/locations/([^/]+)/publishers/anthropic/models/([^/:]+):(\w+)$")

_ERRORS: dict[str, tuple[int, str, str]] = {
    "rate_limited": (429, "RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com/"
                     "online_prediction_input_tokens_per_minute_per_base_model with base model: "
                     "anthropic-claude-sonnet. Please submit a quota increase request. "
                     "https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai."),
    "server_error": (500, "INTERNAL", "Internal error encountered."),
    "unavailable": (503, "UNAVAILABLE", "The service is currently unavailable."),
    "unauthorized": (401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 "
                     "access token, login cookie or other valid authentication credential. See "
                     "https://developers.google.com/identity/sign-in/web/devconsole-project."),
    "quota_exhausted": (400, "FAILED_PRECONDITION", "Billing account for project '000000000000' is not found. "
                        "Billing must be enabled for activation of service(s) 'aiplatform.googleapis.com' to "
                        "proceed."),
}  # fmt: skip


def google_error(status: int, gstatus: str, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "status": gstatus}}


class VertexMock(AnthropicMock):
    base_path = "/v1"
    request_id_header = "x-request-id"
    version_header = False

    def google_refuse(self, status: int, gstatus: str, message: str) -> Reply:
        return self.json_reply(status, google_error(status, gstatus, message), self.new_request_id())

    def validate(self, req: RecordedRequest) -> Reply | None:
        m = _PATH.match(req.path)
        if req.method != "POST" or m is None or m.group(4) not in ("rawPredict", "streamRawPredict"):
            return self.google_refuse(404, "NOT_FOUND", f"The requested URL {req.path} was not found on this server.")
        if not req.headers.get("authorization", "").startswith("Bearer "):
            return self.google_refuse(401, "UNAUTHENTICATED", _ERRORS["unauthorized"][2])
        body = req.json
        if not isinstance(body, dict):
            return self.refuse(400, "invalid_request_error", "the request body is not a JSON object")
        if "model" in body:
            return self.refuse(400, "invalid_request_error", "model: Extra inputs are not permitted")
        for name in ("anthropic_version", "max_tokens", "messages"):
            if name not in body:
                return self.refuse(400, "invalid_request_error", f"{name}: Field required")
        return None

    def wants_stream(self, req: RecordedRequest) -> bool:
        m = _PATH.match(req.path)
        return m is not None and m.group(4) == "streamRawPredict"

    def model(self, req: RecordedRequest) -> str:
        m = _PATH.match(req.path)
        return unquote(m.group(3)) if m else ""

    def named_error(self, kind: str, req: RecordedRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
        if kind == "not_found":
            m = _PATH.match(req.path)
            project, region = (m.group(1), m.group(2)) if m else ("", "")
            name = f"projects/{project}/locations/{region}/publishers/anthropic/models/{self.model(req)}"
            return 404, google_error(404, "NOT_FOUND", f"Publisher Model `{name}` not found."), {}
        if kind in _ERRORS:
            status, gstatus, message = _ERRORS[kind]
            return status, google_error(status, gstatus, message), {}
        return super().named_error(kind, req)  # overloaded, context_length: the model's own words, passed through
