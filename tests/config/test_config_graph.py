"""Fallback graphs of any shape load in work linear in their size: each alias and edge is walked once, with an
explicit stack (no recursion), and a loop is named however deep it sits."""

from __future__ import annotations

import builtins
import time
from typing import Any

import pytest

from modelroute import ConfigError, load_config


def graph(n: int, shape: str) -> dict[str, Any]:
    """``n`` aliases: a ``chain`` (each falls back to the next), a ``lattice`` (each to the next two), a ``star``
    (the first falls back to all others)."""
    models: dict[str, Any] = {}
    for i in range(n):
        fbs = {
            "chain": [f"a{i + 1}"] if i + 1 < n else [],
            "lattice": [f"a{j}" for j in (i + 1, i + 2) if j < n],
            "star": [f"a{j}" for j in range(1, n)] if i == 0 else [],
        }[shape]
        models[f"a{i}"] = {"targets": [f"p:m{i}"], "fallbacks": fbs}
    return {"providers": {"p": {"kind": "openai", "api_key": "${K}"}}, "models": models}


@pytest.mark.parametrize("shape", ["chain", "lattice", "star"])
def test_large_fallback_graphs_load_in_linear_work(shape: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelroute import Router
    from modelroute.config import _checks
    from modelroute.routing import plan

    visits = {"fallbacks": 0}
    original = builtins.iter

    def counting_iter(x: Any) -> Any:
        visits["fallbacks"] += 1
        return original(x)

    monkeypatch.setattr(_checks, "iter", counting_iter, raising=False)
    cfg_dict = graph(2000, shape)
    started = time.perf_counter()
    cfg = load_config(cfg_dict, env={})
    assert visits["fallbacks"] <= 2000  # each alias's fallbacks are walked once, not once per path
    router = Router(cfg)
    entries = plan.expand(cfg.spec, "a0")
    assert len(entries) == 2000 and entries[-1].model == "m1999"
    assert " -> ... -> " in entries[-1].origin or shape == "star"  # a long chain's origin stays short
    assert len(entries[-1].origin) < 200
    assert router.explain("a1999").entries[0].model == "m1999"
    assert time.perf_counter() - started < 60  # loose: the exponential walk took hours at this size


def test_a_loop_at_the_end_of_a_long_chain_is_named() -> None:
    cfg = graph(5000, "chain")
    cfg["models"]["a4999"]["fallbacks"] = ["a4990"]
    with pytest.raises(ConfigError) as info:
        load_config(cfg, env={})
    message = str(info.value)
    assert message.startswith("models.a4999.fallbacks: fallbacks form a loop (a4990 -> a4991")
    assert message.count("->") <= 12 and "\n" not in message
