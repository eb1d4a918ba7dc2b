"""OpenAI Chat Completions as api.openai.com serves it: ``POST /v1/chat/completions``, JSON or ``data:`` SSE."""

from __future__ import annotations

import json
from typing import Any

from ._base import Answer, MockRoute, RecordedRequest, Reply, chunk_text, count_words

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

    def output_schema(self, req: RecordedRequest) -> Any:
        fmt = req.json.get("response_format") if isinstance(req.json, dict) else None
        spec = fmt.get("json_schema") if isinstance(fmt, dict) and fmt.get("type") == "json_schema" else None
        return spec.get("schema") if isinstance(spec, dict) else None

    def usage(self, req: RecordedRequest, answer: Answer) -> dict[str, Any]:
        """OpenAI's counts: ``prompt_tokens`` includes the cached part; reasoning is part of the completion."""
        reasoning = answer.count("reasoning_tokens", len((answer.thinking or "").split()))
        prompt = answer.count("input_tokens", count_words(req.json.get("messages")) + 3)
        completion = answer.count("output_tokens", len(answer.said.split()) + reasoning)
        details: dict[str, int] = {"cached_tokens": answer.count("cache_read_tokens", 0), "audio_tokens": 0}
        if answer.usage.get("cache_write_tokens") is not None:
            details["cache_write_tokens"] = answer.count("cache_write_tokens", 0)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": details,
            "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0},
        }

    def calls(self, answer: Answer) -> list[dict[str, Any]]:
        return [
            {"id": answer.call_id("call", n), "type": "function",
             "function": {"name": c["name"], "arguments": json.dumps(c.get("arguments", {}))}}
            for n, c in enumerate(answer.tool_calls)
        ]  # fmt: skip

    def success(self, req: RecordedRequest, answer: Answer) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": answer.text, "refusal": None}
        finish = "stop"
        if answer.tool_calls:
            message["content"] = None
            message["tool_calls"] = self.calls(answer)
            finish = "tool_calls"
        return {
            "id": f"chatcmpl-{answer.rid[4:]}",
            "object": "chat.completion",
            "created": _CREATED,
            "model": self.model(req),
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
            "usage": self.usage(req, answer),
        }

    def stream_events(self, req: RecordedRequest, answer: Answer) -> list[bytes]:
        head = {
            "id": f"chatcmpl-{answer.rid[4:]}",
            "object": "chat.completion.chunk",
            "created": _CREATED,
            "model": self.model(req),
        }

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            return sse({**head, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]})

        out = [chunk({"role": "assistant", "content": "", "refusal": None})]
        if answer.tool_calls:
            for n, call in enumerate(self.calls(answer)):
                args = call["function"]["arguments"]
                first = {"index": n, "id": call["id"], "type": "function",
                         "function": {"name": call["function"]["name"], "arguments": ""}}  # fmt: skip
                out.append(chunk({"tool_calls": [first]}))
                third = max(1, -(-len(args) // 3))
                for i in range(0, len(args), third):
                    out.append(chunk({"tool_calls": [{"index": n, "function": {"arguments": args[i : i + third]}}]}))
            finish = "tool_calls"
        else:
            out += [chunk({"content": piece}) for piece in chunk_text(answer.text)]
            finish = "stop"
        out.append(chunk({}, finish))
        options = req.json.get("stream_options") or {}
        if options.get("include_usage"):
            out.append(sse({**head, "choices": [], "usage": self.usage(req, answer)}))
        out.append(sse("[DONE]"))
        return out

    def named_error(self, kind: str, req: RecordedRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
        status, etype, code, param, message = _ERRORS[kind]
        return status, error_body(etype, message, code, param), {}

    def inband_error(self, error_type: str | None) -> bytes:
        return sse(error_body(error_type or "server_error", "The server had an error while processing your request."))
