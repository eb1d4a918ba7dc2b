"""``modelroute check CONFIG [--probe]``: is the config valid, where would each provider entry get its credentials,
which lint warnings does it raise, and (with ``--probe``) does each entry answer one cheap call.

Which credential source an entry uses is read from its settings alone: the ``${ENV}`` references it names (set
or not), AWS's default chain (and which profile), Entra ID, Google ADC. No credential chain runs and nothing is
sent unless ``--probe`` asks for it; the platform sources are only proven by a probe.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TextIO

from ..config import Config, load_config
from ..exceptions import AllTargetsFailed, ConfigError, ModelRouteError, ProviderError
from ._commands import Context
from ._docs import error_doc, provider_error_doc
from ._exit import Exit
from ._term import StatusLine, Term

__all__ = [
    "LintWarning",
    "ProbeResult",
    "Source",
    "check_command",
    "credential_source",
    "lint_warnings",
    "run_check",
]

_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PLATFORM = ("aws_default_chain", "entra_id", "google_adc")
PROBE_PROMPT = "Reply with OK."


@dataclass(frozen=True)
class EnvRef:
    field: str
    variable: str
    set: bool


@dataclass(frozen=True)
class Source:
    """Where one provider entry's credentials come from. ``source`` is one of api_key, access_token, aws_keys,
    aws_default_chain, entra_id, google_adc; ``status`` is ok (every ``${ENV}`` it names is set), missing, or
    platform (the machine's own credentials, read only when a call is made)."""

    source: str
    description: str
    env: tuple[EnvRef, ...]

    @property
    def missing(self) -> list[str]:
        return [r.variable for r in self.env if not r.set]

    @property
    def status(self) -> Literal["ok", "missing", "platform"]:
        if self.missing:
            return "missing"
        return "platform" if self.source in _PLATFORM else "ok"


@dataclass(frozen=True)
class LintWarning:
    path: str
    message: str


@dataclass(frozen=True)
class ProbeResult:
    status: Literal["ok", "failed", "skipped"]
    reason: str
    model: str | None = None
    latency_s: float | None = None
    error: ProviderError | None = None


def _kind_and_description(p: Any, env: Mapping[str, str]) -> tuple[str, str]:
    if getattr(p, "uses_sigv4", None) is not None:  # the AWS kinds
        if p.api_key is not None:
            return "api_key", f"{'Bedrock ' if p.kind != 'anthropic_aws' else ''}API key {p.api_key}"
        if p.aws_access_key_id is not None:
            refs = [p.aws_access_key_id, p.aws_secret_access_key]
            refs += [p.aws_session_token] if p.aws_session_token else []
            return "aws_keys", f"AWS keys {', '.join(refs)}"
        if p.profile:
            return "aws_default_chain", f"AWS default chain (profile {p.profile})"
        if env.get("AWS_PROFILE"):
            return "aws_default_chain", f"AWS default chain (profile {env['AWS_PROFILE']}, from AWS_PROFILE)"
        return "aws_default_chain", "AWS default chain"
    if getattr(p, "entra_id", False):
        return "entra_id", "Entra ID (DefaultAzureCredential)"
    if p.kind == "vertex" and p.access_token is None:
        return "google_adc", "Google ADC"
    if getattr(p, "access_token", None) is not None:
        return "access_token", f"access token {p.access_token}"
    if getattr(p, "api_key", None) is None:
        return "none", "no credentials (a keyless server)"
    return "api_key", f"API key {p.api_key}"


def credential_source(p: Any, env: Mapping[str, str]) -> Source:
    """Where provider entry ``p`` would get its credentials, and which ``${ENV}`` references it names (in any
    field, the base URL included) are set in ``env``. Reads settings only: no credential chain runs."""
    source, description = _kind_and_description(p, env)
    refs = tuple(
        EnvRef(field, name, bool(env.get(name)))
        for field, value in p.model_dump().items()
        if isinstance(value, str)
        for name in _REF.findall(value)
    )
    return Source(source, description, refs)


def lint_warnings(cfg: Config) -> list[LintWarning]:
    """The config's lint warnings: settings that load but cannot work as meant (an alias whose attempt or
    first-byte timeout is not shorter than its deadline cannot fail over). The rules belong to the config
    (``Config.lint()``, from the config-validation work); `check` prints whatever they find, and there are none
    while the config has no rules."""
    lint = getattr(cfg, "lint", None)
    if lint is None:
        return []
    return [LintWarning(str(getattr(w, "path", "")), str(getattr(w, "message", w))) for w in lint()]


# --- probes ----------------------------------------------------------------------------------------------------


def probe_models(cfg: Config) -> dict[str, str]:
    """The model each provider entry is probed with: the first target that uses it, in the aliases' order."""
    chosen: dict[str, str] = {}
    for alias in cfg.spec.models.values():
        for t in alias.targets:
            chosen.setdefault(t.provider, t.model)
    return chosen


def run_probes(cfg: Config, names: list[str], status: StatusLine) -> dict[str, ProbeResult]:
    """One cheap completion (``max_tokens=1``, one attempt, no failover) per entry in ``names``."""
    from ..config import AliasSpec, TargetSpec
    from ..router import Router

    models = probe_models(cfg)
    aliases = {n: AliasSpec(targets=[TargetSpec(provider=n, model=models[n])], max_attempts=1) for n in names}
    probe_cfg = Config(cfg.spec.model_copy(update={"models": aliases}), cfg.source, cfg.env)
    results: dict[str, ProbeResult] = {}
    with Router(probe_cfg) as router:
        for i, name in enumerate(names, 1):
            status.update(f"probing {i}/{len(names)}: {name} ({models[name]})")
            results[name] = _probe(router, name, models[name])
    status.clear()
    return results


def _probe(router: Any, name: str, model: str) -> ProbeResult:
    try:
        r = router.complete(name, [{"role": "user", "content": PROBE_PROMPT}], max_tokens=1)
    except AllTargetsFailed as e:
        err = e.errors[0] if e.errors else None
        reason = str(err) if err else (e.trace[0].reason if e.trace else e.reason or "no attempt was made")
        return ProbeResult("failed", reason, model, e.trace[0].latency_s if e.trace else None, err)
    except ProviderError as e:
        return ProbeResult("failed", str(e), model, e.trace[0].latency_s if e.trace else None, e)
    except ModelRouteError as e:
        return ProbeResult("failed", f"{type(e).__name__}: {e}", model)
    return ProbeResult("ok", f"answered in {r.latency_s * 1000:.0f} ms", model, r.latency_s)


# --- the command ---------------------------------------------------------------------------------------------


def check_command(args: Any, ctx: Context) -> int:
    code, doc = run_check(args.config, probe=args.probe, strict=args.strict, as_json=ctx.json, out=ctx.out, err=ctx.err)
    if ctx.json:
        ctx.emit("check", doc)
    return code


def run_check(
    path: str, *, probe: bool, as_json: bool, out: TextIO, err: TextIO, strict: bool = False
) -> tuple[int, dict[str, Any]]:
    """Check the config at ``path``; print the report (text, unless ``as_json``); return (exit code, document).
    ``strict``: lint warnings make the exit code 6 (when nothing worse happened)."""
    doc: dict[str, Any] = {
        "config": path,
        "valid": False,
        "error": None,
        "aliases": [],
        "providers": [],
        "timings": [],
        "warnings": [],
        "probed": probe,
        "strict": strict,
        "exit_code": int(Exit.CONFIG),
    }
    try:
        cfg = load_config(path)
    except ConfigError as e:
        print(f"error: {e}", file=err)
        doc["error"] = error_doc(e)
        return Exit.CONFIG, doc
    sources = {name: credential_source(p, cfg.env) for name, p in cfg.spec.providers.items()}
    warnings = lint_warnings(cfg)
    probes: dict[str, ProbeResult] = {}
    if probe:
        used = probe_models(cfg)
        for name, s in sources.items():
            if name not in used:
                probes[name] = ProbeResult("skipped", "no alias uses this entry")
            elif s.missing:
                probes[name] = ProbeResult("skipped", f"missing credentials: set {', '.join(s.missing)}")
        todo = [n for n in sources if n not in probes]
        with StatusLine(err) as status:
            probes.update(run_probes(cfg, todo, status) if todo else {})
    if any(s.missing for s in sources.values()):
        code = Exit.CREDENTIALS
    elif any(r.status == "failed" for r in probes.values()):
        code = Exit.PROBE
    elif strict and warnings:
        code = Exit.LINT
    else:
        code = Exit.OK
    doc.update(
        valid=True,
        aliases=list(cfg.spec.models),
        timings=[_timings_doc(cfg, alias) for alias in cfg.spec.models],
        warnings=[{"path": w.path, "message": w.message} for w in warnings],
        exit_code=int(code),
        providers=[_provider_doc(name, cfg, sources[name], probes.get(name) if probe else None) for name in sources],
    )
    if not as_json:
        _print_report(doc, cfg, sources=sources, probes=probes, term=Term.of(out), out=out)
    return code, doc


def _timings_doc(cfg: Config, alias: str) -> dict[str, Any]:
    t = cfg.timings(alias)
    return {
        "alias": alias,
        "deadline_s": t.deadline_s,
        "deadline_from": t.deadline_from,
        "attempt_timeout_s": t.attempt_timeout_s,
        "attempt_from": t.attempt_from,
        "first_byte_timeout_s": t.first_byte_timeout_s,
        "first_byte_from": t.first_byte_from,
        "room_to_fail_over_s": t.room_to_fail_over_s,
    }


def _provider_doc(name: str, cfg: Config, s: Source, r: ProbeResult | None) -> dict[str, Any]:
    p = cfg.spec.providers[name]
    return {
        "name": name,
        "kind": p.kind,
        "cloud": p.cloud,
        "region": p.region,
        "credentials": {"source": s.source, "description": s.description, "status": s.status},
        "env": [{"field": e.field, "variable": e.variable, "set": e.set} for e in s.env],
        "probe": None
        if r is None
        else {
            "status": r.status,
            "model": r.model,
            "latency_s": r.latency_s,
            "reason": r.reason,
            "error": provider_error_doc(r.error) if r.error is not None else None,
        },
    }


_STATUS_TEXT = {
    "ok": "ok",
    "platform": "platform (--probe proves it)",
}
_STYLE = {"ok": "ok", "missing": "bad", "platform": "warn", "failed": "bad", "skipped": "dim"}


def _print_report(
    doc: dict[str, Any],
    cfg: Config,
    *,
    sources: dict[str, Source],
    probes: dict[str, ProbeResult],
    term: Term,
    out: TextIO,
) -> None:
    def say(line: str = "") -> None:
        print(line, file=out)

    n, m = len(sources), len(doc["aliases"])
    say(f"{doc['config']}: valid ({n} provider{'s' * (n != 1)}, {m} alias{'es' * (m != 1)})")
    header = ["provider", "kind", "credentials", "status"]
    rows = []
    for name, s in sources.items():
        status = _STATUS_TEXT.get(s.status) or f"missing: set {', '.join(s.missing)}"
        row = [name, cfg.spec.providers[name].kind, s.description, status]
        if probes:
            r = probes[name]
            row.append(f"{r.status}: {r.reason}")
        rows.append(row)
    if probes:
        header.append("probe")

    def style(row: int, col: int, cell: str) -> str | None:
        return _STYLE.get(cell.split(":", maxsplit=1)[0]) if col >= 3 else None

    say(term.table(header, rows, styles=style))
    say("time limits per alias:")
    say(term.table(["alias", "limits"], [[a, cfg.timings(a).describe()] for a in doc["aliases"]]))
    warnings = doc["warnings"]
    if warnings:
        say(term.paint(f"{len(warnings)} lint warning{'s' if len(warnings) != 1 else ''}:", "warn"))
        for w in warnings:
            say(f"  {w['path']}: {w['message']}" if w["path"] else f"  {w['message']}")
    else:
        say("lint: no warnings")
    code = doc["exit_code"]
    missing = sum(1 for s in sources.values() if s.missing)
    failed = sum(1 for r in probes.values() if r.status == "failed")
    if missing:
        say(term.paint(f"{missing} provider entr{'ies are' if missing != 1 else 'y is'} missing credentials", "bad"))
    if failed:
        say(term.paint(f"{failed} probe{'s' if failed != 1 else ''} failed", "bad"))
    if code == Exit.LINT:
        say(term.paint("--strict: lint warnings fail the check", "bad"))
    if code:
        say(f"exit {code}")
    elif probes:
        say(term.paint("every probed entry answered", "ok"))
