"""Claude on Microsoft Foundry as ``{resource}.services.ai.azure.com`` serves it: Anthropic Messages at
``/anthropic/v1/messages``; ``x-api-key`` / ``api-key`` or Bearer auth; Anthropic's bodies passed through, and
Azure's gateway answering for auth, unknown deployments and the content filter."""

from __future__ import annotations

from typing import Any

from .._faults import Fault
from ._base import RecordedRequest, Reply
from .anthropic import AnthropicMock
from .azure_openai import REGION, azure_error_body, filter_results

__all__ = ["AzureFoundryMock"]

_UNAUTHORIZED = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an "
    "active subscription and use a correct regional API endpoint for your resource."
)


class AzureFoundryMock(AnthropicMock):
    base_path = "/anthropic"
    path = "/anthropic/v1/messages"

    def json_reply(self, status: int, body: Any, rid: str, extra: dict[str, str] | None = None) -> Reply:
        reply = super().json_reply(status, body, rid, extra)
        reply.headers += [("apim-request-id", rid), ("x-ms-region", REGION)]
        return reply

    def validate(self, req: RecordedRequest) -> Reply | None:
        if req.method != "POST" or req.path != self.path:
            return self.json_reply(404, azure_error_body("404", "Resource not found"), self.new_request_id())
        h = req.headers
        if not (h.get("x-api-key") or h.get("api-key") or h.get("authorization", "").startswith("Bearer ")):
            return self.json_reply(401, azure_error_body("401", _UNAUTHORIZED), self.new_request_id())
        version = h.get("anthropic-version", "")
        if not version:
            return self.refuse(400, "invalid_request_error", "anthropic-version: header is required")
        return self.validate_body(req.json, version)

    def named_error(self, kind: str, req: RecordedRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
        if kind == "unauthorized":
            return 401, azure_error_body("401", _UNAUTHORIZED), {}
        if kind == "not_found":
            message = f"The API deployment {self.model(req)} for this resource does not exist."
            return 404, azure_error_body("DeploymentNotFound", message), {}
        return super().named_error(kind, req)

    def content_filtered(self, req: RecordedRequest, fault: Fault, rid: str) -> Reply:
        """The prompt: Azure's 400 ``content_filter``. The completion: Claude's own ``stop_reason: refusal``."""
        if fault.on == "prompt":
            err = {"message": "The response was filtered due to the prompt triggering Azure's content management "
                   "policy.", "type": None, "param": "prompt", "code": "content_filter", "status": 400,
                   "innererror": {"code": "ResponsibleAIPolicyViolation",
                                  "content_filter_result": filter_results("hate")}}  # fmt: skip
            return self.json_reply(400, {"error": err}, rid)
        answer = self.answer(req, Fault.ok(), rid, "I can't help with that.")
        if self.wants_stream(req):
            events = [e.replace(b'"stop_reason": "end_turn"', b'"stop_reason": "refusal"')
                      for e in self.stream_events(req, answer)]  # fmt: skip
            return Reply(200, [*self.stream_headers(), (self.request_id_header, rid)], events=events)
        body = self.success(req, answer)
        body["stop_reason"] = "refusal"
        return self.json_reply(200, body, rid)
