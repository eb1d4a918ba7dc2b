"""Entra ID and Google signers: tokens cached, refreshed before expiry, never shown; wired into the routes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import azure.identity
import pytest

from modelroute import Router, load_config
from modelroute.auth.azure import REFRESH_MARGIN_S, EntraIDAuth
from modelroute.auth.google import GoogleAuth
from modelroute.exceptions import AuthError
from modelroute.testing import FakeClock, Fault, MockCloud, router_on_mock_cloud


@dataclass
class AccessToken:
    token: str
    expires_on: int


class FakeAzureCredential:
    """azure-core's TokenCredential surface: ``get_token(*scopes) -> AccessToken``; tokens live an hour."""

    clock: FakeClock | None = None

    def __init__(self, **kwargs: Any) -> None:
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.extend(scopes)
        now = self.clock() if self.clock else 0.0
        return AccessToken(f"entra-{len(self.scopes)}", int(now) + 3600)


def test_entra_token_is_cached_and_refreshed_before_it_expires() -> None:
    clock = FakeClock()
    FakeAzureCredential.clock = clock
    cred = FakeAzureCredential()
    auth = EntraIDAuth("https://cognitiveservices.azure.com/.default", credential=cred, clock=clock)
    headers: dict[str, str] = {}
    auth.apply("POST", "https://x", headers, b"")
    assert headers["authorization"] == "Bearer entra-1"
    clock.advance(3600 - REFRESH_MARGIN_S - 1)
    assert auth.token() == "entra-1"  # still more than the margin to live
    clock.advance(2)
    assert auth.token() == "entra-2"  # inside the margin: refreshed
    assert cred.scopes == ["https://cognitiveservices.azure.com/.default"] * 2
    assert "entra" not in repr(auth)


def test_entra_failure_is_an_auth_error_that_hides_the_details() -> None:
    class Broken:
        def get_token(self, *scopes: str) -> Any:
            raise RuntimeError("tenant 1234 secret=abc")

    with pytest.raises(AuthError) as e:
        EntraIDAuth("s", credential=Broken()).token()
    assert "secret" not in str(e.value) and "RuntimeError" in str(e.value)


def test_google_token_is_renewed_ahead_of_its_expiry() -> None:
    now = [1_700_000_000.0]

    class Creds:
        valid, token, expiry, refreshes = False, None, None, 0

        def refresh(self, request: Any) -> None:
            self.refreshes += 1
            self.token, self.valid = f"g-{self.refreshes}", True
            self.expiry = datetime.fromtimestamp(now[0] + 3600, UTC).replace(tzinfo=None)  # google-auth: naive UTC

    creds = Creds()
    auth = GoogleAuth(credentials=creds, request_factory=object, clock=lambda: now[0])
    assert [auth.token(), auth.token()] == ["g-1", "g-1"]
    now[0] += 3600 - REFRESH_MARGIN_S - 1
    assert auth.token() == "g-1"  # still more than the margin to live
    now[0] += 2
    assert auth.token() == "g-2" and creds.refreshes == 2 and "g-" not in repr(auth)


CONFIG: dict[str, Any] = {
    "providers": {
        "az": {"kind": "azure_openai", "resource": "r", "entra_id": True, "region": "westeurope"},
        "fd": {"kind": "azure_foundry", "resource": "r", "entra_id": True},
        "vx": {"kind": "vertex", "project": "p", "region": "global"},
    },
    "models": {
        "gpt": {"targets": ["az:gpt-prod"]},
        "claude": {"targets": ["fd:claude-sonnet-5-5", "vx:claude-sonnet-5-5"]},
    },
}


def _router_with_real_signers(cloud: MockCloud, config: dict[str, Any]) -> Router:
    """Like router_on_mock_cloud, but keeping Entra ID and ADC (which it replaces with fake tokens)."""
    cfg = load_config(config)
    for name, p in cfg.spec.providers.items():
        cloud.add(name, route=p.kind, region=p.region)
    return Router(cfg.with_base_urls({name: cloud.url(name) for name in cfg.spec.providers}))


def test_router_on_mock_cloud_never_reaches_for_entra_id_or_adc(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*a: Any, **kw: Any) -> Any:
        raise AssertionError("a real credential was asked for")

    import google.auth

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", refuse)
    monkeypatch.setattr(google.auth, "default", refuse)
    with MockCloud() as cloud, router_on_mock_cloud(cloud, CONFIG) as router:
        assert router.complete("gpt", [{"role": "user", "content": "Hi"}]).text == "Hello from az."
        cloud.script("fd", Fault.unauthorized())
        r = router.complete("claude", [{"role": "user", "content": "Hi"}])
        assert r.served_by is not None and r.served_by.provider == "vx"
        assert cloud.requests("az")[-1].headers["authorization"] == "Bearer mock-azure_access_token"
        assert cloud.requests("vx")[-1].headers["authorization"] == "Bearer mock-google_access_token"


def test_entra_id_and_adc_through_the_router(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeAzureCredential.clock = None
    made: list[FakeAzureCredential] = []

    def factory(**kw: Any) -> FakeAzureCredential:
        made.append(FakeAzureCredential())
        return made[-1]

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", factory)

    class Creds:
        valid, token = True, "adc-token"

    import google.auth

    monkeypatch.setattr(google.auth, "default", lambda scopes=None, **kw: (Creds(), "p"))
    with MockCloud() as cloud, _router_with_real_signers(cloud, CONFIG) as router:
        assert router.complete("gpt", [{"role": "user", "content": "Hi"}]).text == "Hello from az."
        assert cloud.requests("az")[-1].headers["authorization"] == "Bearer entra-1"
        assert "api-key" not in cloud.requests("az")[-1].headers
        cloud.script("fd", Fault.unauthorized())
        r = router.complete("claude", [{"role": "user", "content": "Hi"}])
        assert r.served_by is not None and r.served_by.provider == "vx" and r.served_by.cloud == "gcp"
        assert cloud.requests("fd")[-1].headers["authorization"] == "Bearer entra-1"
        assert cloud.requests("vx")[-1].headers["authorization"] == "Bearer adc-token"
    assert [c.scopes for c in made] == [
        ["https://cognitiveservices.azure.com/.default"],
        ["https://ai.azure.com/.default"],
    ]


def test_a_streamed_call_whose_target_has_an_unset_secret_fails_over_with_kind_auth() -> None:
    config = {
        "providers": {
            "unset": {"kind": "openai", "api_key": "${NOT_SET_ANYWHERE}"},
            "set": {"kind": "anthropic", "api_key": "${SET_KEY}"},
        },
        "models": {"m": {"targets": ["unset:gpt-x", "set:claude-x"]}},
    }
    with MockCloud() as cloud:
        cloud.add("unset", route="openai")
        cloud.add("set", route="anthropic")
        cfg = load_config(config, env={"SET_KEY": "sk-set-key-0001"}).with_base_urls(
            {n: cloud.url(n) for n in ("unset", "set")}
        )
        with Router(cfg) as router, router.stream("m", [{"role": "user", "content": "Hi"}]) as s:
            assert "".join(s.text()) == "Hello from set."
        kinds = [(a.provider, a.kind.value if a.kind else None) for a in s.response.trace]
        assert kinds == [("unset", "auth"), ("set", None)]

        async def astream() -> list[tuple[str, str | None]]:
            async with Router(cfg) as router:
                a = router.astream("m", [{"role": "user", "content": "Hi"}])
                assert [t async for t in a.text()] and a.response.served_by is not None
                return [(x.provider, x.kind.value if x.kind else None) for x in a.response.trace]

        assert asyncio.run(astream()) == kinds
        assert cloud.requests("unset") == []
