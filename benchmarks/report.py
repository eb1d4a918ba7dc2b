"""Turn the raw figures of a run into medians, spreads and ratios (``summary.json``), and Markdown tables.

Every figure is the median over the run's repeats, with the spread as (min-max) of the repeats; ratios are
between medians measured in the same run, which is what stays meaningful on a busy machine.

    python -m benchmarks.report [benchmarks/results/summary.json]    # print the tables again
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path
from typing import Any

FLOOR = "httpx2"
SDK_FOR = {"modelroute-openai": "openai-sdk", "modelroute-anthropic": "anthropic-sdk"}


def _stat(values: list[float]) -> dict[str, float] | None:
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def _med(d: dict[str, Any] | None) -> float | None:
    return d["median"] if d else None


def _collect(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Group the repeats of one contender: every numeric leaf becomes a stat over the repeats."""
    out: dict[str, Any] = {"label": next((r["name"] for r in runs if "name" in r), runs[0]["contender"])}
    errors = [r["error"] for r in runs if "error" in r]
    if errors:
        out["errors"] = errors
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return out
    for key in ("seq", "stream"):
        if key in ok[0]:
            out[key] = {f: _stat([r[key][f] for r in ok]) for f in ok[0][key] if f != "n"}
    if "conc" in ok[0]:
        out["conc"] = {}
        for i, level in enumerate(ok[0]["conc"]):
            c = level["concurrency"]
            out["conc"][str(c)] = {
                f: _stat([r["conc"][i][f] for r in ok]) for f in ("rps", "p50_ms", "p99_ms", "cpu_us", "errors")
            }
    if "failover" in ok[0]:
        out["failover"] = {}
        for case in ok[0]["failover"]:
            rows = [r["failover"][case] for r in ok if case in r["failover"]]
            good = [x for x in rows if "median_us" in x]
            if good:
                fields = ("first_us", "median_us", "p99_us", "cpu_us")
                out["failover"][case] = {f: _stat([x[f] for x in good]) for f in fields}
            else:
                out["failover"][case] = {"note": rows[0].get("skipped") or rows[0].get("error")}
    out["peak_rss_mb"] = _stat([r["peak_rss_mb"] for r in ok])
    out["first_call_ms"] = _stat([r["first_call_s"] * 1000 for r in ok if "first_call_s" in r])
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def summarise(raw: dict[str, Any]) -> dict[str, Any]:
    by: dict[str, list[dict[str, Any]]] = {}
    for r in raw["runs"]:
        by.setdefault(r["contender"], []).append(r)
    contenders = {name: _collect(runs) for name, runs in by.items()}

    def get(name: str, *path: str) -> float | None:
        d: Any = contenders.get(name)
        for p in path:
            if not isinstance(d, dict) or p not in d:
                return None
            d = d[p]
        return _med(d) if isinstance(d, dict) else None

    ratios: dict[str, Any] = {}
    for name, entry in contenders.items():
        r: dict[str, Any] = {
            "seq_latency_vs_floor": _ratio(get(name, "seq", "median_us"), get(FLOOR, "seq", "median_us")),
            "seq_cpu_vs_floor": _ratio(get(name, "seq", "cpu_us"), get(FLOOR, "seq", "cpu_us")),
            "c64_rps_vs_floor": _ratio(get(name, "conc", "64", "rps"), get(FLOOR, "conc", "64", "rps")),
            "c256_rps_vs_floor": _ratio(get(name, "conc", "256", "rps"), get(FLOOR, "conc", "256", "rps")),
            "c256_rps_vs_litellm": _ratio(get(name, "conc", "256", "rps"), get("litellm", "conc", "256", "rps")),
            "c256_rps_vs_pydantic_ai": _ratio(
                get(name, "conc", "256", "rps"), get("pydantic-ai", "conc", "256", "rps")
            ),
            "ttft_vs_floor": _ratio(get(name, "stream", "ttft_us"), get(FLOOR, "stream", "ttft_us")),
            "seq_latency_vs_aiohttp": _ratio(get(name, "seq", "median_us"), get("aiohttp", "seq", "median_us")),
            "c256_rps_vs_aiohttp": _ratio(get(name, "conc", "256", "rps"), get("aiohttp", "conc", "256", "rps")),
        }
        sdk = SDK_FOR.get(name.replace("-aiohttp", ""))
        if sdk:
            r["seq_latency_vs_sdk"] = _ratio(get(name, "seq", "median_us"), get(sdk, "seq", "median_us"))
            r["seq_cpu_vs_sdk"] = _ratio(get(name, "seq", "cpu_us"), get(sdk, "seq", "cpu_us"))
            r["c256_rps_vs_sdk"] = _ratio(get(name, "conc", "256", "rps"), get(sdk, "conc", "256", "rps"))
        healthy = get(name, "seq", "median_us")
        for case, f in (entry.get("failover") or {}).items():
            if "median_us" in f:
                r[f"failover_steady_vs_healthy[{case}]"] = _ratio(_med(f["median_us"]), healthy)
        ratios[name] = {k: v for k, v in r.items() if v is not None}

    imports = {}
    for module, res in (raw.get("imports") or {}).items():
        imports[module] = _stat(res["runs_ms"]) if "runs_ms" in res else {"error": res.get("error")}

    soak = None
    if raw.get("soak"):
        s = raw["soak"][0]
        soak = s.get("soak") or {"error": s.get("error")}
        if "samples" in soak:
            soak = {k: v for k, v in soak.items() if k != "samples"} | {
                "samples": soak["samples"][:: max(1, len(soak["samples"]) // 10)]
            }
        soak["peak_rss_mb"] = s.get("peak_rss_mb")

    summary: dict[str, Any] = {
        k: raw.get(k)
        for k in ("started_utc", "duration_s", "command", "repeats", "smoke", "machine", "load_before", "load_after")
    }
    summary |= {"contenders": contenders, "ratios": ratios, "imports": imports, "soak": soak, "plan": raw.get("plan")}
    summary["goals"] = _goals(summary, get)
    if "chaos_soak" in raw:
        summary["chaos_soak"] = raw["chaos_soak"]
    return summary


def _goals(s: dict[str, Any], get: Any) -> list[dict[str, Any]]:
    goals: list[dict[str, Any]] = []

    def goal(what: str, value: float | None, target: str, met: bool | None) -> None:
        goals.append({"goal": what, "value": value, "target": target, "met": met})

    for mr in ("modelroute-openai", "modelroute-anthropic", "modelroute-openai-aiohttp"):
        if mr not in s["contenders"]:
            continue
        r = s["ratios"].get(mr, {})
        over = r.get("seq_latency_vs_floor")
        goal(f"{mr}: sequential latency above the httpx2 floor", _pct(over), "<= 15%", _le(over, 1.15))
        vs = r.get("seq_latency_vs_sdk")
        goal(f"{mr}: sequential latency vs the official SDK", vs, "< 1.0x", _le(vs, 0.9999))
        cpu = r.get("seq_cpu_vs_sdk")
        goal(f"{mr}: CPU per request vs the official SDK", cpu, "< 1.0x", _le(cpu, 0.9999))
        t = r.get("c256_rps_vs_floor")
        goal(f"{mr}: throughput at c256 vs the httpx2 floor", t, ">= 0.95x", _ge(t, 0.95))
        lt = r.get("c256_rps_vs_litellm")
        goal(f"{mr}: throughput at c256 vs LiteLLM Router", lt, ">= 3x", _ge(lt, 3.0))
        for case in ("refused/default", "refused/cooldown", "503/default", "503/cooldown"):
            f = r.get(f"failover_steady_vs_healthy[{case}]")
            if f is not None:
                goal(f"{mr}: steady state, dead first target ({case}), vs healthy", f, "<= 1.10x", _le(f, 1.10))
    imp = s["imports"].get("modelroute")
    if imp and "median" in imp:
        goal("import modelroute (ms, median of fresh processes)", imp["median"], "< 150 ms", imp["median"] < 150)
    if s.get("soak") and "growth_pct" in s["soak"]:
        g = s["soak"]["growth_pct"]
        goal(f"RSS growth over {s['soak']['n']} requests (%)", g, "< 5%", g < 5)
    plan = s.get("plan")
    if isinstance(plan, list) and plan:
        big = plan[-1]
        n = big["targets"]
        goal(
            f"a call's planning at {n} targets (us)",
            big["call_plan_us"]["median"],
            "< 100 us",
            big["call_plan_us"]["median"] < 100,
        )
        goal(
            f"Router.explain at {n} targets (us)",
            big["explain_us"]["median"],
            "< 100 us",
            big["explain_us"]["median"] < 100,
        )
    return goals


def _pct(ratio: float | None) -> float | None:
    return (ratio - 1) * 100 if ratio is not None else None


def _le(v: float | None, lim: float) -> bool | None:
    return None if v is None else v <= lim


def _ge(v: float | None, lim: float) -> bool | None:
    return None if v is None else v >= lim


# --- Markdown --------------------------------------------------------------------------------------------------


def _f(d: dict[str, Any] | None, digits: int = 0, spread: bool = True) -> str:
    if not d:
        return "-"
    m = f"{d['median']:,.{digits}f}"
    if spread and d.get("n", 1) > 1:
        return f"{m} ({d['min']:,.{digits}f}-{d['max']:,.{digits}f})"
    return m


def _x(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}x"


def markdown(s: dict[str, Any]) -> str:
    c, r = s["contenders"], s["ratios"]
    out: list[str] = []
    out.append("### Sequential, 0 ms upstream (per request; median of repeats, spread min-max)\n")
    out.append("| client | latency µs | vs floor | vs SDK | CPU µs | CPU vs floor | CPU vs SDK |")
    out.append("|---|---|---|---|---|---|---|")
    for name, d in c.items():
        if "seq" in d:
            rr = r.get(name, {})
            out.append(
                f"| {d['label']} | {_f(d['seq']['median_us'])} | {_x(rr.get('seq_latency_vs_floor'))} | "
                f"{_x(rr.get('seq_latency_vs_sdk'))} | {_f(d['seq']['cpu_us'])} | {_x(rr.get('seq_cpu_vs_floor'))} | "
                f"{_x(rr.get('seq_cpu_vs_sdk'))} |"
            )
    out.append("\n### Throughput, 50 ms upstream\n")
    out.append(
        "| client | c64 req/s | c64 p50 / p99 ms | c256 req/s | c256 p50 / p99 ms | c256 CPU µs/req | c256 vs floor "
        "| vs raw aiohttp | vs LiteLLM | peak RSS MB |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for name, d in c.items():
        if "conc" not in d:
            continue
        a, b = d["conc"].get("64"), d["conc"].get("256")
        rr = r.get(name, {})

        def lat(x: dict[str, Any] | None) -> str:
            return f"{_f(x['p50_ms'], 0, False)} / {_f(x['p99_ms'], 0, False)}" if x else "-"

        out.append(
            f"| {d['label']} | {_f(a['rps'] if a else None)} | {lat(a)} | {_f(b['rps'] if b else None)} | {lat(b)} | "
            f"{_f(b['cpu_us'] if b else None, 0, False)} | "
            f"{_x(rr.get('c256_rps_vs_floor'))} | {_x(rr.get('c256_rps_vs_aiohttp'))} | "
            f"{_x(rr.get('c256_rps_vs_litellm'))} | {_f(d.get('peak_rss_mb'), 0, False)} |"
        )
    out.append("\n### Streaming, 0 ms upstream (12 SSE events)\n")
    out.append("| client | time to first text µs | total µs | CPU µs |")
    out.append("|---|---|---|---|")
    for d in c.values():
        if "stream" in d:
            st = d["stream"]
            out.append(f"| {d['label']} | {_f(st['ttft_us'])} | {_f(st['total_us'])} | {_f(st['cpu_us'])} |")
    rows = [(d["label"], case, f) for d in c.values() for case, f in (d.get("failover") or {}).items()]
    if rows:
        out.append("\n### Failover: dead first target, healthy second (0 ms)\n")
        out.append("| client | dead target / skipping | first request ms | steady state µs | vs healthy call |")
        out.append("|---|---|---|---|---|")
        for name, d in c.items():
            for case, f in (d.get("failover") or {}).items():
                if "note" in f:
                    out.append(f"| {d['label']} | {case} | {f['note']} | | |")
                    continue
                first = {k: v / 1000 if k != "n" else v for k, v in f["first_us"].items()}
                ratio = r.get(name, {}).get(f"failover_steady_vs_healthy[{case}]")
                out.append(f"| {d['label']} | {case} | {_f(first, 1)} | {_f(f['median_us'])} | {_x(ratio)} |")
    if s.get("imports"):
        out.append("\n### Import time (fresh process each, ms)\n")
        out.append("| module | median (min-max) |")
        out.append("|---|---|")
        for m, d in s["imports"].items():
            out.append(f"| `{m}` | {_f(d, 0) if 'median' in d else d.get('error')} |")
    if s.get("soak") and "growth_pct" in s["soak"]:
        k = s["soak"]
        out.append(f"\n### Memory: modelroute over a long run (0 ms upstream, concurrency {k['concurrency']})\n")
        out.append(
            f"{k['n']:,} requests at {k['rps']:,.0f} req/s: RSS {k['rss_start_mb']:.1f} MB at start, "
            f"{k['rss_warm_mb']:.1f} MB after the first 10%, {k['rss_end_mb']:.1f} MB at the end "
            f"(growth after warm-up {k['growth_pct']:+.2f}%); peak {k['peak_rss_mb']:.1f} MB."
        )
    if isinstance(s.get("plan"), list):
        out.append("\n### Planning (µs, no network)\n")
        out.append(
            "| targets | a call, to its first try | + building the request | `explain()` | all but last cooling |"
        )
        out.append("|---|---|---|---|---|")
        for p in s["plan"]:
            out.append(
                f"| {p['targets']:,} | {_f(p['call_plan_us'], 1)} | {_f(p['start_us'], 1)} | "
                f"{_f(p['explain_us'], 0)} | {_f(p['walk_cooled_us'], 0)} |"
            )
    if s.get("goals"):
        out.append("\n### Goals\n")
        out.append("| goal | measured | target | met |")
        out.append("|---|---|---|---|")
        for g in s["goals"]:
            v = g["value"]
            val = "-" if v is None else f"{v:.2f}"
            met = {True: "yes", False: "**no**", None: "-"}[g["met"]]
            out.append(f"| {g['goal']} | {val} | {g['target']} | {met} |")
    if s.get("chaos_soak") is not None:
        out.append("\n### Chaos soak (from benchmarks/results/chaos_soak.json)\n")
        out.append("```json\n" + json.dumps(s["chaos_soak"], indent=1)[:3000] + "\n```")
    return "\n".join(out)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "results" / "summary.json"
    print(markdown(json.loads(path.read_text())))
