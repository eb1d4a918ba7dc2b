"""Claude on Google Vertex AI: Anthropic Messages over ``:rawPredict`` / ``:streamRawPredict``.

``{host}/v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:rawPredict`` (streams:
``:streamRawPredict``), with the host built the way ``anthropic.AnthropicVertex`` builds it: ``global`` ->
``aiplatform.googleapis.com``, the multi-regions ``us`` / ``eu`` -> ``aiplatform.{us,eu}.rep.googleapis.com``,
any other region -> ``{region}-aiplatform.googleapis.com``. The body has no ``model`` and carries
``anthropic_version`` (``vertex-2023-10-16`` unless configured); there is no ``anthropic-version`` header. Auth is a
Bearer access token: from the environment, or Google Application Default Credentials.

Errors come in two shapes: Anthropic's own, passed through, and Google's
``{"error": {"code": 429, "message", "status": "RESOURCE_EXHAUSTED"}}`` (sometimes inside a one-element list).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from .._types import Request
from ..auth import HeaderAuth, Signer
from ..exceptions import ErrorKind, MalformedResponseError, ProviderError
from ..wire import AnthropicMessages
from ..wire._read import loads
from ..wire.errors import build_error, kind_for_status, mentions_context_window
from ._base import Route
from .anthropic import base64_only, sampling_unsupported

__all__ = ["GOOGLE_STATUS_KIND", "VertexRoute", "vertex_base_url"]

# google.rpc.Code names -> kind (https://cloud.google.com/apis/design/errors).
GOOGLE_STATUS_KIND: dict[str, ErrorKind] = {
    "INVALID_ARGUMENT": ErrorKind.INVALID_REQUEST,
    "OUT_OF_RANGE": ErrorKind.INVALID_REQUEST,
    "FAILED_PRECONDITION": ErrorKind.PERMISSION,  # billing off, model not enabled for the project
    "UNAUTHENTICATED": ErrorKind.AUTH,
    "PERMISSION_DENIED": ErrorKind.PERMISSION,
    "NOT_FOUND": ErrorKind.NOT_FOUND,
    "UNIMPLEMENTED": ErrorKind.NOT_FOUND,
    "RESOURCE_EXHAUSTED": ErrorKind.RATE_LIMITED,
    "ABORTED": ErrorKind.SERVER_ERROR,
    "CANCELLED": ErrorKind.SERVER_ERROR,
    "UNKNOWN": ErrorKind.SERVER_ERROR,
    "INTERNAL": ErrorKind.SERVER_ERROR,
    "DATA_LOSS": ErrorKind.SERVER_ERROR,
    "UNAVAILABLE": ErrorKind.OVERLOADED,
    "DEADLINE_EXCEEDED": ErrorKind.TIMEOUT,
}

# Characters a path segment may hold unescaped (RFC 3986 pchar, less ';' which the SDK escapes as %3B).
_SEGMENT_SAFE = "@:!$&'()*+,=-._~"


def vertex_base_url(region: str) -> str:
    if region == "global":
        return "https://aiplatform.googleapis.com/v1"
    if region in ("us", "eu"):
        return f"https://aiplatform.{region}.rep.googleapis.com/v1"
    return f"https://{region}-aiplatform.googleapis.com/v1"


class VertexRoute(Route):
    kind = "vertex"
    cloud = "gcp"
    default_base_url = ""  # built from the spec's region
    dialect = AnthropicMessages()
    route_carriage = base64_only("Vertex AI")

    def __init__(self, name: str, spec: Any, env: Mapping[str, str]) -> None:
        super().__init__(name, spec, env)
        project = quote(spec.project, safe=":")
        self._prefix = f"{self.base_url}/projects/{project}/locations/{spec.region}/publishers/anthropic/models/"

    @classmethod
    def unsupported(cls, spec: Any, request: Request) -> str | None:
        return sampling_unsupported(spec.anthropic_version, request) or super().unsupported(spec, request)

    def endpoint(self) -> str:
        return vertex_base_url(self.spec.region)

    def make_signer(self) -> Signer:
        if self.spec.access_token is not None:
            return HeaderAuth.bearer(self.secret("access_token"))
        from ..auth.google import GoogleAuth

        return GoogleAuth()

    def url(self, model: str, *, stream: bool) -> str:
        return f"{self._prefix}{quote(model, safe=_SEGMENT_SAFE)}:{'streamRawPredict' if stream else 'rawPredict'}"

    def body(self, request: Request, model: str, *, stream: bool) -> dict[str, Any]:
        body = self.dialect.encode_body(request, model, stream=stream)
        del body["model"]
        body["anthropic_version"] = self.spec.anthropic_version
        return body

    def _classify(self, status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
        try:
            data = loads(body, "the error body")
        except MalformedResponseError:
            data = None
        if isinstance(data, list) and data and isinstance(data[0], dict):
            data = data[0]  # Google sometimes wraps the error in a list
        err = data.get("error") if isinstance(data, dict) else None
        if isinstance(data, dict) and isinstance(err, dict) and data.get("type") != "error" and "status" in err:
            return _google_error(status, headers, err)
        return self.dialect.classify(status, headers, body)


def _google_error(status: int, headers: Mapping[str, str], err: Mapping[str, Any]) -> ProviderError:
    gstatus = str(err.get("status") or "")
    message = str(err.get("message") or "")
    kind = GOOGLE_STATUS_KIND.get(gstatus) or kind_for_status(status)
    if gstatus == "FAILED_PRECONDITION" and "billing" in message.lower():
        kind = ErrorKind.QUOTA_EXHAUSTED  # the project cannot pay: like an exhausted quota, until someone acts
    if kind is ErrorKind.INVALID_REQUEST and mentions_context_window(message):
        kind = ErrorKind.CONTEXT_WINDOW
    return build_error(kind, message, status=status, headers=headers, code=gstatus or None, body=dict(err))
