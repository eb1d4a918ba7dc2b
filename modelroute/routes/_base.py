"""What every route shares: a dialect, a URL rule, credential headers resolved at first use, body tweaks."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from .._types import Request, Response
from ..auth import Signer
from ..config import resolve_env
from ..exceptions import ProviderError
from ..wire import Dialect, SSEFramer, StreamDecoder, WireRequest

__all__ = ["Route"]


class Route(ABC):
    """One provider entry's wire. Subclasses set ``kind``, ``cloud``, ``default_base_url`` and the hooks."""

    kind: ClassVar[str]
    cloud: ClassVar[str]
    default_base_url: ClassVar[str]
    #: the ``accept`` header of a streaming request
    stream_accept: ClassVar[str] = "text/event-stream"
    dialect: Dialect

    def __init__(self, name: str, spec: Any, env: Mapping[str, str]) -> None:
        self.name = name
        self.spec = spec
        self.region: str | None = spec.region
        self._env = env
        where = f"providers.{name}.base_url"
        self.base_url = resolve_env(spec.base_url, env, where).rstrip("/") if spec.base_url else self.endpoint()
        self._signer = self.make_signer()
        self._headers = {
            "content-type": "application/json",
            "accept": "application/json",
            **self.static_headers(),
            **spec.headers,
        }

    # --- hooks --------------------------------------------------------------------------------------------------

    @classmethod
    def unsupported(cls, spec: Any, request: Request) -> str | None:
        """Why this provider entry cannot serve ``request`` as asked (pure; used by the planner)."""
        return None

    @classmethod
    def prefills(cls, spec: Any) -> bool:
        """`supports_prefill` for a provider entry, known from its spec alone (pure; no credentials): a
        ``dialect`` field decides where the kind has one, else the kind's fixed dialect."""
        dialect = getattr(spec, "dialect", None)
        if isinstance(dialect, str):
            return dialect == "anthropic"
        fixed: Dialect | None = getattr(cls, "dialect", None)
        return fixed is not None and fixed.supports_prefill

    def endpoint(self) -> str:
        """The base URL when the config sets none (regional routes build it from the region)."""
        return self.default_base_url

    @abstractmethod
    def make_signer(self) -> Signer:
        """How this route authenticates (called once, when the entry is first used)."""

    def static_headers(self) -> dict[str, str]:
        return {}

    @abstractmethod
    def url(self, model: str, *, stream: bool) -> str:
        """The full URL for a request to ``model``."""

    def body(self, request: Request, model: str, *, stream: bool) -> dict[str, Any]:
        return self.dialect.encode_body(request, model, stream=stream)

    def secret(self, field: str) -> str:
        """A ``${ENV}`` field of this provider entry, resolved now (raises `CredentialError` if unset)."""
        return resolve_env(getattr(self.spec, field), self._env, f"providers.{self.name}.{field}")

    # --- the seam the router uses -------------------------------------------------------------------------------

    @property
    def supports_prefill(self) -> bool:
        """The route's API continues a trailing assistant message: a broken stream resumes here where it
        stopped (a prefill), for every caller (see ``stream_resume``)."""
        return self.dialect.supports_prefill

    def build(self, request: Request, model: str, *, stream: bool) -> WireRequest:
        body = self.body(request, model, stream=stream)
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        headers = dict(self._headers)
        if stream:
            headers["accept"] = self.stream_accept
        url = self.url(model, stream=stream)
        self._signer.apply("POST", url, headers, data)
        return WireRequest("POST", url, headers, data, stream, body)

    def decode(self, body: bytes) -> Response:
        return self.dialect.decode(body)

    def stream_decoder(self) -> StreamDecoder:
        return StreamDecoder(SSEFramer(), self.dialect.stream_handler())

    def classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        return self.dialect.classify(status, headers, body)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.base_url!r})"
