"""Point a config at the mock cloud: every provider entry gets a mock endpoint speaking its route."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelroute import Router
    from modelroute.config import Config

    from . import MockCloud

__all__ = ["MockSecrets", "router_on_mock_cloud"]


class MockSecrets(Mapping[str, str]):
    """An environment in which every ``${NAME}`` resolves to a harmless fake key (``mock-NAME``)."""

    def __getitem__(self, name: str) -> str:
        return f"mock-{name.lower()}"

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def router_on_mock_cloud(
    cloud: MockCloud, config: str | os.PathLike[str] | Mapping[str, Any], **options: Any
) -> Router:
    """A `Router` for ``config`` whose provider entries all point at ``cloud`` (added there if missing).

    Secrets resolve to fake keys, so no real credential is ever read: AWS entries that would sign with the
    default credential chain (or a profile) sign with fake keys instead, Azure entries with ``entra_id: true``
    and Vertex entries without ``access_token`` (Google ADC) send a fake bearer token. Keyword ``options`` go to
    `Router`.
    """
    from modelroute import Router, load_config

    cfg = _without_ambient_credentials(load_config(config, env=MockSecrets()))
    for name, spec in cfg.spec.providers.items():
        if name not in cloud.entries:
            cloud.add(name, route=spec.kind, region=spec.region)
    urls = {name: cloud.url(name) for name in cfg.spec.providers}
    return Router(cfg.with_base_urls(urls), **options)


_FAKE_AWS_KEYS = {
    "aws_access_key_id": "${AWS_ACCESS_KEY_ID}",
    "aws_secret_access_key": "${AWS_SECRET_ACCESS_KEY}",
    "aws_session_token": None,
    "profile": None,
}
_FAKE_ENTRA_TOKEN = {"entra_id": False, "access_token": "${AZURE_ACCESS_TOKEN}"}
_FAKE_GOOGLE_TOKEN = {"access_token": "${GOOGLE_ACCESS_TOKEN}"}
_FAKE_OPENAI_KEY = {"api_key": "${OPENAI_API_KEY}"}


def _fake_credentials(p: Any) -> dict[str, Any] | None:
    """The fields to change so that entry ``p`` never reaches for the machine's credentials, or None."""
    if getattr(p, "uses_sigv4", False):
        return _FAKE_AWS_KEYS
    if getattr(p, "entra_id", False):
        return _FAKE_ENTRA_TOKEN
    if p.kind == "vertex" and p.access_token is None:
        return _FAKE_GOOGLE_TOKEN
    if p.kind == "openai" and p.api_key is None:  # a keyless local server: the mock serves api.openai.com's rules
        return _FAKE_OPENAI_KEY
    return None


def _without_ambient_credentials(cfg: Config) -> Config:
    """Entries that would read credentials from the machine (AWS's default chain, Entra ID, Google ADC) get
    fake key or token references instead."""
    from modelroute.config import Config

    providers = {}
    for name, p in cfg.spec.providers.items():
        update = _fake_credentials(p)
        providers[name] = p.model_copy(update=update) if update else p
    return Config(cfg.spec.model_copy(update={"providers": providers}), cfg.source, cfg.env)
