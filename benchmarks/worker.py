"""One contender, one fresh process: run the asked scenarios and print one JSON line of raw figures.

    python -m benchmarks.worker '{"contender": "httpx2", "scenarios": {...}, "ports": {...}, "cpu": 0}'

Scenarios (each optional, run in this order):

- ``seq``: sequential requests to the 0 ms port: wall time per request, CPU per request (``time.process_time``);
- ``conc``: for each concurrency C, C tasks share R requests to the 50 ms port: throughput, p50 / p99 latency;
- ``stream``: sequential streams from the 0 ms port: time to first text and total;
- ``failover``: the contender built with a dead first target (``refused`` or ``503``) and the healthy one
  second: the first request, then the steady state; ``variants`` patch modelroute's config ``defaults``;
- ``soak``: many requests at some concurrency, RSS sampled along the way.

Each timed loop stops at its request count or its time cap (``max_s``), whichever comes first, so a slow peer
bounds the run. Peak RSS (``ru_maxrss``) is reported for the whole process.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import statistics
import sys
import time
from typing import Any

from .contenders import CONTENDERS, Contender, Urls


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def _build(name: str, urls: Urls, **kw: Any) -> Contender:
    return CONTENDERS[name][0](urls, **kw)


async def _seq(c: Contender, n: int, warmup: int, max_s: float) -> dict[str, Any]:
    """``n`` requests one after another, or as many as fit in ``max_s`` (so a slow peer bounds the run)."""
    for _ in range(warmup):
        await c.call()
    lat: list[float] = []
    gc.collect()
    cpu0, t0 = time.process_time(), time.perf_counter()
    stop = t0 + max_s
    while len(lat) < n:
        s = time.perf_counter()
        await c.call()
        lat.append(time.perf_counter() - s)
        if s > stop:
            break
    n = len(lat)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {
        "n": n,
        "median_us": statistics.median(lat) * 1e6,
        "p99_us": _pct(lat, 0.99) * 1e6,
        "mean_us": wall / n * 1e6,
        "cpu_us": cpu / n * 1e6,
    }


async def _conc(c: Contender, concurrency: int, total: int, max_s: float) -> dict[str, Any]:
    """``concurrency`` tasks share ``total`` requests; none is started after ``max_s``."""
    lat: list[float] = []
    errors = 0
    left = total
    stop = float("inf")

    async def worker() -> None:
        nonlocal left, errors
        while left > 0 and time.perf_counter() < stop:
            left -= 1
            s = time.perf_counter()
            try:
                await c.call()
            except Exception:
                errors += 1
                continue
            lat.append(time.perf_counter() - s)

    # Warm-up: one wave opens the connections.
    left = concurrency
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    lat.clear()
    errors = 0
    left = total
    gc.collect()
    cpu0, t0 = time.process_time(), time.perf_counter()
    stop = t0 + max_s
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {
        "concurrency": concurrency,
        "n": len(lat) + errors,
        "rps": len(lat) / wall,
        "p50_ms": _pct(lat, 0.5) * 1e3,
        "p99_ms": _pct(lat, 0.99) * 1e3,
        "cpu_us": cpu / max(1, len(lat)) * 1e6,
        "errors": errors,
    }


async def _stream(c: Contender, n: int, warmup: int, max_s: float) -> dict[str, Any]:
    for _ in range(warmup):
        await c.stream()
    ttft: list[float] = []
    total: list[float] = []
    cpu0 = time.process_time()
    stop = time.perf_counter() + max_s
    while len(ttft) < n and time.perf_counter() < stop:
        a, b = await c.stream()
        ttft.append(a)
        total.append(b)
    n = len(ttft)
    cpu = time.process_time() - cpu0
    return {
        "n": n,
        "ttft_us": statistics.median(ttft) * 1e6,
        "total_us": statistics.median(total) * 1e6,
        "cpu_us": cpu / n * 1e6,
    }


async def _failover(name: str, ports: dict[str, int], spec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    variants: dict[str, Any] = spec.get("variants") or {"default": None}
    if not name.startswith("modelroute"):
        variants = {"default": None}
    for dead in spec.get("dead", ["refused", "503"]):
        for vname, patch in variants.items():
            urls = Urls(ok=f"http://127.0.0.1:{ports['ok0']}", dead=f"http://127.0.0.1:{ports[dead]}")
            kw = {"defaults": patch} if patch else {}
            try:
                c = _build(name, urls, **kw)
            except Exception as e:  # e.g. a breaker config this modelroute does not know yet
                out[f"{dead}/{vname}"] = {"skipped": f"{type(e).__name__}: {e}"}
                continue
            try:
                s = time.perf_counter()
                await c.call()
                first = time.perf_counter() - s
                seq = await _seq(c, spec.get("n", 300), warmup=5, max_s=spec.get("max_s", 2.0))
                out[f"{dead}/{vname}"] = {"first_us": first * 1e6, **seq}
            except Exception as e:
                out[f"{dead}/{vname}"] = {"error": f"{type(e).__name__}: {e}"[:300]}
            finally:
                await c.aclose()
    return out


async def _soak(c: Contender, total: int, concurrency: int, every: int) -> dict[str, Any]:
    samples: list[tuple[int, float]] = [(0, _rss_mb())]
    done = 0
    left = total

    async def worker() -> None:
        nonlocal left, done
        while left > 0:
            left -= 1
            await c.call()
            done += 1
            if done % every == 0:
                samples.append((done, _rss_mb()))

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    gc.collect()
    samples.append((done, _rss_mb()))
    # Growth is measured from the first sample after warm-up (10% of the run): pools, caches and the
    # allocator's arenas are full by then; what grows after that is what would leak.
    base = next(mb for n, mb in samples if n >= total // 10)
    end = samples[-1][1]
    return {
        "n": total,
        "concurrency": concurrency,
        "rps": total / wall,
        "rss_start_mb": samples[0][1],
        "rss_warm_mb": base,
        "rss_end_mb": end,
        "growth_pct": (end - base) / base * 100,
        "samples": samples,
    }


async def run(task: dict[str, Any]) -> dict[str, Any]:
    name = task["contender"]
    ports = task["ports"]
    sc = task["scenarios"]
    res: dict[str, Any] = {"contender": name, "pid": os.getpid()}
    t0 = time.perf_counter()
    c = None
    if any(k in sc for k in ("seq", "conc", "stream", "soak")):
        c = _build(name, Urls(ok=f"http://127.0.0.1:{ports['ok0']}"))
        res["name"] = c.name
        await c.call()  # one call before anything is timed: lazy imports and the first connection
        res["first_call_s"] = time.perf_counter() - t0
    if c is not None and "seq" in sc:
        res["seq"] = await _seq(c, sc["seq"]["n"], sc["seq"].get("warmup", 50), sc["seq"].get("max_s", 3.0))
    if c is not None and "stream" in sc:
        st = sc["stream"]
        res["stream"] = await _stream(c, st["n"], st.get("warmup", 20), st.get("max_s", 3.0))
    if c is not None and "soak" in sc:
        s = sc["soak"]
        res["soak"] = await _soak(c, s["n"], s.get("concurrency", 64), s.get("every", max(1, s["n"] // 20)))
    if c is not None:
        await c.aclose()
    if "conc" in sc:
        res["conc"] = []
        for level in sc["conc"]["levels"]:
            cc = _build(name, Urls(ok=f"http://127.0.0.1:{ports['ok50']}", connections=max(256, level)))
            total = sc["conc"].get("per_task", 8) * level
            res["conc"].append(await _conc(cc, level, total, sc["conc"].get("max_s", 6.0)))
            await cc.aclose()
    if "failover" in sc:
        res["failover"] = await _failover(name, ports, sc["failover"])
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res["wall_s"] = time.perf_counter() - t0
    return res


def main() -> None:
    task = json.loads(sys.argv[1])
    cpu = task.get("cpu")
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu % (os.cpu_count() or 1)})
    loop_factory = None
    if task.get("uvloop"):
        import uvloop  # type: ignore[import-not-found]

        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        res = runner.run(run(task))
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
