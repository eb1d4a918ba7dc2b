"""The config spec: pydantic models for the YAML/dict a platform team writes. Data only; no I/O.

```yaml
providers:            # where models are served, and how to reach them
  <name>: {kind: openai | anthropic | azure_openai | azure_foundry | vertex | bedrock | bedrock_mantle | anthropic_aws,
           api_key: ${ENV_VAR}, region: ...}
models:               # the aliases callers ask for
  <alias>:
    targets: [{provider: <name>, model: <id>}, "<name>:<id>"]   # tried in order
    family: claude-sonnet-4-5                                    # or: a catalog family...
    providers: [foundry, bedrock, vertex]                        # ...served by these, each with its own id
    fallbacks: [<alias>, ...]                                    # then these aliases, in order
defaults: {deadline_s: 60, attempt_timeout_s: 30, ...}
```
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..catalog import FamilyOverride, InferenceProfile
from ..exceptions import ErrorKind

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
    connect_timeout_s: float | None = Field(None, gt=0, description="Override the default connect timeout.")
    first_byte_timeout_s: float | None = Field(None, gt=0, description="Override the default first-byte timeout.")
    stall_timeout_s: float | None = Field(None, gt=0, description="Override the default stall timeout.")


class _ProviderBase(ProviderTimeoutsMixin):
    """Fields every provider entry has."""

    cloud: ClassVar[str] = ""
    kind: str
    base_url: str | None = Field(
        None,
        description="Override the endpoint: a private endpoint, a proxy, an OpenAI-compatible server, the mock "
        "cloud. May contain ${ENV} references.",
    )
    region: str | None = Field(None, description="Where this entry serves from; reported in `served_by`.")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra, non-secret HTTP headers to send.")
    max_connections: int = Field(256, gt=0, le=10_000, description="Connection-pool size for this entry.")

    @field_validator("headers")
    @classmethod
    def _no_auth_headers(cls, v: dict[str, str]) -> dict[str, str]:
        banned = {"authorization", "x-api-key", "api-key"}
        bad = sorted(k for k in v if k.lower() in banned)
        if bad:
            raise ValueError(f"credentials may not be set as headers ({', '.join(bad)}); use api_key: ${{ENV_VAR}}")
        return {k.lower(): val for k, val in v.items()}

    def extra_needed(self) -> tuple[str, str, str, tuple[str, ...]] | None:
        """``(field, what, extra, modules)`` when this entry's settings need an optional dependency, else None.
        The loader checks the modules can be found (without importing them) and names the pip command."""
        return None


class OpenAIProviderSpec(_ProviderBase):
    """The OpenAI API, or any OpenAI-compatible server (set ``base_url``)."""

    cloud: ClassVar[str] = "openai"
    kind: Literal["openai"]
    api_key: SecretRef = Field(description="`${ENV_VAR}` holding the API key (sent as a Bearer token).")
    organization: str | None = None
    project: str | None = None
    max_tokens_field: Literal["max_completion_tokens", "max_tokens"] = Field(
        "max_completion_tokens", description="Use `max_tokens` for older OpenAI-compatible servers."
    )


class AnthropicProviderSpec(_ProviderBase):
    """The Anthropic API."""

    cloud: ClassVar[str] = "anthropic"
    kind: Literal["anthropic"]
    api_key: SecretRef = Field(description="`${ENV_VAR}` holding the API key (sent as a Bearer token).")
    anthropic_version: str = Field("2026-10-21", description="The `anthropic-version` header.")


_RESOURCE = r"^[A-Za-z0-9][A-Za-z0-9\-]*$"
AZURE_COGNITIVE_SCOPE = "https://cognitiveservices.azure.com/.default"
AZURE_AI_SCOPE = "https://ai.azure.com/.default"


class _AzureAuthMixin(_Spec):
    """One way to authenticate to Azure: a key, a bearer token from the environment, or Entra ID."""

    api_key: SecretRef | None = Field(None, description="`${ENV_VAR}` holding the resource's key.")
    access_token: SecretRef | None = Field(
        None, description="`${ENV_VAR}` holding an Entra ID access token (sent as a Bearer token, never refreshed)."
    )
    entra_id: bool = Field(
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
    api_version: str = Field(
        "2024-10-21",
        min_length=1,
        description="`v1` for https://{resource}.openai.azure.com/openai/v1/ (key sent as a Bearer token), or a "
        "dated version for the deployments path (key sent as `api-key`).",
    )
    entra_scope: str = Field(AZURE_COGNITIVE_SCOPE, description="The scope Entra ID tokens are requested for.")
    max_tokens_field: Literal["max_completion_tokens", "max_tokens"] = Field(
        "max_completion_tokens", description="Use `max_tokens` for deployments of older models."
    )


class AzureFoundryProviderSpec(_AzureAuthMixin, _ResourceMixin, _ProviderBase):
    """Claude on Microsoft Foundry: Anthropic Messages at https://{resource}.services.ai.azure.com/anthropic."""

    cloud: ClassVar[str] = "azure"
    kind: Literal["azure_foundry"]
    anthropic_version: str = Field("2026-10-21", description="The `anthropic-version` header.")
    entra_scope: str = Field(AZURE_AI_SCOPE, description="The scope Entra ID tokens are requested for.")


class VertexProviderSpec(_ProviderBase):
    """Claude on Google Vertex AI (``:rawPredict`` / ``:streamRawPredict``). A target's ``model`` is the Vertex
    model name, e.g. ``claude-sonnet-4-5@20250929``."""

    cloud: ClassVar[str] = "gcp"
    kind: Literal["vertex"]
    project: str = Field(
        min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$", description="The Google Cloud project id."
    )
    region: str = Field(  # required here, optional on other kinds
        min_length=1,
        pattern=r"^[a-z0-9\-]+$",
        description="The Vertex location: a region (`us-east5`), `global`, or a multi-region (`us`, `eu`).",
    )
    access_token: SecretRef | None = Field(
        None,
        description="`${ENV_VAR}` holding an OAuth access token; without it, Google Application Default "
        "Credentials are used (needs `modelroute[vertex]`).",
    )
    anthropic_version: str = Field("vertex-2023-10-16", description="The body's `anthropic_version`.")

    def extra_needed(self) -> tuple[str, str, str, tuple[str, ...]] | None:
        if self.access_token is None:
            what = "Google Application Default Credentials (used when access_token is not set)"
            return ("access_token", what, "vertex", ("google.auth", "requests"))
        return None


AWS_REGION = r"^[a-z]{2}(-[a-z]+)+-\d+$"


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
    profile: str | None = Field(None, description="A named profile for the default credential chain (SigV4).")

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
    anthropic_version: str = Field(
        "bedrock-2023-05-31", description="The body's `anthropic_version` (AWS documents bedrock-2023-05-31)."
    )
    max_tokens_field: Literal["max_completion_tokens", "max_tokens"] = Field(
        "max_completion_tokens", description="The OpenAI dialect's max-tokens field."
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
    anthropic_version: str = Field("2023-06-01", description="The `anthropic-version` header (anthropic dialect).")
    max_tokens_field: Literal["max_completion_tokens", "max_tokens"] = Field(
        "max_completion_tokens", description="The OpenAI dialect's max-tokens field."
    )


class AnthropicAWSProviderSpec(_AWSProviderBase):
    """Claude Platform on AWS (Anthropic-operated, billed through AWS): the first-party Messages API at
    ``aws-external-anthropic.{region}.api.aws``, SigV4 service ``aws-external-anthropic`` or an API key."""

    kind: Literal["anthropic_aws"]
    workspace_id: str = Field(min_length=1, description="The `anthropic-workspace-id` header (required).")
    anthropic_version: str = Field("2026-10-21", description="The `anthropic-version` header.")


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

    provider: str = Field(min_length=1, description="A name under `providers`.")
    model: str = Field(min_length=1, description="The model id at that provider.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            provider, sep, model = data.partition(":")
            if not sep or not provider or not model:
                raise ValueError(f"target {data!r} must be 'provider:model' or {{provider: ..., model: ...}}")
            return {"provider": provider, "model": model}
        return data


Action = Literal["failover", "stop"]


class HedgeSpec(_Spec):
    """Hedged requests (``acomplete`` only): when the first attempt has not answered after ``after_s`` (seconds,
    or ``p95``: its target's recent 95th-percentile latency), send the same request to the next target; the
    first good answer wins and the other attempt is cancelled, its connection closed."""

    after_s: float | Literal["p95"] = Field("p95", description="Seconds before the hedge, or `p95`.")
    initial_after_s: float = Field(
        1.0, gt=0, description="The delay used with `p95` until `min_samples` latencies are known."
    )
    min_samples: int = Field(20, ge=1, description="Latencies needed before the p95 is trusted.")
    max_share: float = Field(
        0.1, gt=0, le=1, description="The share of the last 200 calls that may be hedged (0.1: at most 20)."
    )

    @field_validator("after_s", mode="before")
    @classmethod
    def _seconds_or_p95(cls, v: Any) -> Any:
        if v == "p95":
            return v
        if isinstance(v, bool) or not isinstance(v, float | int) or v < 0:
            raise ValueError(f"after_s must be a number of seconds >= 0, or 'p95' (got {v!r})")
        return float(v)


class ErrorPolicySpec(_Spec):
    """What the router does after one error kind (fields left out keep the default table's values)."""

    action: Action | None = Field(None, description="After the retries: fail over to the next target, or stop.")
    retries: int | None = Field(None, ge=0, le=10, description="Retries on the same target before the action.")
    cooldown_s: float | None = Field(None, ge=0, description="Keep the target out of plans this long.")


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

    enabled: bool = Field(True, description="Set false to never skip a target for its failures.")
    failures: int = Field(5, ge=1, le=1000, description="Consecutive failures that open the breaker.")
    failure_rate: float = Field(0.5, gt=0, le=1, description="Share of failed attempts in the window that opens it.")
    min_calls: int = Field(20, ge=1, description="Attempts the window needs before the failure rate counts.")
    window_s: float = Field(60.0, gt=0, description="The failure-rate window.")
    open_s: float = Field(
        5.0,
        gt=0,
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

    deadline_s: float = Field(60.0, gt=0, description="One deadline for the whole call, retries and fallbacks.")
    attempt_timeout_s: float = Field(30.0, gt=0, description="The longest one attempt may take.")
    connect_timeout_s: float = Field(5.0, gt=0)
    first_byte_timeout_s: float = Field(30.0, gt=0, description="Until the response headers (streams: first chunk).")
    stall_timeout_s: float = Field(30.0, gt=0, description="The longest silence allowed inside a response body.")
    max_retry_wait_s: float = Field(
        2.0,
        ge=0,
        description="The longest Retry-After worth waiting for on the same target; longer ones fail over.",
    )
    backoff_base_s: float = Field(0.25, ge=0, description="First retry backoff (exponential, full jitter).")
    backoff_max_s: float = Field(4.0, ge=0)
    on_error: OnError = Field(default_factory=dict, description="Changes to the default action table, per kind.")
    min_attempt_s: float = Field(
        0.25,
        ge=0,
        description="An attempt is not started (nor waited for) with less than this left of the call's deadline.",
    )
    max_attempts: int = Field(8, ge=1, le=100, description="The most requests one call sends, retries included.")
    wait_for_reopen_s: float = Field(
        5.0,
        ge=0,
        description="When every target is cooling down or open, the longest the call waits for the first to "
        "reopen (within the deadline); past that it fails at once with `retry_after_s` set.",
    )
    first_token_timeout_s: float | None = Field(
        None, gt=0, description="Streams: the longest an attempt may take to deliver its first content."
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
    deployments: dict[str, str] = Field(
        default_factory=dict,
        description="Azure deployment names for `family`, by provider entry (default: the model's name).",
    )
    fallbacks: list[str] = Field(default_factory=list, description="Other aliases, tried after every target failed.")
    deadline_s: float | None = Field(None, gt=0)
    attempt_timeout_s: float | None = Field(None, gt=0)
    on_error: OnError = Field(default_factory=dict)
    max_attempts: int | None = Field(None, ge=1, le=100)
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

    version: Literal[1] = 1
    providers: dict[Annotated[str, Field(pattern=_NAME)], ProviderSpec]
    models: dict[Annotated[str, Field(pattern=_NAME)], AliasSpec]
    defaults: DefaultsSpec = Field(default_factory=DefaultsSpec)
    catalog: CatalogSpec = Field(default_factory=CatalogSpec, description="Changes to the model catalog.")
