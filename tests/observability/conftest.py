"""What the observability tests share: a mock cloud with three entries on three clouds (Azure OpenAI, Bedrock,
the OpenAI API), an OpenTelemetry SDK with an in-memory span exporter and metric reader, and a router on both
with fake time."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from modelroute import Router
from modelroute.observability import Telemetry
from modelroute.testing import FakeClock, MockCloud, router_on_mock_cloud

CONFIG: dict[str, Any] = {
    "providers": {
        "azure": {"kind": "azure_openai", "resource": "contoso", "api_key": "${AZURE_OPENAI_API_KEY}"},
        "bedrock": {"kind": "bedrock", "region": "eu-central-1", "api_key": "${BEDROCK_API_KEY}"},
        "openai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
    },
    "models": {
        "chat": {"targets": ["azure:gpt-prod", "bedrock:openai.gpt-oss-120b-1:0", "openai:gpt-5"]},
    },
    "defaults": {"deadline_s": 30},
}


@dataclass
class Otel:
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def points(self, name: str) -> list[Any]:
        """Every data point of the metric ``name`` (all scopes)."""
        data = self.metrics.get_metrics_data()
        found = []
        for rm in data.resource_metrics if data is not None else []:
            for sm in rm.scope_metrics:
                for m in sm.metrics:
                    if m.name == name:
                        found.extend(m.data.data_points)
        return found

    def metric(self, name: str) -> Any:
        data = self.metrics.get_metrics_data()
        for rm in data.resource_metrics if data is not None else []:
            for sm in rm.scope_metrics:
                for m in sm.metrics:
                    if m.name == name:
                        return m
        return None


@pytest.fixture
def otel() -> Iterator[Otel]:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    yield Otel(exporter, reader, tracer_provider, meter_provider)
    tracer_provider.shutdown()
    meter_provider.shutdown()


@pytest.fixture(scope="module")
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as c:
        for name, p in CONFIG["providers"].items():
            c.add(name, route=p["kind"], region=p.get("region"))
        yield c


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_router(cloud: MockCloud, clock: FakeClock, config: dict[str, Any] | None = None, **options: Any) -> Router:
    cloud.reset()
    defaults: dict[str, Any] = {
        "clock": clock,
        "sleep": clock.sleep,
        "async_sleep": clock.async_sleep,
        "rng": random.Random(0),
    }
    return router_on_mock_cloud(cloud, config or CONFIG, **{**defaults, **options})


def telemetry(otel: Otel, **options: Any) -> Telemetry:
    return Telemetry(tracer_provider=otel.tracer_provider, meter_provider=otel.meter_provider, **options)
