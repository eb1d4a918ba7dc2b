"""``from modelroute import route; route.complete("claude-sonnet", "Hi")``: the default router, built lazily from
``MODELROUTE_CONFIG`` or ``./modelroute.yaml``, once, whatever the number of threads asking first."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import modelroute
from modelroute import ConfigError, Router, route
from modelroute._default import CONFIG_ENV, DefaultRouter
from modelroute.testing import Fault, MockCloud


@pytest.fixture
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as c:
        c.add("oai", route="openai")
        c.add("claude", route="anthropic")
        yield c


@pytest.fixture
def config_file(cloud: MockCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = {
        "providers": {
            "oai": {"kind": "openai", "base_url": cloud.url("oai"), "api_key": "${MOCK_KEY}"},
            "claude": {"kind": "anthropic", "base_url": cloud.url("claude"), "api_key": "${MOCK_KEY}"},
        },
        "models": {"gpt": {"targets": ["oai:gpt-5"]}, "claude-sonnet": {"targets": ["claude:claude-sonnet-4-5"]}},
    }
    path = tmp_path / "modelroute.yaml"
    path.write_text(yaml.safe_dump(config))
    monkeypatch.setenv("MOCK_KEY", "mock-key")
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    yield path
    route.reset()


def test_the_shortest_path_reads_modelroute_yaml_here(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(config_file.parent)
    route.reset()
    answer = route.complete("claude-sonnet", "Hi")
    assert answer.text == "Hello from claude." and answer.served_by.provider == "claude"
    assert Path(route.router.config.source).resolve() == config_file.resolve()


def test_modelroute_config_wins_and_every_call_works(
    config_file: Path, cloud: MockCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no modelroute.yaml here
    monkeypatch.setenv(CONFIG_ENV, str(config_file))
    route.reset()
    cloud.script("oai", Fault.ok(text="streamed answer"))
    with route.stream("gpt", "Hi") as s:
        assert "".join(s.text()) == "streamed answer"
    assert [e.provider for e in route.explain("gpt").entries] == ["oai"]
    sent = cloud.requests("oai")
    assert sent[-1].json["messages"] == [{"role": "user", "content": "Hi"}]  # a plain string: one user message


@pytest.mark.anyio
async def test_async_calls_share_the_default_router(
    config_file: Path, cloud: MockCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(config_file))
    route.reset()
    assert (await route.acomplete("gpt", "Hi")).text == "Hello from oai."
    s = route.astream("claude-sonnet", "Hi")
    assert (await s.get_final_response()).text == "Hello from claude."
    await route.router.aclose()


def test_no_config_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    fresh = DefaultRouter()
    with pytest.raises(ConfigError) as info:
        fresh.complete("gpt", "Hi")
    assert "no config" in str(info.value) and "MODELROUTE_CONFIG" in str(info.value) and "\n" not in str(info.value)
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match=r"MODELROUTE_CONFIG: names .*missing\.yaml.*, which is not a file"):
        fresh.complete("gpt", "Hi")
    assert repr(fresh) == "DefaultRouter(not built yet)"


def test_first_use_from_many_threads_builds_one_router(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(config_file))
    fresh = DefaultRouter()
    real = Router.from_config.__func__  # type: ignore[attr-defined]
    calls: list[int] = []
    second = threading.Event()

    def counting(cls: type[Router], source: Any, **kw: Any) -> Router:
        calls.append(1)
        if len(calls) > 1:
            second.set()
        else:
            second.wait(0.5)  # a second concurrent build (a race) shows up here; with the lock none comes
        return real(cls, source, **kw)  # type: ignore[no-any-return]

    monkeypatch.setattr(Router, "from_config", classmethod(counting))
    start = threading.Barrier(8)
    got: list[Router] = []

    def first_use() -> None:
        start.wait()
        got.append(fresh.router)

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(r) for r in got}) == 1 and len(got) == 8
    fresh.reset()


def test_using_serves_the_default_calls_from_another_router(cloud: MockCloud) -> None:
    from modelroute.testing import router_on_mock_cloud

    other = router_on_mock_cloud(cloud, {"providers": {"oai": {"kind": "openai", "api_key": "${K}"}},
                                          "models": {"gpt": {"targets": ["oai:gpt-5"]}}})  # fmt: skip
    fresh = DefaultRouter()
    with other, fresh.using(other):
        assert fresh.complete("gpt", "Hi").served_by.provider == "oai"
    assert repr(fresh) == "DefaultRouter(not built yet)"


def test_route_is_exported() -> None:
    assert modelroute.route is route and isinstance(route, DefaultRouter)
