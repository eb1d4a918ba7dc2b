"""A recognisable secret planted in every credential slot of every provider kind (keys, tokens, AWS keys and
session token, Entra ID and Google tokens, the AWS chain's keys, a ``${ENV}`` part of a ``base_url``), driven
through success and every failure kind, sync and async, plain and streamed, with OpenTelemetry (content capture
on) and hooks on; and it shows nowhere: not in any log record of any logger at DEBUG (its ``extra`` fields
included), repr, str, response, trace, error, exception args, cause or context chain, frame locals, pickle,
``asdict``, ``explain()``, span, span attribute or event, metric, hook payload or ``health()`` (see `Observer`;
the CLI's output: `test_planted_cli`)."""

from __future__ import annotations

import asyncio
import os
import random
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from modelroute import Router, load_config
from modelroute.exceptions import AuthError, ConfigError, ModelRouteError
from modelroute.testing import FakeClock, Fault, MockCloud

from ._echo import EchoServer
from ._observe import Observer
from ._planted import (
    CHAIN,
    ENTRIES,
    SECRETS,
    SLOTS,
    Surfaces,
    adrive,
    config,
    drive,
    fake_ambient_sources,
    see_router,
    spare,
)

DEFAULTS = {"first_byte_timeout_s": 10, "stall_timeout_s": 10, "attempt_timeout_s": 20, "deadline_s": 60}
# For the faults that only end when a time limit does (the waits are real; nothing asserts on how long).
QUICK_LIMITS = {"first_byte_timeout_s": 0.2, "stall_timeout_s": 0.2, "attempt_timeout_s": 5, "deadline_s": 60}
SYNC, ASYNC = ("complete", "stream"), ("acomplete", "astream")
# Every fault the mock cloud scripts but the slow ones (`SLOW_FAULTS`), each in the modes it is driven in.
A, B = ("complete", "astream"), ("stream", "acomplete")  # each fault runs one sync and one async way
FAULTS: dict[str, tuple[Callable[[], Fault], tuple[str, ...]]] = {
    "ok": (Fault.ok, SYNC + ASYNC),
    "unauthorized": (Fault.unauthorized, SYNC + ASYNC),
    "rate_limited": (lambda: Fault.rate_limited(retry_after=1), A),
    "overloaded": (Fault.overloaded, B),
    "server_error": (Fault.server_error, A),
    "unavailable": (Fault.unavailable, B),
    "context_length": (Fault.context_length, A),
    "quota_exhausted": (Fault.quota_exhausted, B),
    "not_found": (Fault.not_found, A),
    "invalid_request": (
        lambda: Fault.status(400, {"error": {"message": "bad request", "type": "invalid_request_error"}}),
        B,
    ),
    "content_filter": (Fault.content_filter, A),
    "content_filter_completion": (lambda: Fault.content_filter(on="completion"), B),
    "reset": (Fault.reset, SYNC + ASYNC),
    "refused": (Fault.refused, B),
    "stream_cut": (Fault.stream_cut, A),
    "stream_error": (Fault.stream_error, B),
    "malformed": (Fault.malformed, SYNC + ASYNC),
}
SLOW_FAULTS = {"hang": Fault.hang, "stall": Fault.stall}
# A key in its own header, and SigV4 with a session token (the timeouts' errors are the same for every kind).
SLOW_ENTRIES = ("azure-key", "bedrock-sigv4")


@pytest.fixture(scope="module")
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as c:
        for name, (spec, _model) in ENTRIES.items():
            c.add(name, route=spec["kind"], region=spec.get("region"))
        yield c


def _router(cfg: Any, **options: Any) -> tuple[Router, FakeClock]:
    clock = FakeClock()
    r = Router(cfg, clock=clock, sleep=clock.sleep, async_sleep=clock.async_sleep, rng=random.Random(0), **options)
    return r, clock


def _on_cloud(
    cloud: MockCloud, limits: dict[str, Any], surfaces: Surfaces | None = None, **options: Any
) -> tuple[Router, FakeClock]:
    """A router for every planted entry on the mock cloud (its scripts and records cleared), with ``surfaces``'
    telemetry and hooks when given."""
    cloud.reset()
    if surfaces is not None:
        options.update(surfaces.options())
    return _router(load_config(config(limits), env=SLOTS).with_base_urls({n: cloud.url(n) for n in ENTRIES}), **options)


def _next(clock: FakeClock, cloud: MockCloud, name: str, fault: Fault) -> None:
    """A fresh scenario: every cooldown and breaker of the last one over, ``fault`` scripted on ``name``."""
    clock.advance(10_000)
    cloud.reset()
    cloud.script(name, fault)


def _sent(cloud: MockCloud, name: str) -> str:
    """Every credential header the entry received, joined (to prove the planted secret was in play)."""
    return " ".join(
        r.headers.get(h, "")
        for r in cloud.requests(name)
        for h in ("authorization", "x-api-key", "api-key", "x-amz-security-token")
    )


def _signatures(sent: str) -> set[str]:
    """The SigV4 signatures among what was sent: derived from the secret key, as secret as it for a while."""
    return set(re.findall(r"Signature=([0-9a-f]{64})", sent))


@pytest.mark.parametrize("name", list(ENTRIES))
def test_a_planted_secret_shows_nowhere_through_every_fault(
    name: str, cloud: MockCloud, observer: Observer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_ambient_sources(monkeypatch)
    surfaces = Surfaces()
    router, clock = _on_cloud(cloud, DEFAULTS, surfaces)
    outcomes: dict[tuple[str, str], Any] = {}
    sent = ""

    def scenario(fault: str, mode: str) -> str:
        nonlocal sent
        sent += _sent(cloud, name)
        _next(clock, cloud, name, FAULTS[fault][0]())
        return f"{fault}/{mode}"

    for fault, (_make, modes) in FAULTS.items():
        for mode in modes:
            if mode in SYNC:
                label = scenario(fault, mode)
                outcomes[fault, mode] = drive(router, name, mode, observer, label)

    async def async_scenarios() -> None:
        for fault, (_make, modes) in FAULTS.items():
            for mode in modes:
                if mode in ASYNC:
                    label = scenario(fault, mode)
                    outcomes[fault, mode] = await adrive(router, name, mode, observer, label)
        await router.aclose()

    asyncio.run(async_scenarios())
    sent += _sent(cloud, name)
    see_router(router, observer, "end")
    surfaces.show(router, observer, "end")
    router.close()

    # The scenarios did what they say: the entry served, was refused, and failed over with its secret in play.
    for mode in SYNC + ASYNC:
        ok = outcomes["ok", mode]
        assert not isinstance(ok, ModelRouteError) and ok.served_by.provider == name, (mode, ok)
        failed_over = outcomes["unauthorized", mode]
        assert [a.kind.value if a.kind else None for a in failed_over.trace] == ["auth", None]
        assert failed_over.served_by.provider == spare(name)
    assert any(v in sent for v in [*SECRETS, f"Credential={SLOTS['AWS_AK']}", f"Credential={CHAIN['AK']}"])
    signatures = _signatures(sent)
    assert bool(signatures) == ("sigv4" in name or "chain" in name)
    leaks = observer.leaks([*SECRETS, *signatures])
    assert not leaks, "\n".join(leaks[:25])


def test_a_planted_secret_shows_nowhere_when_a_target_hangs_or_stalls(
    cloud: MockCloud, observer: Observer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_ambient_sources(monkeypatch)
    surfaces = Surfaces()
    router, clock = _on_cloud(cloud, QUICK_LIMITS, surfaces)
    kinds = []
    for name in SLOW_ENTRIES:
        for fault, make in SLOW_FAULTS.items():
            _next(clock, cloud, name, make())
            answer = drive(router, name, "stream", observer, f"{name} {fault}/stream")
            kinds.append(answer.trace[0].kind)

    async def async_calls() -> None:
        for name in SLOW_ENTRIES:
            for fault, make in SLOW_FAULTS.items():
                _next(clock, cloud, name, make())
                answer = await adrive(router, name, "acomplete", observer, f"{name} {fault}/acomplete")
                kinds.append(answer.trace[0].kind)
        await router.aclose()

    asyncio.run(async_calls())
    see_router(router, observer, "slow")
    surfaces.show(router, observer, "slow")
    router.close()
    assert {k.value if k else None for k in kinds} == {"timeout"}
    leaks = observer.leaks(SECRETS)
    assert not leaks, "\n".join(leaks[:25])


def test_a_planted_secret_shows_nowhere_on_the_aiohttp_transport(
    cloud: MockCloud, observer: Observer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_ambient_sources(monkeypatch)
    surfaces = Surfaces()
    router, clock = _on_cloud(cloud, QUICK_LIMITS, surfaces, transport="aiohttp")
    faults = {f: FAULTS[f][0] for f in ("ok", "unauthorized", "reset", "refused", "stream_cut", "malformed")}
    kinds = set()

    async def calls() -> None:
        for name in ("anthropic", "azure-key", "bedrock-sigv4"):
            for fault, make in {**faults, **SLOW_FAULTS}.items():
                for mode in ASYNC if fault in faults else ("acomplete",):
                    _next(clock, cloud, name, make())
                    answer = await adrive(router, name, mode, observer, f"aiohttp {name} {fault}/{mode}")
                    kinds.add(answer.trace[0].kind.value if answer.trace[0].kind else None)
        await router.aclose()

    asyncio.run(calls())
    see_router(router, observer, "aiohttp")
    surfaces.show(router, observer, "aiohttp")
    assert {"auth", "connection", "timeout", "malformed_response", None} <= kinds
    leaks = observer.leaks(SECRETS)
    assert not leaks, "\n".join(leaks[:25])


def test_secrets_with_a_trailing_newline_are_sent_without_it_and_show_nowhere(
    cloud: MockCloud, observer: Observer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Kubernetes secret file usually ends with a newline; sent as-is it makes an illegal header whose error
    # quoted the whole key.
    fake_ambient_sources(monkeypatch)
    cloud.reset()
    env = {k: v + "\n" for k, v in SLOTS.items()}
    router, clock = _router(load_config(config(DEFAULTS), env=env).with_base_urls({n: cloud.url(n) for n in ENTRIES}))
    for name in ENTRIES:
        for fault in (Fault.ok(), Fault.reset()):
            clock.advance(10_000)
            cloud.script(name, fault)
            answer = drive(router, name, "complete", observer, f"{name} newline")
            assert not isinstance(answer, ModelRouteError) and answer.served_by is not None
        assert "\n" not in _sent(cloud, name)
    assert f"Bearer {SLOTS['OPENAI_KEY']}" in _sent(cloud, "openai")
    see_router(router, observer, "newline")
    router.close()
    leaks = observer.leaks(SECRETS)
    assert not leaks, "\n".join(leaks[:25])


@pytest.mark.parametrize("slot", sorted(SLOTS))
def test_a_secret_that_cannot_be_sent_is_a_config_error_that_does_not_show_it(
    slot: str, observer: Observer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_ambient_sources(monkeypatch)
    bad = SLOTS[slot] + ("\u00e9\u00e8" if slot != "PATH_SECRET" else " \x00")  # non-ASCII; in a URL, a NUL
    shown = SLOTS[slot]
    base_urls = {n: f"http://127.0.0.1:9/{n}/${{PATH_SECRET}}" for n in ENTRIES}
    with pytest.raises(ConfigError) as at_load:
        load_config(config(DEFAULTS, base_urls), env={**SLOTS, slot: bad})
    assert slot in str(at_load.value)
    observer.see("at load", at_load.value)
    observer.see_pickle("at load", at_load.value)
    # Set after loading (the environment changed): the first call that reads it refuses it the same way.
    env = {k: v for k, v in SLOTS.items() if k != slot}
    router, _clock = _router(load_config(config(DEFAULTS, base_urls), env=env))
    env[slot] = bad
    users = [n for n, (spec, _m) in ENTRIES.items() if f"${{{slot}}}" in str(spec) or slot == "PATH_SECRET"]
    with pytest.raises(ConfigError) as at_use:
        router.complete(users[0], [{"role": "user", "content": "Hi"}])
    observer.see("at use", at_use.value)
    assert not observer.leaks([shown, bad])


def test_a_provider_quoting_the_key_and_the_path_back_shows_them_nowhere(
    observer: Observer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_ambient_sources(monkeypatch)
    dialects = {
        n: ("openai" if spec["kind"] in ("openai", "azure_openai") else "anthropic")
        for n, (spec, _m) in ENTRIES.items()
    }
    with EchoServer(dialects) as echo:
        # Every entry on the echo server, with a planted ${ENV} part in its base_url's path.
        base_urls = {n: echo.url(n) + "/gw/${PATH_SECRET}" for n in ENTRIES}
        cfg = load_config(config(DEFAULTS, base_urls), env=SLOTS)
        surfaces = Surfaces()
        router, clock = _router(cfg, **surfaces.options())
        sync_cases = [(w, "complete") for w in ("401", "429", "400", "ok", "garbage")]
        sync_cases += [(w, "stream") for w in ("403", "inband", "garbage")]
        for name in ENTRIES:
            for what, mode in sync_cases:
                clock.advance(10_000)
                echo.script.extend([what, what])  # the target and its spare
                drive(router, name, mode, observer, f"{name} {what}/{mode}")
                echo.script.clear()

        async_cases = (("500", "acomplete"), ("inband", "astream"))

        async def async_calls() -> None:
            for name in ENTRIES:
                for what, mode in async_cases:
                    clock.advance(10_000)
                    echo.script.extend([what, what])
                    await adrive(router, name, mode, observer, f"{name} {what}/{mode}")
                    echo.script.clear()
            await router.aclose()

        asyncio.run(async_calls())
        see_router(router, observer, "echo")
        surfaces.show(router, observer, "echo")
        router.close()
        quoted = " ".join(v for _path, headers in echo.seen for v in headers.values())
        assert SLOTS["OPENAI_KEY"] in quoted and SLOTS["AWS_ST"] in quoted  # what the server quoted back
        assert any(SLOTS["PATH_SECRET"] in path for path, _h in echo.seen)
    leaks = observer.leaks(SECRETS)
    assert not leaks, "\n".join(leaks[:25])


def test_an_unpickled_config_keeps_no_env_and_says_why_its_secrets_are_missing() -> None:
    import pickle

    cfg = load_config(config(), env=SLOTS)
    assert all(v.encode() not in pickle.dumps(cfg) for v in SECRETS)
    back = pickle.loads(pickle.dumps(cfg))
    assert back.spec == cfg.spec and dict(back.env) == {}
    with pytest.raises(AuthError, match="unpickled without the env"):
        Router(back)._route("openai")
    from_environ = pickle.loads(pickle.dumps(load_config(config())))
    assert from_environ.env is os.environ  # read where it runs, as the original did
