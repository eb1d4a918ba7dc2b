"""OpenAI Chat Completions as api.openai.com serves it: ``POST /v1/chat/completions``, JSON or ``data:`` SSE."""

from __future__ import annotations

import json
from typing import Any

from ._base import MockRoute, RecordedRequest, Reply, chunk_text, count_words

__all__ = ["OpenAIMock"]

_CREATED = 1_767_225_600

_ERRORS: dict[str, tuple[int, str, str | None, str | None, str]] = {
    # kind: (status, type, code, param, message)
    "rate_limited": (429, "requests", "rate_limit_exceeded", None,
                     "Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1."),
    "overloaded": (503, "server_error", None, None, "The engine is currently overloaded, please try again later."),
    "server_error": (500, "server_error", None, None, "The server had an error while processing your request."),
    "unavailable": (503, "server_error", None, None, "Service Unavailable."),
    "context_length": (400, "invalid_request_error", "context_length_exceeded", "messages",
                       "This model's maximum context length is 128000 tokens. However, your messages resulted in "
                       "250000 tokens. Please reduce the length of the messages."),
    "unauthorized": (401, "invalid_request_error", "invalid_api_key", None, "Incorrect API key provided."),
    "quota_exhausted": (429, "insufficient_quota", "insufficient_quota", None,
                        "You exceeded your current quota, please check your plan and billing details."),
    "not_found": (404, "invalid_request_error", "model_not_found", None,
                  "The model does not exist or you do not have access to it."),
}  # fmt: skip


def error_body(etype: str, message: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": etype, "param": param, "code": code}}


def sse(data: dict[str, Any] | str) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data)
    return f"data: {payload}\n\n".encode()


class OpenAIMock(MockRoute):
    base_path = "/v1"
    path = "/v1/chat/completions"

    def refuse(self, status: int, message: str, etype: str = "invalid_request_error", **kw: str | None) -> Reply:
        rid = self.new_request_id()
        return self.json_reply(status, error_body(etype, message, kw.get("code"), kw.get("param")), rid)

    def auth_ok(self, req: RecordedRequest) -> bool:
        return req.headers.get("authorization", "").startswith("Bearer ")

    def validate(self, req: RecordedRequest) -> Reply | None:
        if req.method != "POST" or req.path != self.path:
            return self.refuse(404, f"Invalid URL ({req.method} {req.path})")
        if not self.auth_ok(req):
            return self.refuse(401, "You didn't provide an API key.", code="invalid_api_key")
        body = req.json
        if not isinstance(body, dict):
            return self.refuse(400, "We could not parse the JSON body of your request.")
        for name in ("model", "messages"):
            if name not in body:
                return self.refuse(
                    400, f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter"
                )
        return None

    def model(self, req: RecordedRequest) -> str:
        return str(req.json.get("model", ""))

    def usage(self, req: RecordedRequest, said: str) -> dict[str, Any]:
        prompt = count_words(req.json.get("messages")) + 3
        completion = len(said.split())
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        }

    def success(self, req: RecordedRequest, text: str, tool_call: dict[str, Any] | None, rid: str) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
        finish, said = "stop", text
        if tool_call:
            args = json.dumps(tool_call.get("arguments", {}))
            message["content"] = None
            message["tool_calls"] = [
                {"id": "call_mock01", "type": "function", "function": {"name": tool_call["name"], "arguments": args}}
            ]
            finish, said = "tool_calls", args
        return {
            "id": f"chatcmpl-{rid[4:]}",
            "object": "chat.completion",
            "created": _CREATED,
            "model": self.model(req),
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
            "usage": self.usage(req, said),
        }

    def stream_events(self, req: RecordedRequest, text: str, tool_call: dict[str, Any] | None, rid: str) -> list[bytes]:
        head = {
            "id": f"chatcmpl-{rid[4:]}",
            "object": "chat.completion.chunk",
            "created": _CREATED,
            "model": self.model(req),
        }

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            return sse({**head, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]})

        out = [chunk({"role": "assistant", "content": "", "refusal": None})]
        if tool_call:
            said = json.dumps(tool_call.get("arguments", {}))
            first = {
                "index": 0,
                "id": "call_mock01",
                "type": "function",
                "function": {"name": tool_call["name"], "arguments": ""},
            }
            out.append(chunk({"tool_calls": [first]}))
            third = max(1, -(-len(said) // 3))
            for i in range(0, len(said), third):
                out.append(chunk({"tool_calls": [{"index": 0, "function": {"arguments": said[i : i + third]}}]}))
            finish = "tool_calls"
        else:
            said = text
            out += [chunk({"content": piece}) for piece in chunk_text(text)]
            finish = "stop"
        out.append(chunk({}, finish))
        options = req.json.get("stream_options") or {}
        if options.get("include_usage"):
            out.append(sse({**head, "choices": [], "usage": self.usage(req, said)}))
        out.append(sse("[DONE]"))
        return out

    def named_error(self, kind: str, req: RecordedRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
        status, etype, code, param, message = _ERRORS[kind]
        return status, error_body(etype, message, code, param), {}

    def inband_error(self, error_type: str | None) -> bytes:
        return sse(error_body(error_type or "server_error", "The server had an error while processing your request."))
