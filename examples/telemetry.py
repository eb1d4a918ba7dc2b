"""OpenTelemetry: a failover call as one call span with a child span per attempt, and the GenAI metrics.

Runs offline, against the built-in mock cloud, with the OpenTelemetry SDK's in-memory exporter and metric reader
(in your service, your own tracer and meter providers, exporting wherever your traces and metrics go).

    pip install 'modelroute[otel]' opentelemetry-sdk
    python examples/telemetry.py
"""

from __future__ import annotations

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from modelroute.observability import Telemetry
from modelroute.testing import Fault, MockCloud, router_on_mock_cloud

CONFIG = {
    "providers": {
        "azure": {"kind": "azure_openai", "resource": "contoso", "api_key": "${AZURE_OPENAI_API_KEY}"},
        "bedrock": {"kind": "bedrock", "region": "us-east-1", "api_key": "${AWS_BEARER_TOKEN_BEDROCK}"},
    },
    "models": {"gpt": {"targets": ["azure:gpt-prod", "bedrock:openai.gpt-oss-120b-1:0"]}},
}


def main() -> None:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    metrics = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[metrics])
    telemetry = Telemetry(tracer_provider=tracer_provider, meter_provider=meter_provider)

    with MockCloud() as cloud, router_on_mock_cloud(cloud, CONFIG, telemetry=telemetry) as router:
        cloud.script("azure", Fault.unavailable())  # Azure is down: Bedrock answers
        answer = router.complete("gpt", [{"role": "user", "content": "Hello!"}])
        print(answer.text, "<-", answer.served_by)

    finished = spans.get_finished_spans()
    call = next(s for s in finished if s.parent is None)
    print(f"{call.name}: {call.attributes['gen_ai.provider.name']}, {call.attributes['modelroute.attempts']} attempts")
    for span in sorted((s for s in finished if s.parent is not None), key=lambda s: s.start_time):
        a = span.attributes
        outcome = a.get("error.type") or a["modelroute.attempt.action"]
        print(f"  {span.name} [{a['gen_ai.provider.name']}, {a['modelroute.provider']}]: {outcome}")
        if "modelroute.attempt.reason" in a:
            print(f"    then: {a['modelroute.attempt.action']} ({a['modelroute.attempt.reason']})")

    data = metrics.get_metrics_data()
    for metric in (m for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics):
        points = metric.data.data_points
        total = sum(getattr(p, "sum", None) or getattr(p, "value", 0) for p in points)
        print(f"metric {metric.name} ({metric.unit}): {len(points)} series, total {total:g}")
    tracer_provider.shutdown()
    meter_provider.shutdown()


if __name__ == "__main__":
    main()
