"""Azure OpenAI as ``{resource}.openai.azure.com`` serves it: Chat Completions under
``/openai/deployments/{deployment}/chat/completions?api-version=...`` (a missing api-version is a 404, as on
Azure) or ``/openai/v1/chat/completions``; ``api-key`` or Bearer auth; Azure's error bodies, content filter
annotations and ``apim-request-id`` / ``x-ms-region`` headers."""

from __future__ import annotations

import json
import re
from typing import Any

from .._faults import Fault
from ._base import Answer, RecordedRequest, Reply
from .openai import OpenAIMock, sse

__all__ = ["AzureOpenAIMock", "azure_error_body", "filter_results"]

_DEPLOYMENT_PATH = re.compile(r"^/openai/deployments/([^/]+)/chat/completions$")
_V1_PATH = "/openai/v1/chat/completions"
REGION = "swedencentral"

_ERRORS: dict[str, tuple[int, str, str]] = {
    # kind: (status, code, message)
    "rate_limited": (429, "429", "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version "
                     "2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. "
                     "Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the "
                     "default rate limit."),
    "overloaded": (503, "ServiceUnavailable", "The service is temporarily unable to process your request. "
                   "Please try again later."),
    "server_error": (500, "InternalServerError", "The server had an error while processing your request. "
                     "Sorry about that!"),
    "unavailable": (503, "ServiceUnavailable", "The service is temporarily unable to process your request."),
    "unauthorized": (401, "401", "Access denied due to invalid subscription key or wrong API endpoint. Make sure "
                     "to provide a valid key for an active subscription and use a correct regional API endpoint "
                     "for your resource."),
    "quota_exhausted": (403, "403", "Out of call volume quota for OpenAI API. Quota will be replenished in "
                        "2.12:44:27."),
    "not_found": (404, "DeploymentNotFound", "The API deployment for this resource does not exist. If you created "
                  "the deployment within the last 5 minutes, please wait a moment and try again."),
}  # fmt: skip

_PROMPT_FILTERED = (
    "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please "
    "modify your prompt and retry. To learn more about our content filtering policies please read our "
    "documentation: https://go.microsoft.com/fwlink/?linkid=2198766"
)


def filter_results(hit: str | None = None) -> dict[str, Any]:
    """Azure's per-category verdicts; ``hit`` names the category filtered at severity high."""
    out: dict[str, Any] = {
        c: {"filtered": False, "severity": "safe"} for c in ("hate", "self_harm", "sexual", "violence")
    }
    if hit:
        out[hit] = {"filtered": True, "severity": "high"}
    return out


def azure_error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class AzureOpenAIMock(OpenAIMock):
    base_path = ""
    request_id_header = "apim-request-id"

    def json_reply(self, status: int, body: Any, rid: str, extra: dict[str, str] | None = None) -> Reply:
        reply = super().json_reply(status, body, rid, extra)
        reply.headers += [("x-request-id", rid), ("x-ms-region", REGION)]
        return reply

    def stream_headers(self) -> list[tuple[str, str]]:
        return [*super().stream_headers(), ("x-ms-region", REGION)]

    def azure_refuse(self, status: int, code: str, message: str) -> Reply:
        return self.json_reply(status, azure_error_body(code, message), self.new_request_id())

    def validate(self, req: RecordedRequest) -> Reply | None:
        m = _DEPLOYMENT_PATH.match(req.path)
        if req.method != "POST" or (m is None and req.path != _V1_PATH):
            return self.azure_refuse(404, "404", "Resource not found")
        if m is not None and not req.query.get("api-version"):
            return self.azure_refuse(404, "404", "Resource not found")  # what Azure answers, not a 400
        h = req.headers
        if not h.get("api-key") and not h.get("authorization", "").startswith("Bearer "):
            return self.azure_refuse(401, "401", _ERRORS["unauthorized"][2])
        if not isinstance(req.json, dict) or "messages" not in req.json:
            return self.refuse(400, "'messages' is a required property", param="messages")
        return None

    def model(self, req: RecordedRequest) -> str:
        m = _DEPLOYMENT_PATH.match(req.path)
        return m.group(1) if m else str(req.json.get("model", ""))

    def success(self, req: RecordedRequest, answer: Answer) -> dict[str, Any]:
        body = super().success(req, answer)
        body["prompt_filter_results"] = [{"prompt_index": 0, "content_filter_results": filter_results()}]
        body["choices"][0]["content_filter_results"] = filter_results()
        return body

    def stream_events(self, req: RecordedRequest, answer: Answer) -> list[bytes]:
        verdicts = [{"prompt_index": 0, "content_filter_results": filter_results()}]
        first = {"id": "", "object": "", "created": 0, "model": "", "choices": [], "prompt_filter_results": verdicts}
        return [sse(first), *super().stream_events(req, answer)]

    def named_error(self, kind: str, req: RecordedRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
        if kind == "context_length":  # Azure passes OpenAI's own body through
            return super().named_error(kind, req)
        status, code, message = _ERRORS[kind]
        extra = {"x-ratelimit-remaining-requests": "0", "x-ratelimit-remaining-tokens": "0"} if status == 429 else {}
        return status, azure_error_body(code, message), extra

    def content_filtered(self, req: RecordedRequest, fault: Fault, rid: str) -> Reply:
        if fault.on == "prompt":
            err = {"message": _PROMPT_FILTERED, "type": None, "param": "prompt", "code": "content_filter",
                   "status": 400, "innererror": {"code": "ResponsibleAIPolicyViolation",
                                                 "content_filter_result": filter_results("violence")}}  # fmt: skip
            return self.json_reply(400, {"error": err}, rid)
        answer = self.answer(req, Fault.ok(), rid, "I can tell you that")
        if not self.wants_stream(req):
            body = self.success(req, answer)
            body["choices"][0]["finish_reason"] = "content_filter"
            body["choices"][0]["content_filter_results"] = filter_results("violence")
            reply = self.json_reply(200, {}, rid)
            reply.body = json.dumps(body).encode()
            return reply
        events = self.stream_events(req, answer)
        at = next(i for i, e in enumerate(events) if b'"finish_reason": "stop"' in e)
        chunk = json.loads(events[at][len(b"data: ") :])
        chunk["choices"][0]["finish_reason"] = "content_filter"
        chunk["choices"][0]["content_filter_results"] = filter_results("violence")
        events[at] = sse(chunk)
        return Reply(200, [*self.stream_headers(), (self.request_id_header, rid)], events=events)
