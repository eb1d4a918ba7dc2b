"""Credential renewal (AWS chain, Entra ID, Google ADC) with real threads and event loops and fake credential
sources that take their time: the loop keeps serving while a renewal runs, concurrent callers share one renewal,
a credential near expiry is renewed once ahead of time (not on every signing), and failures fail over."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import azure.identity
import botocore.session
import google.auth
import pytest
from botocore.credentials import RefreshableCredentials

from modelroute import Router, load_config
from modelroute._coerce import build_request
from modelroute.auth._refresh import REFRESH_MARGIN_S, RETRY_S, CredentialCache
from modelroute.auth.sigv4 import SigV4Signer
from modelroute.exceptions import AuthError, ErrorKind
from modelroute.testing import MockCloud

HI = [{"role": "user", "content": "Hi"}]
SLOW_S = 2.0  # how long a fake source takes to hand out a credential
LAG_LIMIT_S = 1.0  # a loop blocked by the renewal lags SLOW_S; a free one far less, even on a loaded machine

CONFIG: dict[str, Any] = {
    "providers": {
        "az": {"kind": "azure_openai", "resource": "r", "entra_id": True},
        "vx": {"kind": "vertex", "project": "p", "region": "global"},
        "aws": {"kind": "bedrock", "region": "us-east-1"},
        "key": {"kind": "openai", "api_key": "${KEY}"},
    },
    "models": {
        "entra": {"targets": ["az:gpt-prod", "key:gpt-x"]},
        "adc": {"targets": ["vx:claude-sonnet-5-5", "key:gpt-x"]},
        "chain": {"targets": ["aws:anthropic.claude-x", "key:gpt-x"]},
    },
    "defaults": {"deadline_s": 30, "attempt_timeout_s": 10},
}
ALIAS_OF = {"entra": "az", "adc": "vx", "chain": "aws"}


class Wall:
    """A wall clock (epoch seconds) that tests move; botocore reads it too, through ``time_fetcher``."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self(), UTC)


@dataclass
class AccessToken:
    token: str
    expires_on: int


class Sources:
    """Fake Entra ID, Google ADC and AWS chain sources: each renewal sleeps ``delay_s`` (in the thread that asks)
    and hands out a credential living ``lifetime_s``; ``calls`` counts renewals per source."""

    def __init__(self, wall: Wall, delay_s: float = SLOW_S, lifetime_s: float = 3600.0) -> None:
        self.wall, self.delay_s, self.lifetime_s = wall, delay_s, lifetime_s
        self.calls = {"az": 0, "vx": 0, "aws": 0}
        self.threads: set[str] = set()
        self.fail = False
        self._lock = threading.Lock()

    def _renew(self, source: str) -> int:
        with self._lock:
            self.calls[source] += 1
            n = self.calls[source]
        self.threads.add(threading.current_thread().name)
        time.sleep(self.delay_s)
        if self.fail:
            raise RuntimeError("the token endpoint is down")
        return n

    # azure-core's TokenCredential
    def get_token(self, *scopes: str, **kw: Any) -> AccessToken:
        n = self._renew("az")
        return AccessToken(f"entra-token-{n}", int(self.wall() + self.lifetime_s))

    # google-auth's credentials
    def google(self) -> Any:
        sources = self

        class Credentials:
            token: str | None = None
            expiry: datetime | None = None
            valid = False

            def refresh(self, request: Any) -> None:
                n = sources._renew("vx")
                self.token, self.valid = f"google-token-{n}", True
                self.expiry = (sources.wall.now() + timedelta(seconds=sources.lifetime_s)).replace(tzinfo=None)

        return Credentials()

    # botocore's RefreshableCredentials, as the chain's role providers build them
    def aws_metadata(self) -> dict[str, str]:
        n = self._renew("aws")
        expiry = self.wall.now() + timedelta(seconds=self.lifetime_s)
        return {
            "access_key": "AKIDFAKEROLE00000001",
            "secret_key": f"fake/role/secret/{n:04d}/000000000000000000",
            "token": f"aws-session-token-{n}",
            "expiry_time": expiry.isoformat(),
        }

    def aws(self) -> RefreshableCredentials:
        metadata = self.aws_metadata()
        return RefreshableCredentials(
            metadata["access_key"],
            metadata["secret_key"],
            metadata["token"],
            RefreshableCredentials._expiry_datetime(metadata["expiry_time"]),
            self.aws_metadata,
            "fake-role",
            time_fetcher=self.wall.now,
        )


@pytest.fixture
def sources(monkeypatch: pytest.MonkeyPatch) -> Sources:
    """Every real credential chain replaced by a slow fake one (none of them ever runs)."""
    s = Sources(Wall())
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", lambda **kw: s)
    monkeypatch.setattr(google.auth, "default", lambda scopes=None, **kw: (s.google(), "p"))
    monkeypatch.setattr(botocore.session.Session, "get_credentials", lambda self: s.aws())
    return s


@pytest.fixture
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as c:
        for name, p in CONFIG["providers"].items():
            c.add(name, route=p["kind"], region=p.get("region"))
        yield c


def real_signers_router(cloud: MockCloud, config: dict[str, Any] = CONFIG) -> Router:
    """A router on the mock cloud that keeps Entra ID, ADC and the AWS chain (faked by ``sources``)."""
    cfg = load_config(config, env={"KEY": "sk-fallback-key-0001"})
    return Router(cfg.with_base_urls({n: cloud.url(n) for n in cfg.spec.providers}))


async def _with_heartbeat(work: Callable[[], Any]) -> tuple[Any, float]:
    """Run ``work()`` (a coroutine) while a heartbeat task ticks every 10 ms; returns its result and the
    heartbeat's worst lag, which is how long the loop could not serve anyone else."""
    stop = asyncio.Event()
    lags: list[float] = []

    async def beat() -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            t = loop.time()
            await asyncio.sleep(0.01)
            lags.append(loop.time() - t - 0.01)

    ticker = asyncio.create_task(beat())
    await asyncio.sleep(0.05)  # the heartbeat is running before the first call
    try:
        result = await work()
    finally:
        stop.set()
        await ticker
    return result, max(lags)


@pytest.mark.parametrize("alias", ["entra", "adc", "chain"])
def test_a_slow_renewal_runs_off_the_event_loop_once_for_every_concurrent_call(
    alias: str, sources: Sources, cloud: MockCloud
) -> None:
    provider = ALIAS_OF[alias]

    async def main() -> tuple[list[Any], float]:
        async with real_signers_router(cloud) as router:

            async def calls() -> list[Any]:
                return await asyncio.gather(*(router.acomplete(alias, HI) for _ in range(12)))

            return await _with_heartbeat(calls)

    answers, lag = asyncio.run(main())
    assert lag < LAG_LIMIT_S, f"the event loop was blocked for {lag:.2f}s while the credential was renewed"
    assert sources.calls[provider] == 1  # twelve concurrent calls, one renewal
    assert sources.threads == {"modelroute-credentials"}
    assert {a.served_by.provider for a in answers} == {provider}
    token = cloud.requests(provider)[-1].headers.get("authorization", "")
    assert "token-1" in token or "Credential=AKIDFAKEROLE00000001" in token


def test_threads_and_an_event_loop_share_one_renewal(sources: Sources, cloud: MockCloud) -> None:
    with real_signers_router(cloud) as router:
        results: list[str] = []
        barrier = threading.Barrier(4)
        synced = threading.Event()

        def sync_call() -> None:
            barrier.wait()
            results.append(router.complete("entra", HI).text)

        def loop_calls() -> None:
            async def three() -> None:
                answers = await asyncio.gather(*(router.acomplete("entra", HI) for _ in range(3)))
                results.extend(a.text for a in answers)
                await asyncio.to_thread(synced.wait, 30)  # the sync calls are done: close this loop's pools
                await router.aclose()

            barrier.wait()
            asyncio.run(three())

        sync_threads = [threading.Thread(target=sync_call) for _ in range(3)]
        loop_thread = threading.Thread(target=loop_calls)
        for t in [*sync_threads, loop_thread]:
            t.start()
        for t in sync_threads:
            t.join(timeout=30)
        synced.set()
        loop_thread.join(timeout=30)
    assert results == ["Hello from az."] * 6
    assert sources.calls["az"] == 1


def _signer(sources: Sources, clock: Wall) -> SigV4Signer:
    return SigV4Signer(service="bedrock", region="us-east-1", credentials=sources.aws(), clock=clock)


def _sign(signer: SigV4Signer) -> dict[str, str]:
    headers: dict[str, str] = {"content-type": "application/json"}
    signer.apply("POST", "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/invoke", headers, b"{}")
    return headers


def test_aws_credentials_are_renewed_once_ahead_of_expiry_not_on_every_signing() -> None:
    # Every renewal hands out 12 minutes: inside botocore's 15-minute advisory window, where botocore alone
    # renews on every use of the credentials, so on every signing.
    wall = Wall()
    sources = Sources(wall, delay_s=0.0, lifetime_s=12 * 60)
    signer = _signer(sources, wall)
    tokens = {_sign(signer)["x-amz-security-token"] for _ in range(20)}
    assert sources.calls["aws"] == 2 and tokens == {"aws-session-token-2"}  # the chain's, then one renewal
    wall.offset += 12 * 60 - REFRESH_MARGIN_S + 1  # inside our margin, still before expiry
    assert signer.credentials_due()
    tokens = {_sign(signer)["x-amz-security-token"] for _ in range(20)}
    assert sources.calls["aws"] == 3 and tokens == {"aws-session-token-3"}


def test_a_source_that_keeps_handing_out_near_expiry_credentials_is_asked_again_only_after_a_pause() -> None:
    # Four minutes to live on every renewal (a metadata endpoint serving the same keys until they rotate).
    wall = Wall()
    sources = Sources(wall, delay_s=0.0, lifetime_s=4 * 60)
    signer = _signer(sources, wall)
    for _ in range(20):
        _sign(signer)
    assert sources.calls["aws"] == 2  # the chain's credentials, then one renewal on first use
    wall.offset += RETRY_S + 1
    for _ in range(20):
        _sign(signer)
    assert sources.calls["aws"] == 3


def test_entra_token_near_expiry_is_not_fetched_on_every_call(sources: Sources, cloud: MockCloud) -> None:
    sources.delay_s, sources.lifetime_s = 0.0, 60.0  # every token handed out is inside the margin
    with real_signers_router(cloud) as router:
        for _ in range(10):
            assert router.complete("entra", HI).served_by.provider == "az"  # type: ignore[union-attr]
    assert sources.calls["az"] == 1


def test_a_failed_renewal_fails_over_with_kind_auth(sources: Sources, cloud: MockCloud) -> None:
    sources.delay_s, sources.fail = 0.0, True
    with real_signers_router(cloud) as router:
        for alias in ("entra", "adc", "chain"):
            r = router.complete(alias, HI)
            first = r.trace[0]
            assert (first.provider, first.kind.value if first.kind else None) == (ALIAS_OF[alias], "auth")
            assert r.served_by is not None and r.served_by.provider == "key"
            assert "the token endpoint is down" not in str(first.error)  # library wording is not kept


def test_a_failed_renewal_keeps_the_current_credential_while_it_is_valid(caplog: pytest.LogCaptureFixture) -> None:
    wall = Wall()
    sources = Sources(wall, delay_s=0.0, lifetime_s=3600)
    signer = _signer(sources, wall)
    assert _sign(signer)["x-amz-security-token"] == "aws-session-token-1"
    sources.fail = True
    wall.offset += 3600 - REFRESH_MARGIN_S + 1
    assert _sign(signer)["x-amz-security-token"] == "aws-session-token-1"  # renewal failed; still valid
    assert "renewing the AWS credentials failed" in caplog.text
    assert not signer.credentials_due()  # tried again after a pause, not on the next signing
    wall.offset += REFRESH_MARGIN_S  # past expiry: nothing valid is left
    with pytest.raises(AuthError, match="could not be refreshed"):
        _sign(signer)


def test_a_renewal_slower_than_the_attempt_fails_that_attempt_over_in_time(sources: Sources, cloud: MockCloud) -> None:
    sources.delay_s = 3.0
    config = {**CONFIG, "defaults": {"deadline_s": 30, "attempt_timeout_s": 0.3}}

    async def main() -> Any:
        async with real_signers_router(cloud, config) as router:
            started = time.monotonic()
            answer = await router.acomplete("entra", HI)
            return answer, time.monotonic() - started

    answer, took = asyncio.run(main())
    assert took < 2.0  # the renewal goes on in its thread; the call did not wait for it
    assert [(a.provider, a.kind.value if a.kind else None) for a in answer.trace] == [("az", "timeout"), ("key", None)]
    assert "not renewed within 0.3s" in str(answer.trace[0].error)


def test_route_building_does_not_resolve_the_aws_chain(sources: Sources) -> None:
    # Resolving the chain may ask a metadata endpoint: it happens in the renewal, never while the route is built.
    sources.delay_s = 0.0
    cfg = load_config(CONFIG, env={"KEY": "k" * 10})
    router = Router(cfg)
    route = router._route("aws")
    assert sources.calls["aws"] == 0 and route.credentials_due()
    route.build(build_request(model="chain", messages=HI), "anthropic.claude-x", stream=False)
    assert sources.calls["aws"] == 1


def test_one_failed_renewal_fails_every_waiting_caller_with_an_error_of_its_own() -> None:
    calls: list[int] = []
    release = threading.Event()

    def fetch() -> tuple[str, float | None]:
        calls.append(1)
        release.wait(10)
        raise AuthError("the source is down", kind=ErrorKind.AUTH)

    cache: CredentialCache[str] = CredentialCache(fetch, what="test credentials")

    async def main() -> list[BaseException | str]:
        waiting = [asyncio.ensure_future(cache.aget(10)) for _ in range(5)]
        await asyncio.sleep(0)  # every caller has joined the one renewal in flight
        release.set()
        return await asyncio.gather(*waiting, return_exceptions=True)

    errors = asyncio.run(main())
    assert calls == [1]
    assert all(isinstance(e, AuthError) and e.kind is ErrorKind.AUTH for e in errors)
    assert len({id(e) for e in errors}) == 5  # one exception object is never raised in two places at once
