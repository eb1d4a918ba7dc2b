"""The command line with a secret planted in every credential slot (set in the environment, as a shell would):
``check`` (and ``--probe``), ``explain``, ``complete`` (plain and streamed, served, failed over and failed),
``status``, as text and as ``--json``; the planted values show in none of their output, nor in any log record."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from modelroute.cli import main
from modelroute.testing import Fault, MockCloud

from ._observe import Observer
from ._planted import ENTRIES, SECRETS, SLOTS, config, fake_ambient_sources

DEFAULTS = {"first_byte_timeout_s": 10, "stall_timeout_s": 10, "attempt_timeout_s": 20, "deadline_s": 60}


@pytest.fixture(scope="module")
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as c:
        for name, (spec, _model) in ENTRIES.items():
            c.add(name, route=spec["kind"], region=spec.get("region"))
        yield c


def test_the_cli_shows_no_planted_secret(
    cloud: MockCloud, observer: Observer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_ambient_sources(monkeypatch)
    for name, value in SLOTS.items():
        monkeypatch.setenv(name, value)
    base_urls = {n: cloud.url(n) for n in ENTRIES}
    path = tmp_path / "planted.yaml"
    path.write_text(yaml.safe_dump(config(DEFAULTS, base_urls)))
    cfg = str(path)
    ran = []

    def run(*argv: str) -> None:
        out, err = io.StringIO(), io.StringIO()
        code = main(list(argv), out, err)
        ran.append((argv, code))
        observer.see_text(f"{' '.join(argv)} stdout", out.getvalue())
        observer.see_text(f"{' '.join(argv)} stderr", err.getvalue())

    for json_flag in ((), ("--json",)):
        run("check", cfg, *json_flag)
        run("check", cfg, "--probe", *json_flag)
        run("status", cfg, *json_flag)
        for name in ("openai", "azure-key", "bedrock-sigv4", "vertex-adc", "claude-aws-key"):
            run("explain", cfg, name, *json_flag)
            cloud.reset()
            cloud.script(name, Fault.unauthorized())  # failed over to the spare, with the trace printed
            run("complete", cfg, name, "Hi", *json_flag)
            cloud.reset()
            cloud.script(name, Fault.stream_cut())
            run("complete", cfg, name, "Hi", "--stream", *json_flag)
            cloud.reset()
            bad = {"error": {"message": "bad request", "type": "invalid_request_error"}}
            cloud.script(name, Fault.status(400, bad))
            run("complete", cfg, name, "Hi", *json_flag)  # the call stops: an error document
    codes = {argv[0]: code for argv, code in ran}
    assert codes["status"] == 0 and codes["explain"] == 0
    assert {code for argv, code in ran if argv[0] == "complete"} == {0, 1}
    sent = " ".join(v for n in ENTRIES for r in cloud.requests(n) for v in r.headers.values())
    assert SLOTS["CLAUDE_AWS_KEY"] in sent  # the planted secret was in play
    leaks = observer.leaks(SECRETS)
    assert not leaks, "\n".join(leaks[:25])
