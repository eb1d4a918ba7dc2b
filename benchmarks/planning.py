"""What a call costs to plan, at 10 / 100 / 1,000 targets, with no network (prints one JSON line).

- ``call_plan_us``: a `Call` over the alias's expanded plan, up to its first `Try` (the request already built):
  what every call pays before the wire;
- ``start_us``: the same plus building the `Request` from the caller's arguments (``Router._start``);
- ``explain_us``: `Router.explain`, which assesses every target and says why each is in or out;
- ``walk_cooled_us``: the worst case for a call: every target but the last cooling down, so the call walks and
  traces them all before its first `Try`.

    python -m benchmarks.planning 10 100 1000
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from typing import Any

MESSAGES = [{"role": "user", "content": "Say hello in one short sentence."}]


def _config(n: int) -> dict[str, Any]:
    providers = {
        f"p{i}": {"kind": "openai", "api_key": "${BENCH_KEY}", "base_url": f"http://127.0.0.1:9/{i}/v1"}
        for i in range(n)
    }
    return {"providers": providers, "models": {"bench": {"targets": [f"p{i}:gpt-bench" for i in range(n)]}}}


def _time_us(fn: Callable[[], object], repeats: int) -> dict[str, float]:
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    runs = [t / number * 1e6 for t in timer.repeat(repeat=repeats, number=number)]
    return {"median": statistics.median(runs), "min": min(runs), "max": max(runs)}


def measure(n: int, repeats: int = 3) -> dict[str, Any]:
    from modelroute import Router
    from modelroute.routing import Call

    router = Router.from_config(_config(n), env={"BENCH_KEY": "k"})
    settings = router._settings_for("bench")
    _, request = router._start("bench", MESSAGES, {})

    def call_plan() -> object:
        c = Call(
            settings,
            request,
            clock=router._clock,
            state=router._state,
            unsupported=router._unsupported,
            rng=router._rng,
        )
        return c.next_step()

    def start() -> object:
        c, _ = router._start("bench", MESSAGES, {})
        return c.next_step()

    def explain() -> object:
        return router.explain("bench", MESSAGES)

    out: dict[str, Any] = {
        "targets": n,
        "call_plan_us": _time_us(call_plan, repeats),
        "start_us": _time_us(start, repeats),
        "explain_us": _time_us(explain, repeats),
    }
    now = time.monotonic()
    for e in settings.entries[:-1]:
        router._state.cool(e.key, now + 3600, "bench")
    out["walk_cooled_us"] = _time_us(call_plan, repeats)
    return out


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10, 100, 1000]
    print(json.dumps([measure(n) for n in sizes]), flush=True)


if __name__ == "__main__":
    main()
