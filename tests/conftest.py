"""Fixtures every test directory may use."""

from __future__ import annotations

import pytest


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
