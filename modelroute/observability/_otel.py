"""OpenTelemetry for modelroute, after the GenAI semantic conventions: a span per call, a child span per attempt,
the GenAI client metrics and modelroute's own. ``opentelemetry-api`` is imported only when a `Telemetry` is made
(the ``otel`` extra); without an SDK configured, its no-op providers make every span and measurement free.

Names and units (checked against the GenAI conventions' registry; `tests/observability` pins them to the
``opentelemetry-semantic-conventions`` package):

- the call span ``chat {alias}`` (kind INTERNAL) and one ``chat {model}`` span per attempt (kind CLIENT) under it,
  with ``gen_ai.operation.name``, ``gen_ai.provider.name``, ``gen_ai.request.model``, ``gen_ai.response.model``,
  ``gen_ai.response.id``, ``gen_ai.response.finish_reasons``, ``gen_ai.usage.*``, ``gen_ai.request.*`` (what the
  call set), ``error.type``, ``server.address`` / ``server.port``, ``cloud.provider`` / ``cloud.region``, and
  ``modelroute.*`` (the provider entry, the attempt's outcome, what the router did next and why, the cost);
- ``gen_ai.client.operation.duration`` (s), ``gen_ai.client.token.usage`` ({token}) and, for streams,
  ``gen_ai.client.operation.time_to_first_chunk`` (s): per attempt, as each is a request to a provider, with the
  conventions' bucket boundaries;
- ``modelroute.call.duration`` (s), ``modelroute.attempts``, ``modelroute.failovers``,
  ``modelroute.breaker.transitions`` and ``modelroute.cost``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._redact import redact
from .._types import Request, Response, Usage
from ..exceptions import MissingDependencyError
from ._events import BreakerChange, cost_of

if TYPE_CHECKING:
    from opentelemetry.trace import Span

__all__ = ["GEN_AI_PROVIDERS", "Telemetry"]

#: ``gen_ai.provider.name`` per provider kind: the conventions' well-known values (a cloud that hosts a model is
#: the provider, as the conventions say of Bedrock: Claude on Azure Foundry is Azure's model inference).
GEN_AI_PROVIDERS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "azure_openai": "azure.ai.openai",
    "azure_foundry": "azure.ai.inference",
    "vertex": "gcp.vertex_ai",
    "bedrock": "aws.bedrock",
    "bedrock_mantle": "aws.bedrock",
    "anthropic_aws": "anthropic",
}
_CLOUDS = {"aws", "azure", "gcp"}  # our clouds that are OpenTelemetry ``cloud.provider`` values
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)


class Telemetry:
    """Spans and metrics through OpenTelemetry; pass it as ``Router(..., telemetry=Telemetry())``.

    ``tracer_provider`` / ``meter_provider``: where spans and measurements go (default: the global providers, as
    your OpenTelemetry setup configured them). ``capture_content``: also record the prompt (``gen_ai.input.messages``,
    ``gen_ai.system_instructions``) and the answer (``gen_ai.output.messages``) on the call span, as the
    conventions' JSON; off by default, as they may hold personal data (registered secrets are redacted even then).
    ``spans`` / ``metrics`` turn either off. Needs the ``otel`` extra (``pip install 'modelroute[otel]'``).
    """

    def __init__(
        self,
        *,
        tracer_provider: Any = None,
        meter_provider: Any = None,
        capture_content: bool = False,
        spans: bool = True,
        metrics: bool = True,
    ) -> None:
        try:
            from opentelemetry import metrics as otel_metrics
            from opentelemetry import trace
        except ImportError:
            raise MissingDependencyError("telemetry", "OpenTelemetry", "otel") from None
        from .. import __version__

        self.capture_content = capture_content
        self._trace = trace
        self.tracer = trace.get_tracer("modelroute", __version__, tracer_provider=tracer_provider) if spans else None
        self._kind_internal = trace.SpanKind.INTERNAL
        self._kind_client = trace.SpanKind.CLIENT
        self._error = trace.StatusCode.ERROR
        self.metrics = metrics
        if not metrics:
            return
        meter = otel_metrics.get_meter("modelroute", __version__, meter_provider=meter_provider)
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration",
            unit="s",
            description="GenAI operation duration (each attempt a request to one provider).",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self.tokens = meter.create_histogram(
            "gen_ai.client.token.usage",
            unit="{token}",
            description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=TOKEN_BUCKETS,
        )
        self.first_chunk = meter.create_histogram(
            "gen_ai.client.operation.time_to_first_chunk",
            unit="s",
            description="Time to the first content of a streamed attempt, from its request.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self.call_duration = meter.create_histogram(
            "modelroute.call.duration",
            unit="s",
            description="A routed call from its start to its answer or error, failovers and waits included.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self.attempts = meter.create_counter(
            "modelroute.attempts", unit="{attempt}", description="Attempts sent, by outcome and what followed."
        )
        self.failovers = meter.create_counter(
            "modelroute.failovers",
            unit="{failover}",
            description="Attempts after which the call moved to another target.",
        )
        self.transitions = meter.create_counter(
            "modelroute.breaker.transitions", unit="{transition}", description="Circuit breaker state changes."
        )
        self.cost = meter.create_counter(
            "modelroute.cost", unit="{currency}", description="What attempts cost, in modelroute.cost.currency."
        )

    # --- spans ------------------------------------------------------------------------------------------------

    def start_call(self, request: Request, *, streamed: bool, start_ns: int) -> Span | None:
        if self.tracer is None:
            return None
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": request.model,
            "modelroute.alias": request.model,
        }
        attributes.update(request_attributes(request))
        if streamed:
            attributes["gen_ai.request.stream"] = True
        if self.capture_content:
            attributes.update(input_content(request))
        return self.tracer.start_span(
            f"chat {request.model}", kind=self._kind_internal, attributes=attributes, start_time=start_ns
        )

    def start_attempt(self, parent: Span | None, attributes: dict[str, Any], *, start_ns: int) -> Span | None:
        if self.tracer is None or parent is None:
            return None
        context = self._trace.set_span_in_context(parent)
        name = f"chat {attributes['gen_ai.request.model']}"
        return self.tracer.start_span(
            name, context=context, kind=self._kind_client, attributes=attributes, start_time=start_ns
        )

    def fail(self, span: Span, error_type: str, message: str) -> None:
        span.set_attribute("error.type", error_type)
        span.set_status(self._error, redact(message)[:500])

    def output(self, span: Span, response: Response) -> None:
        if self.capture_content:
            span.set_attributes(output_content(response))

    # --- metrics ----------------------------------------------------------------------------------------------

    def attempt_metrics(
        self,
        labels: Mapping[str, Any],
        *,
        error_type: str | None,
        more: Mapping[str, Any],
        latency_s: float,
        usage: Usage | None,
        failover: bool,
        cost: Any,
    ) -> None:
        """One attempt's measurements. ``labels``: the target's semantic-convention labels (operation, provider
        name, model, server); ``more``: modelroute's own (alias, entry, outcome, action)."""
        if not self.metrics:
            return
        semconv = labels if error_type is None else {**labels, "error.type": error_type}
        self.duration.record(latency_s, semconv)
        ours = {**semconv, **more}
        self.attempts.add(1, ours)
        if usage is not None:
            self.tokens.record(usage.input_tokens, {**labels, "gen_ai.token.type": "input"})
            self.tokens.record(usage.output_tokens, {**labels, "gen_ai.token.type": "output"})
        if failover:
            self.failovers.add(1, ours)
        amount = _amount(cost) if cost is not None else None
        if amount:
            currency = getattr(cost, "currency", None) or "USD"
            self.cost.add(amount, {**labels, **more, "modelroute.cost.currency": str(currency)})

    def breaker_metrics(self, change: BreakerChange) -> None:
        if self.metrics:
            self.transitions.add(
                1,
                {
                    "modelroute.provider": change.provider,
                    "gen_ai.request.model": change.model,
                    "modelroute.breaker.from": change.old,
                    "modelroute.breaker.to": change.new,
                },
            )


def request_attributes(request: Request) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if request.max_tokens is not None:
        out["gen_ai.request.max_tokens"] = request.max_tokens
    if request.temperature is not None:
        out["gen_ai.request.temperature"] = request.temperature
    if request.stop:
        out["gen_ai.request.stop_sequences"] = list(request.stop)
    return out


def usage_attributes(usage: Usage | None) -> dict[str, Any]:
    if usage is None:
        return {}
    out = {"gen_ai.usage.input_tokens": usage.input_tokens, "gen_ai.usage.output_tokens": usage.output_tokens}
    if usage.cache_read_tokens:
        out["gen_ai.usage.cache_read.input_tokens"] = usage.cache_read_tokens
    if usage.cache_write_tokens:
        out["gen_ai.usage.cache_creation.input_tokens"] = usage.cache_write_tokens
    if usage.reasoning_tokens:
        out["gen_ai.usage.reasoning.output_tokens"] = usage.reasoning_tokens
    return out


def cost_attributes(obj: Any) -> dict[str, Any]:
    """``modelroute.cost.*`` from an object's ``cost`` (an attempt, a response, an error), when it was priced."""
    cost = cost_of(obj)
    if cost is None:
        return {}
    out: dict[str, Any] = {}
    amount = _amount(cost)
    if amount is not None:
        out["modelroute.cost.amount"] = amount
    if getattr(cost, "estimated", False):
        out["modelroute.cost.estimated"] = True
    for name in ("currency", "reason", "source"):
        value = getattr(cost, name, None)
        if isinstance(value, str) and value:
            out[f"modelroute.cost.{name}"] = redact(value)
    return out


def _amount(cost: Any) -> float | None:
    amount = getattr(cost, "amount", None)
    try:
        return float(amount) if amount is not None else None
    except (TypeError, ValueError):
        return None


def response_attributes(response: Response) -> dict[str, Any]:
    out: dict[str, Any] = {"gen_ai.response.finish_reasons": [response.stop_reason.value]}
    if response.model:
        out["gen_ai.response.model"] = response.model
    if response.id:
        out["gen_ai.response.id"] = response.id
    out.update(usage_attributes(response.usage))
    return out


def target_attributes(kind: str, cloud: str, region: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"gen_ai.provider.name": GEN_AI_PROVIDERS.get(kind, kind), "modelroute.provider.kind": kind}
    out["modelroute.cloud"] = cloud
    if cloud in _CLOUDS:
        out["cloud.provider"] = cloud
    if region:
        out["cloud.region"] = region
    return out


# --- content (opt-in) ------------------------------------------------------------------------------------------


def input_content(request: Request) -> dict[str, str]:
    out = {"gen_ai.input.messages": _json([{"role": m.role, "parts": _parts(m.content)} for m in request.messages])}
    system = request.system
    if system:
        parts = [{"type": "text", "content": system}] if isinstance(system, str) else _parts(system)
        out["gen_ai.system_instructions"] = _json(parts)
    return out


def output_content(response: Response) -> dict[str, str]:
    message = {"role": "assistant", "parts": _parts(response.content), "finish_reason": response.stop_reason.value}
    return {"gen_ai.output.messages": _json([message])}


def _parts(parts: Sequence[Any]) -> list[dict[str, Any]]:
    return [_part(p) for p in parts]


def _part(p: Any) -> dict[str, Any]:
    kind = getattr(p, "type", type(p).__name__)
    if kind == "text":
        return {"type": "text", "content": p.text}
    if kind == "tool_call":
        return {"type": "tool_call", "id": p.id, "name": p.name, "arguments": p.arguments}
    if kind == "tool_result":
        content = p.content if isinstance(p.content, str) else _parts(p.content)
        return {"type": "tool_call_response", "id": p.tool_call_id, "response": content}
    if kind == "image":
        if getattr(p, "url", None):
            return {"type": "uri", "modality": "image", "uri": p.url}
        size = len(getattr(p, "data", None) or "")
        return {"type": "image", "mime_type": getattr(p, "media_type", None), "note": f"{size} base64 bytes omitted"}
    text = getattr(p, "text", None)
    return {"type": str(kind), **({"content": text} if isinstance(text, str) else {})}


def _json(value: Any) -> str:
    return redact(json.dumps(value, ensure_ascii=False, default=str))
