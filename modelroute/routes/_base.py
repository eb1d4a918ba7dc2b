"""What every route shares: a dialect, a URL rule, credential headers resolved at first use (and registered for
redaction), credential renewal for the router to run ahead of signing, body tweaks."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from .._redact import install_log_filters, redact, register
from .._types import Request, Response
from ..auth import Signer
from ..config import resolve_env
from ..config._load import env_references
from ..exceptions import ModelRouteError, ProviderError
from ..wire import Dialect, SSEFramer, StreamDecoder, WireRequest
from ..wire._base import unreadable
from ..wire._carry import ANTHROPIC, OPENAI, Carriage, request_features
from ..wire.errors import build_error, kind_for_status

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
        install_log_filters()
        if spec.base_url:
            self.base_url = resolve_env(spec.base_url, env, f"providers.{name}.base_url", url=True).rstrip("/")
            register(*(env[n].strip() for n in env_references(spec.base_url)))  # a ${ENV} part may be a secret
        else:
            self.base_url = self.endpoint()
        self._signer = self.make_signer()
        self._carriage = self.carriage(spec)
        self._headers = {
            "content-type": "application/json",
            "accept": "application/json",
            **self.static_headers(),
            **spec.headers,
        }

    # --- hooks --------------------------------------------------------------------------------------------------

    #: the wire dialect this route speaks, unless its entry's ``dialect`` says otherwise
    wire: ClassVar[str] = "anthropic"
    #: what this route refuses or adapts beyond its dialect (`modelroute.wire._carry`)
    route_carriage: ClassVar[Carriage] = Carriage()

    @classmethod
    def carriage(cls, spec: Any) -> Carriage:
        """What this provider entry's wire refuses and adapts: its dialect's `Carriage`, then the route's own.
        Declarative and pure: the planner reads it to skip or adapt a target before any network call."""
        dialect = getattr(spec, "dialect", None) or cls.wire
        return (ANTHROPIC if dialect == "anthropic" else OPENAI) | cls.route_carriage

    @classmethod
    def unsupported(cls, spec: Any, request: Request) -> str | None:
        """Why this provider entry cannot serve ``request`` as asked (pure; used by the planner)."""
        return cls.carriage(spec).refusal(request_features(request))

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
        """A ``${ENV}`` field of this provider entry, resolved now (raises `CredentialError` if unset) and
        registered for redaction."""
        value = resolve_env(getattr(self.spec, field), self._env, f"providers.{self.name}.{field}")
        register(value)
        return value

    # --- the seam the router uses -------------------------------------------------------------------------------

    @property
    def supports_prefill(self) -> bool:
        """The route's API continues a trailing assistant message: a broken stream resumes here where it
        stopped (a prefill), for every caller (see ``stream_resume``)."""
        return self.dialect.supports_prefill

    def credentials_due(self) -> bool:
        """Whether this entry's credential must be renewed before the next request is signed."""
        return self._signer.credentials_due()

    def refresh_credentials(self, timeout_s: float) -> None:
        """Renew the credential if due, waiting at most ``timeout_s`` (raises `ProviderError`, kind ``auth``
        for a failed renewal, ``timeout`` for a slow one)."""
        self._signer.refresh(timeout_s)

    async def arefresh_credentials(self, timeout_s: float) -> None:
        """`refresh_credentials` for the event loop: the renewal runs in a worker thread."""
        await self._signer.arefresh(timeout_s)

    def build(self, request: Request, model: str, *, stream: bool) -> WireRequest:
        body = self.body(request, model, stream=stream)
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        headers = dict(self._headers)
        if stream:
            headers["accept"] = self.stream_accept
        url = self.url(model, stream=stream)
        self._signer.apply("POST", url, headers, data)
        return WireRequest("POST", url, headers, data, stream, body)

    def notes(self, request: Request) -> tuple[str, ...]:
        """How this route adapts ``request`` to what its wire carries (`Carriage.notes`): said in the trace."""
        return self._carriage.notes(request_features(request))

    def decode(self, body: bytes) -> Response:
        """A 2xx body as a `Response`, or a `MalformedResponseError` (never another exception) if it cannot be."""
        try:
            return self._decode(body)
        except ModelRouteError as e:
            if isinstance(e, ProviderError) and e.body is None:
                e.body = body[:500]
            raise
        except Exception as e:  # a hostile body must fail over, never crash the call
            error = unreadable(e, "a response")
            error.body = body[:500]
            raise error from None

    def stream_decoder(self) -> StreamDecoder:
        return StreamDecoder(SSEFramer(), self.dialect.stream_handler())

    def classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        """The classified error for a non-2xx response; by its status alone when the body cannot be read."""
        try:
            return self._classify(status, headers, body)
        except Exception as e:  # a hostile error body is still an error with a status
            kind = kind_for_status(status)
            message = f"HTTP {status}, with an error body we cannot read ({type(e).__name__})"
            return build_error(kind, message, status=status, headers=headers, body=body[:500])

    # --- what a route may change in decoding (`decode` and `classify` guard them) ---------------------------------

    def _decode(self, body: bytes) -> Response:
        return self.dialect.decode(body)

    def _classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        return self.dialect.classify(status, headers, body)

    def __repr__(self) -> str:  # a base_url with ${ENV} parts is shown as written, not as resolved
        shown = self.spec.base_url if self.spec.base_url and "${" in self.spec.base_url else redact(self.base_url)
        return f"{type(self).__name__}({self.name!r}, {shown!r})"
