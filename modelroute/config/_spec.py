"""The config spec: pydantic models for the YAML/dict a platform team writes. Data only; no I/O.

```yaml
providers:            # where models are served, and how to reach them
  <name>: {kind: openai | anthropic | azure_openai | azure_foundry | vertex | bedrock | bedrock_mantle | anthropic_aws,
           api_key: "${ENV_VAR}", region: ...}
models:               # the aliases callers ask for
  <alias>:
    targets: [{provider: <name>, model: <id>}, "<name>:<id>"]   # tried in order
    family: claude-sonnet-4-5                                    # or: a catalog family...
    providers: [foundry, bedrock, vertex]                        # ...served by these, each with its own id
    fallbacks: [<alias>, ...]                                    # then these aliases, in order
defaults: {deadline_s: 60, attempt_timeout_s: 30, ...}
```

Types are strict (``true`` is not a number, ``"5"`` is not a number), every number has sane bounds (times in
seconds up to an hour, cooldowns up to a day), URLs and headers are parsed and checked: whatever loads can be sent.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from ..catalog import FamilyOverride, InferenceProfile
from ..exceptions import ErrorKind
from ._prices import PriceRuleSpec

__all__ = [
    "AliasSpec",
    "AnthropicAWSProviderSpec",
    "AnthropicProviderSpec",
    "AzureFoundryProviderSpec",
    "AzureOpenAIProviderSpec",
    "BedrockMantleProviderSpec",
    "BedrockProviderSpec",
    "BreakerSpec",
    "CatalogSpec",
    "ConfigSpec",
    "DefaultsSpec",
    "ErrorPolicySpec",
    "HedgeSpec",
    "OpenAIProviderSpec",
    "ProviderSpec",
    "TargetSpec",
    "VertexProviderSpec",
]

ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
_TEXT = r"^[!-~]([ -~]*[!-~])?$"  # one line of visible ASCII (spaces inside): safe in a header or a URL
_MODEL_ID = r"^[^\x00-\x1f\x7f]+$"  # a model id or deployment: anything but control characters (routes quote it)
MAX_SECONDS = 3600.0  # timeouts and deadlines: an hour (a larger value is a ms-for-s slip, or overflows a timer)
MAX_COOLDOWN_S = 86_400.0  # cooldowns and breaker windows: a day

Seconds = Annotated[float, Field(strict=True, gt=0, le=MAX_SECONDS)]
SecondsOrZero = Annotated[float, Field(strict=True, ge=0, le=MAX_SECONDS)]
LongSeconds = Annotated[float, Field(strict=True, gt=0, le=MAX_COOLDOWN_S)]
Text = Annotated[str, Field(pattern=_TEXT)]

_RESOURCE = r"^[A-Za-z0-9][A-Za-z0-9\-]*$"
_GCP_PROJECT = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"
_VERTEX_LOCATION = r"^[a-z0-9\-]+$"
AWS_REGION = r"^[a-z]{2}(-[a-z]+)+-\d+$"
_PATTERN_WORDS = {
    _NAME: ("a valid name (letters, digits, '.', '_' and '-', starting with a letter or digit)", "azure-eu"),
    _TEXT: ("one line of plain ASCII text", "2024-10-21"),
    _MODEL_ID: ("a model id (no control characters or line breaks)", "claude-sonnet-4-5"),
    _RESOURCE: ("an Azure resource name (letters, digits and '-')", "contoso-ai"),
    _GCP_PROJECT: ("a Google Cloud project id", "acme-prod"),
    _VERTEX_LOCATION: ("a Vertex location (lower-case letters, digits and '-')", "us-east5, global or eu"),
    AWS_REGION: ("an AWS region", "us-east-1"),
}


def pattern_words(pattern: str) -> tuple[str, str]:
    """What a value matching ``pattern`` is, in words, and an example (for error messages)."""
    return _PATTERN_WORDS.get(pattern, ("in the expected form", "the README's config reference shows"))


SecretRef = Annotated[
    str,
    Field(
        pattern=ENV_REF.pattern,
        description="An environment variable reference, `${NAME}`; secrets are never written in the config.",
        json_schema_extra={"examples": ["${OPENAI_API_KEY}"]},
    ),
]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProviderTimeoutsMixin(_Spec):
    connect_timeout_s: Seconds | None = Field(None, description="Override the default connect timeout.")
    first_byte_timeout_s: Seconds | None = Field(None, description="Override the default first-byte timeout.")
    stall_timeout_s: Seconds | None = Field(None, description="Override the default stall timeout.")


# Headers the transport, the signer or the proxy set: never from the config.
_CREDENTIAL_HEADERS = {"authorization", "x-api-key", "api-key", "cookie", "x-goog-api-key", "x-amz-security-token",
                       "ocp-apim-subscription-key", "anthropic-workspace-id"}  # fmt: skip
_TRANSPORT_HEADERS = {"connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "host",
                      "content-length", "content-type", "expect"}  # fmt: skip
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_HEADER_VALUE = re.compile(r"^[\t -~]*$")


def check_headers(headers: dict[str, str]) -> dict[str, str]:
    """Lower-cased names; refuses names and values that could not be sent, or that only the transport, the
    signer or a proxy may set."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        low = name.lower()
        if not _HEADER_NAME.match(name):
            raise ValueError(f"{name!r} is not a valid header name (letters, digits and - _ . only)"[:160])
        if not _HEADER_VALUE.match(value):
            raise ValueError(f"the value of {name} holds a line break, a control or a non-ASCII character; headers are "
                             "one line of ASCII")  # fmt: skip
        if "${" in value:
            raise ValueError(f"the value of {name} holds a ${{...}} reference, but headers are sent as written; "
                             "put secrets in api_key: ${ENV_VAR}")  # fmt: skip
        if low in _CREDENTIAL_HEADERS:
            raise ValueError(f"credentials may not be set as headers ({name}); use api_key: ${{ENV_VAR}}")
        if low.startswith("proxy-"):
            raise ValueError(f"{name} is for proxies; set the proxy with the HTTPS_PROXY environment variable")
        if low in _TRANSPORT_HEADERS or low.startswith("x-amz-"):
            raise ValueError(f"{name} is set by modelroute's transport or signer; remove it")
        if low in out:
            raise ValueError(f"the header {low} is set twice (names are case-insensitive)")
        out[low] = value
    return out


_ENV_IN_TEXT = re.compile(r"\$\{([^}]*)\}")


def check_url(url: str) -> str:
    """An http(s) URL with a host and a valid port, no credentials, query or fragment; ``${NAME}`` parts must be
    well formed (what they expand to is checked when the entry is first used)."""
    if "${" in url:
        rest = url
        for m in _ENV_IN_TEXT.finditer(url):
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", m.group(1)):
                raise ValueError(f"{m.group()!r} is not a valid ${{NAME}} reference (letters, digits and _)"[:160])
            rest = rest.replace(m.group(), "1", 1)  # a placeholder that parses as a host or a port
        if "${" in rest:
            raise ValueError("a '${' is not closed; write ${NAME}")
        url_to_check = rest
    else:
        url_to_check = url
    if re.search(r"[\x00-\x20\x7f]", url_to_check) or not url_to_check.isascii():
        raise ValueError("holds a space, a control or a non-ASCII character; percent-encode it")
    if url.startswith("${"):
        return url  # the scheme and host come from the environment: checked when the entry is first used
    try:
        parts = urlsplit(url_to_check)
        port = parts.port
    except ValueError as e:
        raise ValueError(f"is not a valid URL ({e}); a port is a number from 1 to 65535") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("is not an http(s) URL; write it as https://host/path")
    if port == 0:
        raise ValueError("port 0 is not a port; a port is a number from 1 to 65535")
    if parts.username is not None or parts.password is not None:
        raise ValueError("holds a user name or password; secrets go in api_key: ${ENV_VAR}, never in a URL")
    if parts.query or parts.fragment or url_to_check.endswith(("?", "#")):
        raise ValueError("may not have a ?query or #fragment; modelroute appends the route's own path and query")
    return url


class _ProviderBase(ProviderTimeoutsMixin):
    """Fields every provider entry has."""

    cloud: ClassVar[str] = ""
    kind: str
    base_url: str | None = Field(
        None,
        description="Override the endpoint: a private endpoint, a proxy, an OpenAI-compatible server, the mock "
        "cloud. An http(s) URL with a host (and a port from 1 to 65535), no credentials, query or fragment. May "
        "contain ${ENV} references.",
        json_schema_extra={"pattern": r"^(https?://|\$\{)\S+$"},
    )
    region: Text | None = Field(None, description="Where this entry serves from; reported in `served_by`.")
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="Extra, non-secret HTTP headers to send. Not credentials (use api_key), proxy, hop-by-hop or "
        "framing headers; one line of ASCII each.",
    )
    max_connections: int = Field(256, gt=0, le=10_000, strict=True, description="Connection-pool size for this entry.")

    @field_validator("headers")
    @classmethod
    def _valid_headers(cls, v: dict[str, str]) -> dict[str, str]:
        return check_headers(v)

    @field_validator("base_url")
    @classmethod
    def _valid_url(cls, v: str | None) -> str | None:
        return None if v is None else check_url(v)

    def extra_needed(self) -> tuple[str, str, str, tuple[str, ...]] | None:
        """``(field, what, extra, modules)`` when this entry's settings need an optional dependency, else None.
        The loader checks the modules can be found (without importing them) and names the pip command."""
        return None


class OpenAIProviderSpec(_ProviderBase):
    """The OpenAI API, or any OpenAI-compatible server (set ``base_url``)."""

    cloud: ClassVar[str] = "openai"
    kind: Literal["openai"]
    api_key: SecretRef | None = Field(
        description="`${ENV_VAR}` holding the API key (sent as a Bearer token). `null` for a keyless local server "
        "(vLLM, Ollama): no Authorization header is sent. Required, so a forgotten key is not mistaken for one."
    )
    organization: Text | None = Field(None, description="The `OpenAI-Organization` header.")
    project: Text | None = Field(None, description="The `OpenAI-Project` header.")
    max_tokens_field: Literal["max_completion_tokens", "max_tokens"] = Field(
        "max_completion_tokens", description="Use `max_tokens` for older OpenAI-compatible servers."
    )
    stream_usage: bool = Field(
        True,
        description="Send `stream_options: {include_usage: true}` on streamed calls, so the stream ends with its "
        "token counts; set false for OpenAI-compatible servers that reject the field.",
    )


class AnthropicProviderSpec(_ProviderBase):
    """The Anthropic API."""

    cloud: ClassVar[str] = "anthropic"
    kind: Literal["anthropic"]
    api_key: SecretRef = Field(description="`${ENV_VAR}` holding the API key (sent as a Bearer token).")
    anthropic_version: Text = Field("2026-10-21", description="The `anthropic-version` header.")


AZURE_COGNITIVE_SCOPE = "https://cognitiveservices.azure.com/.default"
AZURE_AI_SCOPE = "https://ai.azure.com/.default"


class _AzureAuthMixin(_Spec):
    """One way to authenticate to Azure: a key, a bearer token from the environment, or Entra ID."""

    api_key: SecretRef | None = Field(None, description="`${ENV_VAR}` holding the resource's key.")
    access_token: SecretRef | None = Field(
        None, description="`${ENV_VAR}` holding an Entra ID access token (sent as a Bearer token, never refreshed)."
    )
    entra_id: StrictBool = Field(
        False,
        description="Get Entra ID tokens from azure-identity's DefaultAzureCredential, cached and refreshed "
        "before they expire (needs `modelroute[azure]`).",
    )

    @model_validator(mode="after")
    def _one_credential(self) -> Any:
        chosen = [n for n in ("api_key", "access_token") if getattr(self, n) is not None]
        if self.entra_id:
            chosen.append("entra_id")
        if len(chosen) != 1:
            got = f" (got {', '.join(chosen)})" if chosen else ""
            raise ValueError(
                f"set exactly one of api_key: ${{ENV_VAR}}, access_token: ${{ENV_VAR}} or entra_id: true{got}"
            )
        return self

    def extra_needed(self) -> tuple[str, str, str, tuple[str, ...]] | None:
        if self.entra_id:
            return ("entra_id", "Entra ID authentication (azure-identity)", "azure", ("azure.identity",))
        return None


class _ResourceMixin(_Spec):
    resource: str | None = Field(
        None, pattern=_RESOURCE, description="The Azure resource name; the endpoint is built from it."
    )

    @model_validator(mode="after")
    def _resource_or_base_url(self) -> Any:
        base_url = getattr(self, "base_url", None)
        if (self.resource is None) == (base_url is None):
            raise ValueError("set exactly one of resource: <name> or base_url: https://...")
        return self


class AzureOpenAIProviderSpec(_AzureAuthMixin, _ResourceMixin, _ProviderBase):
    """GPT deployments on Azure OpenAI / Microsoft Foundry (Chat Completions). A target's ``model`` is the
    deployment name. ``api_version: v1`` uses the version-less ``/openai/v1/`` API; any other value is sent as
    ``?api-version=`` on ``/openai/deployments/{deployment}/chat/completions``."""

    cloud: ClassVar[str] = "azure"
    kind: Literal["azure_openai"]
    api_version: Text = Field(
        "2024-10-21",
        min_length=1,
        description="`v1` for https://{resource}.openai.azure.com/openai/v1/ (key sent as a Bearer token), or a "
        "dated version for the deployments path (key sent as `api-key`).",
    )
    entra_scope: Text = Field(AZURE_COGNITIVE_SCOPE, description="The scope Entra ID tokens are requested for.")
    max_tokens_field: Literal["max_completion_tokens", "max_tokens"] = Field(
        "max_completion_tokens", description="Use `max_tokens` for deployments of older models."
    )
    stream_usage: bool = Field(
        True,
        description="Send `stream_options: {include_usage: true}` on streamed calls, so the stream ends with its "
        "token counts; set false for OpenAI-compatible servers that reject the field.",
    )


class AzureFoundryProviderSpec(_AzureAuthMixin, _ResourceMixin, _ProviderBase):
    """Claude on Microsoft Foundry: Anthropic Messages at https://{resource}.services.ai.azure.com/anthropic."""

    cloud: ClassVar[str] = "azure"
    kind: Literal["azure_foundry"]
    anthropic_version: Text = Field("2026-10-21", description="The `anthropic-version` header.")
    entra_scope: Text = Field(AZURE_AI_SCOPE, description="The scope Entra ID tokens are requested for.")


class VertexProviderSpec(_ProviderBase):
    """Claude on Google Vertex AI (``:rawPredict`` / ``:streamRawPredict``). A target's ``model`` is the Vertex
    model name, e.g. ``claude-sonnet-4-5@20250929``."""

    cloud: ClassVar[str] = "gcp"
    kind: Literal["vertex"]
    project: str = Field(min_length=1, pattern=_GCP_PROJECT, description="The Google Cloud project id.")
    region: str = Field(  # required here, optional on other kinds
        min_length=1,
        pattern=_VERTEX_LOCATION,
        description="The Vertex location: a region (`us-east5`), `global`, or a multi-region (`us`, `eu`).",
    )
    access_token: SecretRef | None = Field(
        None,
        description="`${ENV_VAR}` holding an OAuth access token; without it, Google Application Default "
        "Credentials are used (needs `modelroute[vertex]`).",
    )
    anthropic_version: Text = Field("vertex-2023-10-16", description="The body's `anthropic_version`.")

    def extra_needed(self) -> tuple[str, str, str, tuple[str, ...]] | None:
        if self.access_token is None:
            what = "Google Application Default Credentials (used when access_token is not set)"
            return ("access_token", what, "vertex", ("google.auth", "requests"))
        return None


class _AWSProviderBase(_ProviderBase):
    """AWS credentials: a Bedrock API key (Bearer), explicit keys, or botocore's default chain (SigV4)."""

    cloud: ClassVar[str] = "aws"
    region: str = Field(  # required here: it picks the endpoint and signs the request
        pattern=AWS_REGION, description="The AWS region (`us-east-1`): the default endpoint and the SigV4 scope."
    )
    api_key: SecretRef | None = Field(
        None, description="`${ENV_VAR}` holding a Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`), sent as Bearer."
    )
    aws_access_key_id: SecretRef | None = Field(None, description="`${ENV_VAR}` holding an access key id (SigV4).")
    aws_secret_access_key: SecretRef | None = Field(None, description="`${ENV_VAR}` holding its secret key.")
    aws_session_token: SecretRef | None = Field(None, description="`${ENV_VAR}` holding a session token.")
    profile: Text | None = Field(None, description="A named profile for the default credential chain (SigV4).")

    @model_validator(mode="after")
    def _one_way_to_authenticate(self) -> _AWSProviderBase:
        keys = (self.aws_access_key_id, self.aws_secret_access_key)
        if any(keys) and not all(keys):
            raise ValueError("aws_access_key_id and aws_secret_access_key go together; set both or neither")
        if self.api_key and (any(keys) or self.profile):
            raise ValueError("api_key (Bearer) and AWS keys or profile (SigV4) exclude each other; keep one")
        if self.aws_session_token and not all(keys):
            raise ValueError("aws_session_token needs aws_access_key_id and aws_secret_access_key")
        return self

    @property
    def uses_sigv4(self) -> bool:
        return self.api_key is None

    def extra_needed(self) -> tuple[str, str, str, tuple[str, ...]] | None:
        if self.uses_sigv4:
            return ("", f"kind '{self.kind}' with SigV4 signing (no api_key)", "bedrock", ("botocore",))
        return None


class BedrockProviderSpec(_AWSProviderBase):
    """Amazon Bedrock Runtime at ``bedrock-runtime.{region}.amazonaws.com``: Claude through InvokeModel
    (``/model/{modelId}/invoke``, event-stream streaming), or OpenAI models through ``/openai/v1`` (SSE)."""

    kind: Literal["bedrock"]
    dialect: Literal["anthropic", "openai"] = Field(
        "anthropic",
        description="anthropic: Claude via InvokeModel; openai: Chat Completions at /openai/v1 (OpenAI models).",
    )
    anthropic_version: Text = Field(
        "bedrock-2023-05-31", description="The body's `anthropic_version` (AWS documents bedrock-2023-05-31)."
    )
    max_tokens_field: Literal["max_completion_tokens", "max_tokens"] = Field(
        "max_completion_tokens", description="The OpenAI dialect's max-tokens field."
    )
    stream_usage: bool = Field(
        True,
        description="OpenAI dialect: send `stream_options: {include_usage: true}` on streamed calls, so the stream "
        "ends with its token counts; set false for OpenAI-compatible servers that reject the field.",
    )

    def extra_needed(self) -> tuple[str, str, str, tuple[str, ...]] | None:
        # InvokeModel streams are AWS event streams, read by botocore's decoder whatever the auth.
        if self.uses_sigv4 or self.dialect == "anthropic":
            return ("", f"kind 'bedrock' (dialect {self.dialect})", "bedrock", ("botocore",))
        return None


class BedrockMantleProviderSpec(_AWSProviderBase):
    """Bedrock's Anthropic-compatible (``/anthropic/v1/messages``) or OpenAI-compatible
    (``/openai/v1/chat/completions``) endpoint at ``bedrock-mantle.{region}.api.aws``, streaming SSE."""

    kind: Literal["bedrock_mantle"]
    dialect: Literal["anthropic", "openai"] = Field(
        "anthropic", description="Which API to speak: Anthropic Messages (Claude) or OpenAI Chat (OpenAI models)."
    )
    anthropic_version: Text = Field("2023-06-01", description="The `anthropic-version` header (anthropic dialect).")
    max_tokens_field: Literal["max_completion_tokens", "max_tokens"] = Field(
        "max_completion_tokens", description="The OpenAI dialect's max-tokens field."
    )
    stream_usage: bool = Field(
        True,
        description="OpenAI dialect: send `stream_options: {include_usage: true}` on streamed calls, so the stream "
        "ends with its token counts; set false for OpenAI-compatible servers that reject the field.",
    )


class AnthropicAWSProviderSpec(_AWSProviderBase):
    """Claude Platform on AWS (Anthropic-operated, billed through AWS): the first-party Messages API at
    ``aws-external-anthropic.{region}.api.aws``, SigV4 service ``aws-external-anthropic`` or an API key."""

    kind: Literal["anthropic_aws"]
    workspace_id: Text = Field(min_length=1, description="The `anthropic-workspace-id` header (required).")
    anthropic_version: Text = Field("2026-10-21", description="The `anthropic-version` header.")


ProviderSpec = Annotated[
    OpenAIProviderSpec
    | AnthropicProviderSpec
    | AzureOpenAIProviderSpec
    | AzureFoundryProviderSpec
    | VertexProviderSpec
    | BedrockProviderSpec
    | BedrockMantleProviderSpec
    | AnthropicAWSProviderSpec,
    Field(discriminator="kind"),
]

PROVIDER_KINDS: dict[str, type[_ProviderBase]] = {
    "openai": OpenAIProviderSpec,
    "anthropic": AnthropicProviderSpec,
    "azure_openai": AzureOpenAIProviderSpec,
    "azure_foundry": AzureFoundryProviderSpec,
    "vertex": VertexProviderSpec,
    "bedrock": BedrockProviderSpec,
    "bedrock_mantle": BedrockMantleProviderSpec,
    "anthropic_aws": AnthropicAWSProviderSpec,
}


class TargetSpec(_Spec):
    """One place an alias may be served: a provider entry and the model id it knows the model by."""

    provider: str = Field(min_length=1, pattern=_NAME, description="A name under `providers`.")
    model: str = Field(min_length=1, pattern=_MODEL_ID, description="The model id at that provider.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            provider, sep, model = data.partition(":")
            if not sep or not provider or not model:
                raise ValueError(f"target {data[:80]!r} must be 'provider:model' or {{provider: ..., model: ...}}")
            return {"provider": provider, "model": model}
        if not isinstance(data, dict):
            raise ValueError("a target must be 'provider:model' or {provider: <name>, model: <id>}")
        return data

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        """Both spellings the loader accepts: the mapping, and the short ``"provider:model"`` string."""
        mapping = handler(core_schema)
        short = {
            "type": "string",
            "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.\-]*:[^\x00-\x1f\x7f]+$",
            "description": "The short form: `provider:model` (the model id may itself hold ':').",
            "examples": ["openai:gpt-5", "bedrock-us:anthropic.claude-haiku-4-5-20251001-v1:0"],
        }
        return {"anyOf": [short, mapping]}


Action = Literal["failover", "stop"]


class HedgeSpec(_Spec):
    """Hedged requests (``acomplete`` only): when the first attempt has not answered after ``after_s`` (seconds,
    or ``p95``: its target's recent 95th-percentile latency), send the same request to the next target; the
    first good answer wins and the other attempt is cancelled, its connection closed."""

    after_s: SecondsOrZero | Literal["p95"] = Field("p95", description="Seconds before the hedge, or `p95`.")
    initial_after_s: Seconds = Field(
        1.0, description="The delay used with `p95` until `min_samples` latencies are known."
    )
    min_samples: int = Field(
        20, ge=1, le=10_000, strict=True, description="Latencies needed before the p95 is trusted."
    )
    max_share: float = Field(
        0.1,
        gt=0,
        le=1,
        strict=True,
        description="The share of the last 200 calls that may be hedged (0.1: at most 20).",
    )

    @field_validator("after_s", mode="before")
    @classmethod
    def _seconds_or_p95(cls, v: Any) -> Any:
        if v == "p95":
            return v
        ok = not isinstance(v, bool) and isinstance(v, float | int) and 0 <= v <= MAX_SECONDS
        if not ok:
            shown = repr(v) if isinstance(v, str | int | float | bool | None) else type(v).__name__
            raise ValueError(
                f"after_s must be a number of seconds from 0 to {MAX_SECONDS:g}, or 'p95' (got {shown[:60]})"
            )
        return float(v)


class ErrorPolicySpec(_Spec):
    """What the router does after one error kind (fields left out keep the default table's values)."""

    action: Action | None = Field(None, description="After the retries: fail over to the next target, or stop.")
    retries: int | None = Field(
        None, ge=0, le=10, strict=True, description="Retries on the same target before the action."
    )
    cooldown_s: float | None = Field(
        None, ge=0, le=MAX_COOLDOWN_S, strict=True, description="Keep the target out of plans this long (up to a day)."
    )


OnError = dict[ErrorKind, ErrorPolicySpec]

StreamResume = Literal["auto", "error", "continue"]

_BREAKER_COUNTS = [
    ErrorKind.TIMEOUT,
    ErrorKind.CONNECTION,
    ErrorKind.OVERLOADED,
    ErrorKind.SERVER_ERROR,
    ErrorKind.MALFORMED_RESPONSE,
]


class BreakerSpec(_Spec):
    """A circuit breaker per target (provider/model): open after ``failures`` consecutive failures, or when
    ``failure_rate`` of at least ``min_calls`` attempts in ``window_s`` failed; after ``open_s`` one probe may
    go through (half-open), and its result closes or reopens the breaker. Under an alias, the fields set there
    replace the defaults' ones."""

    enabled: StrictBool = Field(True, description="Set false to never skip a target for its failures.")
    failures: int = Field(5, ge=1, le=1000, strict=True, description="Consecutive failures that open the breaker.")
    failure_rate: float = Field(
        0.5, gt=0, le=1, strict=True, description="Share of failed attempts in the window that opens it."
    )
    min_calls: int = Field(
        20, ge=1, le=100_000, strict=True, description="Attempts the window needs before the failure rate counts."
    )
    window_s: LongSeconds = Field(60.0, description="The failure-rate window.")
    open_s: LongSeconds = Field(
        5.0,
        description="How long an open breaker keeps the target out before one probe; a failed probe reopens it "
        "for as long again, so a dead target gets at most one probe per open_s and a recovered one is back within "
        "about open_s.",
    )
    count: list[ErrorKind] = Field(
        default_factory=lambda: list(_BREAKER_COUNTS),
        description="The error kinds that count as failures (a refused prompt says nothing about the target).",
    )


class DefaultsSpec(_Spec):
    """Call-wide defaults; aliases and provider entries may override some of them."""

    deadline_s: Seconds = Field(60.0, description="One deadline for the whole call, retries and fallbacks.")
    attempt_timeout_s: Seconds | None = Field(
        None,
        description="The longest one attempt may take. Unset: half the alias's deadline, so a target that hangs "
        "leaves the other half for the next one (30 s with the default 60 s deadline). Set here, it applies to "
        "aliases that keep the default deadline and caps the derived value of those that set their own.",
    )
    connect_timeout_s: Seconds = Field(5.0)
    first_byte_timeout_s: Seconds | None = Field(
        None,
        description="Until the response headers (streams: first chunk). Unset: the attempt timeout. Always capped "
        "by the attempt timeout and what is left of the deadline.",
    )
    stall_timeout_s: Seconds = Field(30.0, description="The longest silence allowed inside a response body.")
    max_retry_wait_s: SecondsOrZero = Field(
        2.0, description="The longest Retry-After worth waiting for on the same target; longer ones fail over."
    )
    backoff_base_s: SecondsOrZero = Field(0.25, description="First retry backoff (exponential, full jitter).")
    backoff_max_s: SecondsOrZero = Field(4.0)
    on_error: OnError = Field(default_factory=dict, description="Changes to the default action table, per kind.")
    min_attempt_s: SecondsOrZero = Field(
        0.25,
        description="An attempt is not started (nor waited for) with less than this left of the call's deadline; "
        "must be shorter than every deadline.",
    )
    max_attempts: int = Field(
        8, ge=1, le=100, strict=True, description="The most requests one call sends, retries included."
    )
    wait_for_reopen_s: SecondsOrZero = Field(
        5.0,
        description="When every target is cooling down or open, the longest the call waits for the first to "
        "reopen (within the deadline); past that it fails at once with `retry_after_s` set.",
    )
    first_token_timeout_s: Seconds | None = Field(
        None,
        description="Streams: the longest an attempt may take to deliver its first content (a timer: it fires "
        "whether or not bytes arrive; pings do not count).",
    )
    max_body_bytes: int = Field(
        32 * 2**20,
        gt=0,
        le=2**34,
        strict=True,
        description="The largest response body accepted, once decompressed (bytes).",
    )
    max_stream_bytes: int = Field(
        256 * 2**20,
        gt=0,
        le=2**36,
        strict=True,
        description="The most a streamed response may send in all, once decompressed (bytes).",
    )
    stream_resume: StreamResume = Field(
        "auto",
        description="A stream that breaks after text reached the caller: `auto` resumes on the next target that "
        "can continue the text for this caller (by prefill for every caller; by restart, behind a `seam` event, "
        "only for callers iterating events, never for `stream.text()`), else raises StreamInterrupted; `error` "
        "always raises StreamInterrupted; `continue` resumes on the next target for every caller (prefill where "
        "the route supports it, else restart).",
    )
    breaker: BreakerSpec = Field(default_factory=BreakerSpec, description="Per-target circuit breakers.")


class AliasSpec(_Spec):
    """A name callers ask for, and where it may be served, in order."""

    targets: list[TargetSpec] = Field(default_factory=list, description="Tried in order.")
    family: str | None = Field(
        None,
        description="A catalog family (`claude-sonnet-4-5`); with `providers`, expands at load time to one target "
        "per provider with that cloud's model id, after any `targets`.",
    )
    providers: list[str] = Field(default_factory=list, description="Provider entries that serve `family`, in order.")
    inference_profile: InferenceProfile = Field(
        "auto",
        description="Bedrock ids from `family`: `auto` uses the cross-region profile of the provider's region "
        "when there is one, `none` the in-region id, or force `us`/`eu`/`apac`/`global`.",
    )
    deployments: dict[str, Annotated[str, Field(min_length=1, pattern=_MODEL_ID)]] = Field(
        default_factory=dict,
        description="Azure deployment names for `family`, by provider entry (default: the model's name).",
    )
    fallbacks: list[str] = Field(default_factory=list, description="Other aliases, tried after every target failed.")
    deadline_s: Seconds | None = Field(None, description="This alias's deadline (default: `defaults.deadline_s`).")
    attempt_timeout_s: Seconds | None = Field(
        None, description="The longest one attempt may take (default: half this alias's deadline)."
    )
    on_error: OnError = Field(default_factory=dict)
    max_attempts: int | None = Field(None, ge=1, le=100, strict=True)
    first_token_timeout_s: Seconds | None = Field(None, description="Overrides the default for this alias.")
    stream_resume: StreamResume | None = None
    breaker: BreakerSpec | None = Field(None, description="Breaker thresholds for this alias's calls.")
    hedge: HedgeSpec | None = Field(None, description="Hedge slow first attempts (opt-in).")
    description: str = ""

    @model_validator(mode="after")
    def _family_with_providers(self) -> Any:
        if (self.family is None) != (not self.providers):
            raise ValueError("set family and providers together (family: <catalog family>, providers: [<name>...])")
        stray = sorted(set(self.deployments) - set(self.providers))
        if stray:
            raise ValueError(f"deployments names {', '.join(stray)}, which are not in providers")
        return self


class CatalogSpec(_Spec):
    """Families to add to, or change in, the shipped catalog (``ids`` merge key by key)."""

    families: dict[str, FamilyOverride] = Field(default_factory=dict)


class ConfigSpec(_Spec):
    """The whole config file."""

    version: Literal[1] = Field(1, description="The config format's version: 1.")
    providers: dict[Annotated[str, Field(pattern=_NAME)], ProviderSpec]
    models: dict[Annotated[str, Field(pattern=_NAME)], AliasSpec]
    defaults: DefaultsSpec = Field(default_factory=DefaultsSpec)
    catalog: CatalogSpec = Field(default_factory=CatalogSpec, description="Changes to the model catalog.")
    prices: list[PriceRuleSpec] = Field(
        default_factory=list,
        description="Negotiated prices and discounts over genai-prices' list prices; the most specific rule for "
        "a target applies.",
    )

    @field_validator("version", mode="before")
    @classmethod
    def _version_not_bool(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("must be the number 1, not true or false")
        return v
