"""The OpenAI API (and OpenAI-compatible servers): Chat Completions at ``{base_url}/chat/completions``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..auth import HeaderAuth, Signer
from ..wire import OpenAIChat
from ._base import Route

__all__ = ["OpenAIRoute"]


class OpenAIRoute(Route):
    kind = "openai"
    cloud = "openai"
    default_base_url = "https://api.openai.com/v1"
    wire = "openai"

    def __init__(self, name: str, spec: Any, env: Mapping[str, str]) -> None:
        self.dialect = OpenAIChat(max_tokens_field=spec.max_tokens_field, stream_usage=spec.stream_usage)
        super().__init__(name, spec, env)
        self._url = self.base_url + "/chat/completions"

    def make_signer(self) -> Signer:
        if self.spec.api_key is None:  # a keyless local server (vLLM, Ollama): no Authorization header at all
            return HeaderAuth({})
        return HeaderAuth.bearer(self.secret("api_key"))

    def static_headers(self) -> dict[str, str]:
        out = {}
        if self.spec.organization:
            out["openai-organization"] = self.spec.organization
        if self.spec.project:
            out["openai-project"] = self.spec.project
        return out

    def url(self, model: str, *, stream: bool) -> str:
        return self._url
