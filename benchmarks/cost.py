"""What pricing costs on the hot path, with no network, in CPU time (prints one JSON line).

- ``call_us`` / ``call_priced_us``: a served call's state machine (a `Call` to its first `Try`, then
  `record_ok` with the answer) without costs and with them: the difference is what pricing adds to every call;
- ``served_us``: `Pricer.served` alone for a target whose price is cached (a Bedrock profile id priced by
  genai-prices' regional row), and ``served_discounted_us`` the same under a config discount;
- ``estimate_us``: `Pricer.estimate` for a short request (what a budget or the price ordering pays per target);
- ``first_card_ms``: the first price look-up in a fresh process, genai-prices' import included.

    python -m benchmarks.cost
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from dataclasses import replace
from typing import Any

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
CONFIG: dict[str, Any] = {
    "providers": {"bedrock": {"kind": "bedrock", "region": "us-east-1", "api_key": "${BENCH_KEY}"}},
    "models": {"bench": {"targets": [f"bedrock:{MODEL}"]}},
}
MESSAGES = [{"role": "user", "content": "Say hello in one short sentence."}]
_COLD = (
    "import time; t = time.perf_counter(); from modelroute.config import load_config; "
    "from modelroute.observability.cost import Pricer; from modelroute._types import Usage; "
    "import benchmarks.cost as b; p = Pricer(load_config(b.CONFIG, env={'BENCH_KEY': 'k'})); "
    "t = time.process_time(); p.card('bedrock', b.MODEL).cost(Usage(input_tokens=10, output_tokens=5)); "
    "print((time.process_time() - t) * 1000)"
)


def _time_us(fn: Callable[[], object], repeats: int) -> dict[str, float]:
    timer = timeit.Timer(fn, timer=time.process_time)  # CPU time: the machine's other load does not count
    number, _ = timer.autorange()
    runs = [t / number * 1e6 for t in timer.repeat(repeat=repeats, number=number)]
    return {"median": statistics.median(runs), "min": min(runs), "max": max(runs)}


def measure(repeats: int = 5) -> dict[str, Any]:
    from modelroute import Router
    from modelroute._types import Response, StopReason, TextPart, Usage
    from modelroute.observability.cost import Pricer
    from modelroute.routing import Call, Try

    router = Router.from_config(CONFIG, env={"BENCH_KEY": "k"})
    priced = router._settings_for("bench")
    unpriced = replace(priced, costs=None)
    _, request = router._start("bench", MESSAGES, {})
    usage = Usage(input_tokens=812, output_tokens=164, cache_read_tokens=512)

    def answer() -> Response:
        return Response.decoded(id="m", content=[TextPart(text="Hello!")], stop_reason=StopReason.END,
                                raw_stop_reason="end_turn", usage=usage, model="claude-sonnet-4-5-20250929")  # fmt: skip

    def call(settings: Any) -> Callable[[], object]:
        def run() -> object:
            c = Call(settings, request, clock=router._clock, state=router._state, unsupported=router._unsupported,
                     rng=router._rng)  # fmt: skip
            step = c.next_step()
            assert isinstance(step, Try)
            return c.record_ok(step, answer())

        return run

    pricer = router.pricer
    pricer.card("bedrock", MODEL, "claude-sonnet-4-5-20250929")  # warm: the first look-up is measured cold below
    discounted = Pricer(
        router.config.__class__(
            router.config.spec.model_copy(update={"prices": _discount()}), router.config.source, env={}
        )
    )
    discounted.card("bedrock", MODEL)

    def served() -> object:
        return pricer.served("bedrock", MODEL, request, usage=usage, reported_model="claude-sonnet-4-5-20250929",
                             text="Hello!")  # fmt: skip

    def served_discounted() -> object:
        return discounted.served("bedrock", MODEL, request, usage=usage, reported_model=None, text="Hello!")

    def estimate() -> object:
        return pricer.estimate(request, "bedrock", MODEL)

    cold = [float(subprocess.run([sys.executable, "-c", _COLD], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]  # fmt: skip
    plain, with_costs = _interleaved(call(unpriced), call(priced), repeats)
    return {
        "call_us": plain,
        "call_priced_us": with_costs,
        "served_us": _time_us(served, repeats),
        "served_discounted_us": _time_us(served_discounted, repeats),
        "estimate_us": _time_us(estimate, repeats),
        "first_card_ms": {"median": statistics.median(cold), "min": min(cold), "max": max(cold)},
    }


def _interleaved(a: Callable[[], object], b: Callable[[], object], repeats: int) -> tuple[dict[str, float], ...]:
    """``a`` and ``b`` timed in turns (so a load change on the machine falls on both alike)."""
    number, _ = timeit.Timer(a, timer=time.process_time).autorange()
    runs: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats * 3):
        for fn, out in ((a, runs[0]), (b, runs[1])):
            out.append(timeit.Timer(fn, timer=time.process_time).timeit(number) / number * 1e6)
    return tuple({"median": statistics.median(r), "min": min(r), "max": max(r)} for r in runs)


def _discount() -> list[Any]:
    from modelroute.config._prices import PriceRuleSpec

    return [PriceRuleSpec(cloud="aws", discount_percent=15)]


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print(json.dumps(measure(repeats)))


if __name__ == "__main__":
    main()
