"""Fixtures every test directory may use: a guard against real credential chains, and the request-validation
tests' mock cloud (one Anthropic and one OpenAI entry, a router on it whose alias ``m`` tries Anthropic then
OpenAI, and a count of every request the cloud has received)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from modelroute import Router
from modelroute.testing import MockCloud, router_on_mock_cloud


@pytest.fixture
def no_machine_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to read this machine's AWS, Azure or Google credentials fails the test."""
    import azure.identity
    import botocore.session
    import google.auth

    def refuse(*a: object, **kw: object) -> None:
        raise AssertionError("a real credential was asked for")

    monkeypatch.setattr(botocore.session.Session, "get_credentials", refuse)
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", refuse)
    monkeypatch.setattr(google.auth, "default", refuse)


REQUEST_CONFIG: dict[str, Any] = {
    "providers": {
        "anthropic": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
        "openai": {"kind": "openai", "api_key": "${OPENAI_API_KEY}"},
    },
    "models": {"m": {"targets": ["anthropic:claude-sonnet-4-5", "openai:gpt-5"]}},
}


@pytest.fixture(scope="module")
def request_cloud() -> Iterator[tuple[MockCloud, Router, Callable[[], int]]]:
    with MockCloud() as cloud:
        router = router_on_mock_cloud(cloud, REQUEST_CONFIG)

        def sent() -> int:
            return sum(len(cloud.requests(name)) for name in cloud.entries)

        yield cloud, router, sent
        router.close()
