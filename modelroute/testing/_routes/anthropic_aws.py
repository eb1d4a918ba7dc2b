"""Claude Platform on AWS as ``aws-external-anthropic.{region}.api.aws`` serves it: the first-party Messages API
(``POST /v1/messages``, Anthropic error bodies, SSE) behind AWS auth — a Bearer API key, or SigV4 scoped to service
``aws-external-anthropic`` in the entry's region (other scopes get AWS's 403) — and the ``anthropic-workspace-id``
header, which ``anthropic.AnthropicAWS`` always sends (a request without it is refused)."""

from __future__ import annotations

from .._faults import Fault
from ._base import RecordedRequest, Reply
from .anthropic import AnthropicMock
from .bedrock import aws_auth_refusal, aws_error_headers

__all__ = ["AnthropicAWSMock"]


class AnthropicAWSMock(AnthropicMock):
    region: str | None = "us-east-1"

    def handle(self, req: RecordedRequest, fault: Fault) -> Reply:
        refused = aws_auth_refusal(req, "aws-external-anthropic", self.region)
        if refused is not None:
            status, name, message = refused
            return self.json_reply(status, {"message": message}, self.new_request_id(), aws_error_headers(name))
        return super().handle(req, fault)

    def validate(self, req: RecordedRequest) -> Reply | None:
        if req.method != "POST" or req.path != self.path:
            return self.refuse(404, "not_found_error", f"Not found: {req.method} {req.path}")
        if not req.headers.get("anthropic-workspace-id"):
            return self.refuse(400, "invalid_request_error", "anthropic-workspace-id: header is required")
        version = req.headers.get("anthropic-version", "")
        if not version:
            return self.refuse(400, "invalid_request_error", "anthropic-version: header is required")
        return self.validate_body(req.json, version)
