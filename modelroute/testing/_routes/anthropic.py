"""Anthropic Messages as api.anthropic.com serves it: ``POST /v1/messages``, JSON or SSE with ``event:`` lines."""

from __future__ import annotations

import json
from typing import Any

from ._base import Answer, MockRoute, RecordedRequest, Reply, chunk_text, count_words

__all__ = ["AnthropicMock", "anthropic_sse"]

# At and after this version the API refuses sampling parameters.
NO_SAMPLING_FROM = "2026-10-21"

_ERRORS: dict[str, tuple[int, str, str]] = {
    "rate_limited": (429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
    "overloaded": (529, "overloaded_error", "Overloaded"),
    "server_error": (500, "api_error", "Internal server error"),
    "unavailable": (503, "api_error", "Service unavailable"),
    "context_length": (400, "invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum"),
    "unauthorized": (401, "authentication_error", "invalid x-api-key"),
    # The spend-limit 429 the SDK models as EnforcedSpendLimitReachedError.
    "quota_exhausted": (429, "rate_limit_error", "You have reached your specified API usage limits"),
    "not_found": (404, "not_found_error", "model: not found"),
}


def anthropic_sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def error_body(etype: str, message: str, rid: str, code: str | None = None) -> dict[str, Any]:
    err: dict[str, Any] = {"type": etype, "message": message}
    if code:
        err["details"] = {"error_code": code}
    return {"type": "error", "error": err, "request_id": rid}


class AnthropicMock(MockRoute):
    request_id_header = "request-id"
    path = "/v1/messages"
    #: whether the route wants the ``anthropic-version`` header (Bedrock and Vertex carry it in the body)
    version_header = True

    def refuse(self, status: int, etype: str, message: str) -> Reply:
        rid = self.new_request_id()
        return self.json_reply(status, error_body(etype, message, rid), rid)

    def validate(self, req: RecordedRequest) -> Reply | None:
        if req.method != "POST" or req.path != self.path:
            return self.refuse(404, "not_found_error", f"Not found: {req.method} {req.path}")
        h = req.headers
        if not h.get("x-api-key") and not h.get("authorization", "").startswith("Bearer "):
            return self.refuse(401, "authentication_error", "x-api-key header is required")
        version = h.get("anthropic-version", "")
        if self.version_header and not version:
            return self.refuse(400, "invalid_request_error", "anthropic-version: header is required")
        return self.validate_body(req.json, version)

    def validate_body(self, body: Any, version: str) -> Reply | None:
        if not isinstance(body, dict):
            return self.refuse(400, "invalid_request_error", "the request body is not a JSON object")
        for name in ("model", "max_tokens", "messages"):
            if name not in body:
                return self.refuse(400, "invalid_request_error", f"{name}: Field required")
        if version >= NO_SAMPLING_FROM:
            for name in ("temperature", "top_p", "top_k"):
                if name in body:
                    return self.refuse(400, "invalid_request_error", f"{name}: Extra inputs are not permitted")
        return None

    def model(self, req: RecordedRequest) -> str:
        return str(req.json.get("model", ""))

    def answer_text(self, req: RecordedRequest, text: str) -> str:
        """A trailing assistant turn is a prefill: the answer continues it, as a model that had been writing
        ``text`` would (the rest of ``text`` after the prefill; all of it when ``text`` does not start so)."""
        messages = req.json.get("messages") if isinstance(req.json, dict) else None
        last = messages[-1] if isinstance(messages, list) and messages else None
        if not isinstance(last, dict) or last.get("role") != "assistant":
            return text
        content = last.get("content")
        if isinstance(content, list):
            texts = (b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")
            content = "".join(str(t) for t in texts)
        if isinstance(content, str) and content and text.startswith(content):
            return text[len(content) :]
        return text

    def output_schema(self, req: RecordedRequest) -> Any:
        fmt = (req.json.get("output_config") or {}).get("format") if isinstance(req.json, dict) else None
        return fmt.get("schema") if isinstance(fmt, dict) and fmt.get("type") == "json_schema" else None

    def usage(self, req: RecordedRequest, answer: Answer) -> dict[str, Any]:
        """Claude's counts: ``input_tokens`` excludes the cached part (reads and writes count apart)."""
        prompt = count_words(req.json.get("messages")) + count_words(req.json.get("system")) + 3
        total = answer.count("input_tokens", prompt)
        read, write = answer.count("cache_read_tokens", 0), answer.count("cache_write_tokens", 0)
        thinking = len((answer.thinking or "").split())
        out: dict[str, Any] = {
            "input_tokens": max(total - read - write, 0),
            "output_tokens": answer.count("output_tokens", len(answer.said.split()) + thinking),
            "cache_creation_input_tokens": write,
            "cache_read_input_tokens": read,
        }
        reasoning = answer.count("reasoning_tokens", thinking)
        if reasoning:
            out["output_tokens_details"] = {"thinking_tokens": reasoning}
        return out

    def blocks(self, answer: Answer) -> tuple[list[dict[str, Any]], str]:
        """The answer's content blocks (thinking first, then text or the tool calls) and its stop reason."""
        out: list[dict[str, Any]] = []
        if answer.thinking:
            out.append({"type": "thinking", "thinking": answer.thinking, "signature": f"sig-{answer.rid}"})
        if answer.tool_calls:
            for n, call in enumerate(answer.tool_calls):
                block = {"type": "tool_use", "id": answer.call_id("toolu", n), "name": call["name"],
                         "input": call.get("arguments", {})}  # fmt: skip
                out.append(block)
            return out, "tool_use"
        out.append({"type": "text", "text": answer.text})
        return out, "end_turn"

    def success(self, req: RecordedRequest, answer: Answer) -> dict[str, Any]:
        content, stop = self.blocks(answer)
        return {
            "id": f"msg_{answer.rid[4:]}",
            "type": "message",
            "role": "assistant",
            "model": self.model(req),
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": self.usage(req, answer),
        }

    def stream_events(self, req: RecordedRequest, answer: Answer) -> list[bytes]:
        usage = self.usage(req, answer)
        start = {k: v for k, v in usage.items() if k != "output_tokens_details"} | {"output_tokens": 1}
        message: dict[str, Any] = {
            "id": f"msg_{answer.rid[4:]}", "type": "message", "role": "assistant", "model": self.model(req),
            "content": [], "stop_reason": None, "stop_sequence": None, "usage": start,
        }  # fmt: skip
        out = [anthropic_sse("message_start", {"type": "message_start", "message": message})]
        blocks, stop = self.blocks(answer)
        for index, block in enumerate(blocks):
            kind = block["type"]
            opening: dict[str, Any]
            if kind == "thinking":
                opening = {"type": "thinking", "thinking": "", "signature": ""}
                deltas = [{"type": "thinking_delta", "thinking": p} for p in chunk_text(block["thinking"])]
                deltas.append({"type": "signature_delta", "signature": block["signature"]})
            elif kind == "tool_use":
                opening = {**block, "input": {}}
                deltas = [{"type": "input_json_delta", "partial_json": p} for p in _split(json.dumps(block["input"]))]
            else:
                opening = {"type": "text", "text": ""}
                deltas = [{"type": "text_delta", "text": p} for p in chunk_text(block["text"])]
            out.append(anthropic_sse("content_block_start", {"type": "content_block_start", "index": index,
                                                             "content_block": opening}))  # fmt: skip
            if index == 0:
                out.append(anthropic_sse("ping", {"type": "ping"}))
            out += [
                anthropic_sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
                for d in deltas
            ]
            out.append(anthropic_sse("content_block_stop", {"type": "content_block_stop", "index": index}))
        final: dict[str, Any] = {"output_tokens": usage["output_tokens"]}
        if "output_tokens_details" in usage:
            final["output_tokens_details"] = usage["output_tokens_details"]
        delta = {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None}, "usage": final}
        out.append(anthropic_sse("message_delta", delta))
        out.append(anthropic_sse("message_stop", {"type": "message_stop"}))
        return out

    def named_error(self, kind: str, req: RecordedRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
        status, etype, message = _ERRORS[kind]
        if kind == "not_found":
            message = f"model: {self.model(req)}"
        code = "enforced_spend_limit_reached" if kind == "quota_exhausted" else None
        return status, error_body(etype, message, self.new_request_id(), code), {}

    def inband_error(self, error_type: str | None) -> bytes:
        etype = error_type or "overloaded_error"
        data = {"type": "error", "error": {"type": etype, "message": "Overloaded"}, "request_id": self.new_request_id()}
        return anthropic_sse("error", data)


def _split(s: str, parts: int = 3) -> list[str]:
    size = max(1, -(-len(s) // parts))
    return [s[i : i + size] for i in range(0, len(s), size)]
