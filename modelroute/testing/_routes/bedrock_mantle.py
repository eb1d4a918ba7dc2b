"""Bedrock Mantle as AWS serves it at ``bedrock-mantle.{region}.api.aws``: Anthropic Messages at
``/anthropic/v1/messages`` and OpenAI Chat Completions at ``/openai/v1/chat/completions`` on one endpoint, both
streaming SSE. Auth is a Bedrock API key (Bearer) or SigV4 scoped to service ``bedrock-mantle`` in the entry's
region; other scopes get AWS's 403. Error bodies are each dialect's own, with AWS's request id header.
"""

from __future__ import annotations

from .._faults import Fault
from ._base import RecordedRequest, Reply
from .anthropic import AnthropicMock
from .bedrock import OpenAIOnAWS, aws_auth_refusal, aws_error_headers

__all__ = ["BedrockMantleMock"]

_SERVICE = "bedrock-mantle"


class BedrockMantleMock(AnthropicMock):
    request_id_header = "x-amzn-requestid"
    path = "/anthropic/v1/messages"
    region: str | None = "us-east-1"

    def __init__(self, entry: str, reply_text: str | None = None) -> None:
        super().__init__(entry, reply_text)
        self._openai = OpenAIOnAWS(entry, reply_text)

    def handle(self, req: RecordedRequest, fault: Fault) -> Reply:
        refused = aws_auth_refusal(req, _SERVICE, self.region)
        if refused is not None:
            status, name, message = refused
            return self.json_reply(status, {"message": message}, self.new_request_id(), aws_error_headers(name))
        if req.path.startswith("/openai/"):
            return self._openai.handle(req, fault)
        return super().handle(req, fault)

    def validate(self, req: RecordedRequest) -> Reply | None:
        if req.method != "POST" or req.path != self.path:
            return self.refuse(404, "not_found_error", f"Not found: {req.method} {req.path}")
        if not req.headers.get("anthropic-version"):
            return self.refuse(400, "invalid_request_error", "anthropic-version: header is required")
        return self.validate_body(req.json, req.headers["anthropic-version"])
