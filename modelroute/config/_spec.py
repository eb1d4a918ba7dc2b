"""The config spec: pydantic models for the YAML/dict a platform team writes. Data only; no I/O.

```yaml
providers:            # where models are served, and how to reach them
  <name>: {kind: openai | anthropic, api_key: ${ENV_VAR}, base_url: ..., region: ...}
models:               # the aliases callers ask for
  <alias>:
    targets: [{provider: <name>, model: <id>}, "<name>:<id>"]   # tried in order
    fallbacks: [<alias>, ...]                                    # then these aliases, in order
defaults: {deadline_s: 60, attempt_timeout_s: 30, ...}
```
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..exceptions import ErrorKind

__all__ = [
    "AliasSpec",
    "AnthropicProviderSpec",
    "BreakerSpec",
    "ConfigSpec",
    "DefaultsSpec",
    "ErrorPolicySpec",
    "HedgeSpec",
    "OpenAIProviderSpec",
    "ProviderSpec",
    "TargetSpec",
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


ProviderSpec = Annotated[OpenAIProviderSpec | AnthropicProviderSpec, Field(discriminator="kind")]

PROVIDER_KINDS: dict[str, type[_ProviderBase]] = {
    "openai": OpenAIProviderSpec,
    "anthropic": AnthropicProviderSpec,
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

StreamResume = Literal["error", "continue"]

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
    open_s: float = Field(30.0, gt=0, description="How long an open breaker keeps the target out before a probe.")
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
        "error",
        description="A stream that breaks after text reached the caller: `error` raises StreamInterrupted; "
        "`continue` resumes on the next target (prefilled where the route supports it) after a `seam` event.",
    )
    breaker: BreakerSpec = Field(default_factory=BreakerSpec, description="Per-target circuit breakers.")


class AliasSpec(_Spec):
    """A name callers ask for, and where it may be served, in order."""

    targets: list[TargetSpec] = Field(default_factory=list, description="Tried in order.")
    fallbacks: list[str] = Field(default_factory=list, description="Other aliases, tried after every target failed.")
    deadline_s: float | None = Field(None, gt=0)
    attempt_timeout_s: float | None = Field(None, gt=0)
    on_error: OnError = Field(default_factory=dict)
    max_attempts: int | None = Field(None, ge=1, le=100)
    stream_resume: StreamResume | None = None
    breaker: BreakerSpec | None = Field(None, description="Breaker thresholds for this alias's calls.")
    hedge: HedgeSpec | None = Field(None, description="Hedge slow first attempts (opt-in).")
    description: str = ""


class ConfigSpec(_Spec):
    """The whole config file."""

    version: Literal[1] = 1
    providers: dict[Annotated[str, Field(pattern=_NAME)], ProviderSpec]
    models: dict[Annotated[str, Field(pattern=_NAME)], AliasSpec]
    defaults: DefaultsSpec = Field(default_factory=DefaultsSpec)
