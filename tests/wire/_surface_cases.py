"""The request surface's parity cases (issue 10, point 1): (name, our call's arguments, what a careful user of the
official SDK passes for the same intent). ``ANTHROPIC`` join `test_parity_anthropic.REQUESTS` and ``OPENAI``
`test_parity_openai.REQUESTS`, so every route's parity test (direct, Foundry, Vertex, Bedrock InvokeModel and
Mantle, Claude Platform on AWS; OpenAI, Azure OpenAI dated and v1, Bedrock's OpenAI models on Runtime and Mantle)
holds our body to the SDK's for each feature."""

from __future__ import annotations

import base64
from typing import Any

PNG = "iVBORw0KGgo="
PDF = base64.b64encode(b"%PDF-1.7\n1 0 obj\n").decode()
SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
    "additionalProperties": False,
}
HI = [{"role": "user", "content": "Hi"}]
TOOL = {"name": "weather", "description": "Get weather", "input_schema": SCHEMA}
EPHEMERAL = {"type": "ephemeral"}

Case = tuple[str, dict[str, Any], dict[str, Any]]

# Claude turns as the anthropic SDK returns them in an agent loop: thinking (signed), a redacted block, a call.
_THOUGHT = {"type": "thinking", "thinking": "The user wants Paris.", "signature": "EqQBCkYIBxgCKkD"}
_REDACTED = {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"}
_CALL = {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Paris"}}

ANTHROPIC: list[Case] = [
    (
        "system blocks with cache breakpoints",
        {"messages": HI, "max_tokens": 9, "system": [{"type": "text", "text": "Rules."},
                                                     {"type": "text", "text": "Long doc.", "cache": "1h"}]},
        {"max_tokens": 9, "messages": HI, "system": [{"type": "text", "text": "Rules."}, {"type": "text",
         "text": "Long doc.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]},
    ),
    (
        "cache breakpoints on tools and message blocks",
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "Context", "cache_control": EPHEMERAL},
                                                   {"type": "text", "text": "Question"}]}],
         "max_tokens": 9, "tools": [{**TOOL, "cache_control": EPHEMERAL}]},
        {"max_tokens": 9, "messages": [{"role": "user", "content": [
            {"type": "text", "text": "Context", "cache_control": EPHEMERAL}, {"type": "text", "text": "Question"}]}],
         "tools": [{**TOOL, "cache_control": EPHEMERAL}]},
    ),
    (
        "strict tools and no parallel calls",
        {"messages": HI, "max_tokens": 9, "tools": [{**TOOL, "strict": True}], "parallel_tool_calls": False},
        {"max_tokens": 9, "messages": HI, "tools": [{**TOOL, "strict": True}],
         "tool_choice": {"type": "auto", "disable_parallel_tool_use": True}},
    ),
    (
        "a named tool, one call",
        {"messages": HI, "max_tokens": 9, "tools": [TOOL],
         "tool_choice": {"type": "function", "function": {"name": "weather"}}, "parallel_tool_calls": False},
        {"max_tokens": 9, "messages": HI, "tools": [TOOL],
         "tool_choice": {"type": "tool", "name": "weather", "disable_parallel_tool_use": True}},
    ),
    (
        "documents by base64 and URL",
        {"messages": [{"role": "user", "content": [
            {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
             "title": "Q3", "context": "finance", "cache_control": EPHEMERAL},
            {"type": "file", "file": {"file_data": f"data:application/pdf;base64,{PDF}", "filename": "b.pdf"}},
            {"type": "document", "url": "https://example.com/r.pdf"},
            {"type": "text", "text": "Summarise"}]}], "max_tokens": 9},
        {"max_tokens": 9, "messages": [{"role": "user", "content": [
            {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
             "title": "Q3", "context": "finance", "cache_control": EPHEMERAL},
            {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": PDF}},
            {"type": "document", "source": {"type": "url", "url": "https://example.com/r.pdf"}},
            {"type": "text", "text": "Summarise"}]}]},
    ),
    (
        "reasoning effort as a thinking budget",
        {"messages": HI, "reasoning": "high"},
        {"max_tokens": 4096 + 16384, "messages": HI, "thinking": {"type": "enabled", "budget_tokens": 16384}},
    ),
    (
        "reasoning within max_tokens",
        {"messages": HI, "reasoning": "xhigh", "max_tokens": 8000},
        {"max_tokens": 8000, "messages": HI, "thinking": {"type": "enabled", "budget_tokens": 7999}},
    ),
    (
        "adaptive thinking with an effort",
        {"messages": HI, "max_tokens": 9, "reasoning": "minimal", "anthropic": {"thinking": "adaptive"}},
        {"max_tokens": 9, "messages": HI, "thinking": {"type": "adaptive"}, "output_config": {"effort": "low"}},
    ),
    (
        "reasoning off",
        {"messages": HI, "max_tokens": 9, "reasoning": "none"},
        {"max_tokens": 9, "messages": HI, "thinking": {"type": "disabled"}},
    ),
    (
        "thinking blocks in history are sent back, signed",
        {"messages": [*HI, {"role": "assistant", "content": [_THOUGHT, _REDACTED, _CALL]},
                      {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sun"}]}],
         "max_tokens": 4000, "reasoning": "low", "tools": [TOOL]},
        {"max_tokens": 4000, "thinking": {"type": "enabled", "budget_tokens": 3999}, "tools": [TOOL],
         "messages": [*HI, {"role": "assistant", "content": [_THOUGHT, _REDACTED, _CALL]},
                      {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sun"}]}]},
    ),
    (
        "an OpenAI tool turn under reasoning: thinking off for it, names and unsigned reasoning left out",
        {"messages": [{"role": "user", "name": "ada", "content": "Weather?"},
                      {"role": "assistant", "content": [{"type": "thinking", "text": "gpt-oss reasoning"}],
                       "tool_calls": [{"id": "c1", "type": "function",
                                       "function": {"name": "weather", "arguments": '{"city":"Rome"}'}}]},
                      {"role": "tool", "tool_call_id": "c1", "content": "rain"}],
         "max_tokens": 9, "reasoning": "medium", "tools": [TOOL], "prompt_cache_key": "k", "metadata": {"a": "b"}},
        {"max_tokens": 9, "tools": [TOOL], "messages": [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "c1", "name": "weather",
                                               "input": {"city": "Rome"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "c1", "content": "rain"}]}]},
    ),
    (
        "tool results with images, errors and a cache breakpoint",
        {"messages": [*HI, {"role": "assistant", "content": [_CALL]},
                      {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "is_error": True,
                       "cache_control": EPHEMERAL, "content": [{"type": "text", "text": "radar"}, {"type": "image",
                       "source": {"type": "base64", "media_type": "image/png", "data": PNG}}]}]}],
         "max_tokens": 9, "tools": [TOOL]},
        {"max_tokens": 9, "tools": [TOOL], "messages": [*HI, {"role": "assistant", "content": [_CALL]},
                      {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "is_error": True,
                       "cache_control": EPHEMERAL, "content": [{"type": "text", "text": "radar"}, {"type": "image",
                       "source": {"type": "base64", "media_type": "image/png", "data": PNG}}]}]}]},
    ),
    (
        "structured output from a JSON Schema",
        {"messages": HI, "max_tokens": 9, "response_format": SCHEMA},
        {"max_tokens": 9, "messages": HI, "output_config": {"format": {"type": "json_schema", "schema": SCHEMA}}},
    ),
    (
        "user id, image detail left out",
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {
            "url": f"data:image/png;base64,{PNG}", "detail": "low"}}]}], "max_tokens": 9, "user": "user-42"},
        {"max_tokens": 9, "metadata": {"user_id": "user-42"}, "messages": [{"role": "user", "content": [
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}]}]},
    ),
]  # fmt: skip

# Claude turns sent to the OpenAI dialect: the thinking blocks have no place there.
OPENAI: list[Case] = [
    (
        "a developer message keeps its role, system blocks become text parts",
        {"messages": [{"role": "developer", "content": [{"type": "text", "text": "A"}, {"type": "text", "text": "B",
                       "cache_control": EPHEMERAL}]}, *HI]},
        {"messages": [{"role": "developer", "content": [{"type": "text", "text": "A"}, {"type": "text", "text": "B"}]},
                      *HI]},
    ),
    (
        "sampling, seed and identity",
        {"messages": HI, "top_p": 0.9, "seed": 42, "user": "user-42", "prompt_cache_key": "tenant-7",
         "max_tokens": 50},
        {"messages": HI, "top_p": 0.9, "seed": 42, "user": "user-42", "prompt_cache_key": "tenant-7",
         "max_completion_tokens": 50},
    ),
    (
        "reasoning effort",
        {"messages": HI, "reasoning": "minimal"},
        {"messages": HI, "reasoning_effort": "minimal"},
    ),
    (
        "strict tools, no parallel calls",
        {"messages": HI, "tools": [{**TOOL, "strict": True}], "tool_choice": "required", "parallel_tool_calls": False},
        {"messages": HI, "tools": [{"type": "function", "function": {"name": "weather", "description": "Get weather",
                                   "parameters": SCHEMA, "strict": True}}], "tool_choice": "required",
         "parallel_tool_calls": False},
    ),
    (
        "structured output from OpenAI's own shape",
        {"messages": HI, "response_format": {"type": "json_schema", "json_schema": {"name": "weather", "schema": SCHEMA,
                                                                                   "strict": True}}},
        {"messages": HI, "response_format": {"type": "json_schema", "json_schema": {"name": "weather",
                                             "schema": SCHEMA, "strict": True}}},
    ),
    (
        "images with detail, PDFs as files, message names",
        {"messages": [{"role": "user", "name": "ada", "content": [
            {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}, "detail": "high"},
            {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
             "title": "Q3"},
            {"type": "text", "text": "Compare"}]}]},
        {"messages": [{"role": "user", "name": "ada", "content": [
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "high"}},
            {"type": "file", "file": {"file_data": f"data:application/pdf;base64,{PDF}", "filename": "Q3.pdf"}},
            {"type": "text", "text": "Compare"}]}]},
    ),
    (
        "a Claude tool turn: thinking left out, tool-result images and errors carried in words",
        {"messages": [*HI, {"role": "assistant", "content": [_THOUGHT, _REDACTED, {"type": "text", "text": "Checking."},
                                                             _CALL]},
                      {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "is_error": True,
                       "content": [{"type": "text", "text": "radar"}, {"type": "image", "source": {
                           "type": "base64", "media_type": "image/png", "data": PNG}}]}]}],
         "tools": [TOOL]},
        {"messages": [*HI, {"role": "assistant", "content": "Checking.", "tool_calls": [
            {"id": "toolu_1", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Paris"}'}}]},
            {"role": "tool", "tool_call_id": "toolu_1", "content": "Error: radar"},
            {"role": "user", "content": [{"type": "text", "text": "The images returned by tool call toolu_1:"},
                                         {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}]}],
         "tools": [{"type": "function", "function": {"name": "weather", "description": "Get weather",
                                                     "parameters": SCHEMA}}]},
    ),
    (
        "a stored completion carries metadata and tags",
        {"messages": HI, "metadata": {"ticket": "T-1"}, "tags": {"team": "search"},
         "openai": {"store": True, "service_tier": "flex", "verbosity": "low", "safety_identifier": "h-1"}},
        {"messages": HI, "store": True, "metadata": {"team": "search", "ticket": "T-1"}, "service_tier": "flex",
         "verbosity": "low", "safety_identifier": "h-1"},
    ),
    (
        "metadata of a completion not stored is left out",
        {"messages": HI, "metadata": {"ticket": "T-1"}, "openai": {"frequency_penalty": 0.5}},
        {"messages": HI, "frequency_penalty": 0.5},
    ),
]  # fmt: skip
