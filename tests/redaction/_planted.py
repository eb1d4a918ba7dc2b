"""The planted secrets: one recognisable value per credential slot of every provider kind, the config that uses
them, fake Entra ID / Google ADC / AWS chain sources that hand out planted tokens, and the calls that drive a
router through a scenario and show the `Observer` everything that came out."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from botocore.credentials import RefreshableCredentials
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from modelroute import Router
from modelroute.exceptions import ModelRouteError
from modelroute.observability import Hooks, Telemetry

from ._observe import Observer

HI = [{"role": "user", "content": "Hi"}]

# Each slot's planted value; every value is sendable (printable ASCII) and found nowhere else in the tests.
SLOTS = {
    "OPENAI_KEY": "pl4nted-openai-api-key-0a1b2c",
    "ANTHROPIC_KEY": "pl4nted-anthropic-api-key-3d4e5f",
    "AZURE_KEY": "pl4nted-azure-api-key-6a7b8c",
    "AZURE_V1_KEY": "pl4nted-azure-v1-api-key-9d0e1f",
    "AZURE_TOKEN": "pl4nted-azure-access-token-2a3b4c",
    "FOUNDRY_KEY": "pl4nted-foundry-api-key-5d6e7f",
    "FOUNDRY_TOKEN": "pl4nted-foundry-access-token-8a9b0c",
    "VERTEX_TOKEN": "pl4nted-vertex-access-token-1d2e3f",
    "BEDROCK_KEY": "pl4nted-bedrock-api-key-4a5b6c",
    "AWS_AK": "AKIAPL4NTEDACCESSKEY",
    "AWS_SK": "pl4nted/aws/secret/access/key/7d8e9f0a1b2c",
    "AWS_ST": "pl4nted-aws-session-token-3d4e5f6a7b8c",
    "MANTLE_KEY": "pl4nted-mantle-api-key-9d0e1f",
    "CLAUDE_AWS_KEY": "pl4nted-claude-aws-api-key-2a3b4c",
    "PATH_SECRET": "pl4nted-gateway-path-token-5d6e7f",
}
# What the fake ambient sources hand out.
ENTRA_TOKEN = "pl4nted-entra-id-token-8a9b0c"
GOOGLE_TOKEN = "pl4nted-google-adc-token-1d2e3f"
CHAIN = {"AK": "AKIAPL4NTEDCHAINKEY0", "SK": "pl4nted/chain/secret/key/4a5b6c7d8e9f", "ST": "pl4nted-chain-token-0a1b"}
SECRETS = [*SLOTS.values(), ENTRA_TOKEN, GOOGLE_TOKEN, *CHAIN.values()]

_AWS = {"region": "us-east-1"}
_SIGV4 = {"aws_access_key_id": "${AWS_AK}", "aws_secret_access_key": "${AWS_SK}", "aws_session_token": "${AWS_ST}"}
# Every provider kind with every way it takes a credential: (spec, model).
ENTRIES: dict[str, tuple[dict[str, Any], str]] = {
    "openai": ({"kind": "openai", "api_key": "${OPENAI_KEY}"}, "gpt-x"),
    "anthropic": ({"kind": "anthropic", "api_key": "${ANTHROPIC_KEY}"}, "claude-x"),
    "azure-key": ({"kind": "azure_openai", "resource": "r", "api_key": "${AZURE_KEY}"}, "gpt-prod"),
    "azure-v1": ({"kind": "azure_openai", "resource": "r", "api_version": "v1", "api_key": "${AZURE_V1_KEY}"}, "gpt"),
    "azure-token": ({"kind": "azure_openai", "resource": "r", "access_token": "${AZURE_TOKEN}"}, "gpt-prod"),
    "azure-entra": ({"kind": "azure_openai", "resource": "r", "entra_id": True}, "gpt-prod"),
    "foundry-key": ({"kind": "azure_foundry", "resource": "r", "api_key": "${FOUNDRY_KEY}"}, "claude-x"),
    "foundry-token": ({"kind": "azure_foundry", "resource": "r", "access_token": "${FOUNDRY_TOKEN}"}, "claude-x"),
    "foundry-entra": ({"kind": "azure_foundry", "resource": "r", "entra_id": True}, "claude-x"),
    "vertex-token": (
        {"kind": "vertex", "project": "p", "region": "global", "access_token": "${VERTEX_TOKEN}"},
        "claude-x@1",
    ),
    "vertex-adc": ({"kind": "vertex", "project": "p", "region": "global"}, "claude-x@1"),
    "bedrock-key": ({"kind": "bedrock", **_AWS, "api_key": "${BEDROCK_KEY}"}, "anthropic.claude-x"),
    "bedrock-sigv4": ({"kind": "bedrock", **_AWS, **_SIGV4}, "anthropic.claude-x"),
    "bedrock-chain": ({"kind": "bedrock", **_AWS}, "anthropic.claude-x"),
    "mantle-key": ({"kind": "bedrock_mantle", **_AWS, "api_key": "${MANTLE_KEY}"}, "anthropic.claude-x"),
    "mantle-sigv4": ({"kind": "bedrock_mantle", **_AWS, **_SIGV4}, "anthropic.claude-x"),
    "claude-aws-key": (
        {"kind": "anthropic_aws", **_AWS, "workspace_id": "w", "api_key": "${CLAUDE_AWS_KEY}"},
        "claude-x",
    ),
    "claude-aws-sigv4": ({"kind": "anthropic_aws", **_AWS, "workspace_id": "w", **_SIGV4}, "claude-x"),
}


def spare(name: str) -> str:
    """The healthy fallback of ``name``'s alias (itself planted)."""
    return "anthropic" if name == "openai" else "openai"


def config(defaults: dict[str, Any] | None = None, base_urls: dict[str, str] | None = None) -> dict[str, Any]:
    """Every entry, and one alias per entry (named after it) that falls back to a spare entry."""
    providers = {}
    for name, (spec, _model) in ENTRIES.items():
        if base_urls:  # a base_url replaces an Azure resource name
            providers[name] = {k: v for k, v in spec.items() if k != "resource"} | {"base_url": base_urls[name]}
        else:
            providers[name] = spec
    models = {
        name: {"targets": [f"{name}:{model}", f"{spare(name)}:{ENTRIES[spare(name)][1]}"]}
        for name, (_spec, model) in ENTRIES.items()
    }
    return {"providers": providers, "models": models, "defaults": defaults or {}}


@dataclasses.dataclass
class _Token:
    token: str
    expires_on: int


class FakeEntra:
    def __init__(self, **kw: Any) -> None:
        pass

    def get_token(self, *scopes: str, **kw: Any) -> _Token:
        return _Token(ENTRA_TOKEN, 4_000_000_000)


class FakeGoogleCredentials:
    token: str | None = None
    expiry = None
    valid = False

    def refresh(self, request: Any) -> None:
        self.token, self.valid = GOOGLE_TOKEN, True


def fake_chain() -> RefreshableCredentials:
    metadata = {"access_key": CHAIN["AK"], "secret_key": CHAIN["SK"], "token": CHAIN["ST"]}
    return RefreshableCredentials.create_from_metadata(
        {**metadata, "expiry_time": "2100-01-01T00:00:00Z"}, refresh_using=lambda: metadata, method="fake-chain"
    )


def fake_ambient_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """Entra ID, Google ADC and the AWS chain hand out planted credentials; no real chain ever runs."""
    import azure.identity
    import botocore.session
    import google.auth

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", FakeEntra)
    monkeypatch.setattr(google.auth, "default", lambda scopes=None, **kw: (FakeGoogleCredentials(), "p"))
    monkeypatch.setattr(botocore.session.Session, "get_credentials", lambda self: fake_chain())


# --- driving a scenario -------------------------------------------------------------------------------------


def drive(router: Router, alias: str, mode: str, obs: Observer, label: str) -> Any:
    """One sync call in ``mode`` (complete, stream); everything it returned or raised is seen."""
    try:
        if mode == "complete":
            result: Any = router.complete(alias, HI)
        else:
            with router.stream(alias, HI) as s:
                events = list(s)
            obs.see(f"{label} events", events)
            result = s.response
    except ModelRouteError as e:
        return _failed(e, obs, label)
    obs.see(f"{label} response", result)
    return result


async def adrive(router: Router, alias: str, mode: str, obs: Observer, label: str) -> Any:
    """One async call in ``mode`` (acomplete, astream); everything it returned or raised is seen."""
    try:
        if mode == "acomplete":
            result: Any = await router.acomplete(alias, HI)
        else:
            async with router.astream(alias, HI) as s:
                events = [e async for e in s]
            obs.see(f"{label} events", events)
            result = await s.get_final_response()
    except ModelRouteError as e:
        return _failed(e, obs, label)
    obs.see(f"{label} response", result)
    return result


def _failed(e: ModelRouteError, obs: Observer, label: str) -> ModelRouteError:
    obs.see(f"{label} error", e)
    obs.see_pickle(f"{label} error", e)
    return e


def see_router(router: Router, obs: Observer, label: str) -> None:
    """The router and what it holds, as reprs and dumps show them; its config's pickle; every alias's plan."""
    obs.see(f"{label} router", router)
    obs.see(f"{label} config", router.config)
    obs.see(f"{label} config asdict", dataclasses.asdict(router.config))
    obs.see_pickle(f"{label} config", router.config)
    for name, route in router._routes.items():
        obs.see(f"{label} route {name}", route)
        obs.see(f"{label} signer {name}", route._signer)
    for alias in router.config.spec.models:
        plan = router.explain(alias)
        obs.see(f"{label} explain {alias}", plan)
        obs.see_text(f"{label} explain {alias} text", str(plan))


# --- the observability surfaces ------------------------------------------------------------------------------


class Surfaces:
    """A router's telemetry (OpenTelemetry with content capture on, the worst case: prompts and answers are
    recorded) and hooks (every payload kept), and `show`, which hands all of it to the `Observer`: every span
    (its JSON, attributes, events, status), every metric point, every hook payload, and the router's health."""

    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.metrics = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.metrics])
        self.payloads: list[Any] = []
        keep = self.payloads.append
        self.hooks = Hooks(on_attempt=keep, on_response=keep, on_error=keep, on_breaker_change=keep)

    def options(self) -> dict[str, Any]:
        telemetry = Telemetry(
            tracer_provider=self.tracer_provider, meter_provider=self.meter_provider, capture_content=True
        )
        return {"telemetry": telemetry, "hooks": self.hooks}

    def show(self, router: Router, obs: Observer, label: str) -> None:
        assert self.hooks.flush()
        spans = self.spans.get_finished_spans()
        assert spans and self.payloads, "the scenarios made spans and hook events"
        for i, span in enumerate(spans):
            where = f"{label} span[{i}] {span.name}"
            obs.see_text(f"{where} json", span.to_json())
            obs.see(f"{where} attributes", dict(span.attributes or {}))
            obs.see(f"{where} events", [(e.name, dict(e.attributes or {})) for e in span.events])
            obs.see_text(f"{where} status", str(span.status.description))
        data = self.metrics.get_metrics_data()
        assert data is not None
        obs.see_text(f"{label} metrics json", data.to_json())
        obs.see(f"{label} hook payloads", list(self.payloads))
        health = router.health()
        obs.see(f"{label} health", health)
        obs.see_text(f"{label} health text", str(health))
        obs.see(f"{label} health dict", health.to_dict())
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()
