"""Every code block of README.md runs in the tests, against the mock cloud, exactly as written.

How each fenced block is treated is decided by its language and by an optional marker, an HTML comment on the
line just before the fence (invisible on GitHub):

- ``<!-- readme: file NAME -->``: the block is the file NAME in the directory every block runs in (all such files
  are written before any block runs). A YAML file with ``providers`` is also loaded as a config.
- ``<!-- readme: skip REASON -->``: not run; the reason is required (install commands, a 5-minute benchmark).
- ``<!-- readme: run -->`` on a ``bash`` block: each command runs in a shell in that directory and must succeed.
- ``python``: run. A block defining ``test_*`` functions is a pytest module, run by pytest with modelroute's
  plugin (the ``mock_cloud`` / ``mock_router`` fixtures). Every other block is executed, in README order, in one
  namespace, with ``Router.from_config`` building its router on a mock cloud (``router_on_mock_cloud``) and every
  network connection other than to 127.0.0.1 refused.
- ``yaml``: must be valid YAML; a config (``providers`` and ``models``) must load (secrets faked).
- ``bash`` and unlabelled blocks without a marker: shown only (a console transcript, an install command).

A new README section's blocks are covered by the same rules without touching this file.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelroute import Router, load_config
from modelroute.testing import MockCloud, MockSecrets, router_on_mock_cloud

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"

_FENCE = re.compile(
    r"^(?:<!--\s*readme:\s*(?P<marker>.*?)\s*-->[ \t]*\n)?```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$",
    re.S | re.M,
)


@dataclass(frozen=True)
class Block:
    line: int
    lang: str
    body: str
    marker: str

    @property
    def name(self) -> str:
        return f"README.md:{self.line} ({self.lang or 'text'})"

    @property
    def file(self) -> str | None:
        return self.marker.split(None, 1)[1] if self.marker.startswith("file ") else None

    @property
    def skipped(self) -> bool:
        return self.marker.startswith("skip")


def blocks(text: str | None = None) -> list[Block]:
    text = README.read_text() if text is None else text
    out = []
    for m in _FENCE.finditer(text):
        line = text.count("\n", 0, m.start("lang")) + 1
        out.append(Block(line, m["lang"], m["body"], (m["marker"] or "").strip()))
    return out


def _is_test_module(b: Block) -> bool:
    return b.lang == "python" and re.search(r"^def test_\w+\(", b.body, re.M) is not None


def test_the_block_parser_sees_every_fence() -> None:
    text = README.read_text()
    fences = len(re.findall(r"^```", text, re.M))
    assert fences == 2 * len(blocks(text)), "an unbalanced or unparsed fence in README.md"
    for b in blocks(text):
        assert not b.marker or b.marker.split()[0] in ("file", "skip", "run"), f"{b.name}: unknown marker"
        if b.skipped:
            assert len(b.marker.split()) > 1, f"{b.name}: say why the block is skipped"
        if b.marker == "run":
            assert b.lang == "bash", f"{b.name}: 'run' is for bash blocks"


def test_marker_rules_parse() -> None:
    sample = "x\n<!-- readme: file a.yaml -->\n```yaml\nk: 1\n```\n\n```python\ndef test_x(): pass\n```\n"
    a, b = blocks(sample)
    assert (a.file, a.lang, a.body) == ("a.yaml", "yaml", "k: 1\n") and _is_test_module(b)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A directory like a checkout's root: a copy of ``configs/`` and ``examples/``, and the README's files."""
    for folder in ("configs", "examples"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for b in blocks():
        if b.file is not None:
            (tmp_path / b.file).write_text(b.body)
    return tmp_path


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection a block tries to a host other than 127.0.0.1 fails the test."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1", None):
            raise AssertionError(f"a README block tried to reach {host!r}: run it against the mock cloud")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.mark.parametrize("block", [b for b in blocks() if b.lang == "yaml" and not b.skipped], ids=lambda b: b.name)
def test_yaml_block_is_valid_and_loads_as_a_config(block: Block, tmp_path: Path) -> None:
    data = yaml.safe_load(block.body)
    if isinstance(data, dict) and "providers" in data and "models" in data:
        path = tmp_path / (block.file or "block.yaml")
        path.write_text(block.body)
        load_config(path, env=MockSecrets())


def test_python_blocks_run_in_order_on_the_mock_cloud(
    workdir: Path, loopback_only: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scripts = [b for b in blocks() if b.lang == "python" and not b.skipped and not _is_test_module(b)]
    assert scripts, "the README has runnable python blocks"
    monkeypatch.chdir(workdir)
    with MockCloud() as cloud:
        made: list[Router] = []

        def on_mock_cloud(cls: type[Router], source: Any, *, env: Any = None, **options: Any) -> Router:
            router = router_on_mock_cloud(cloud, source, **options)
            made.append(router)
            return router

        monkeypatch.setattr(Router, "from_config", classmethod(on_mock_cloud))
        namespace: dict[str, Any] = {"__name__": "__readme__"}
        logger = logging.getLogger("modelroute")
        level = logger.level  # a block may quiet modelroute's warnings, as the chaos example does
        try:
            for b in scripts:
                try:
                    exec(compile(b.body, b.name, "exec"), namespace)  # the README's own code
                except Exception as e:
                    raise AssertionError(f"{b.name} failed: {type(e).__name__}: {e}") from e
        finally:
            logger.setLevel(level)
            for router in made:
                router.close()
    assert made, "the blocks built a router through Router.from_config"
    assert capsys.readouterr().out


def test_python_test_blocks_pass_under_pytest(workdir: Path) -> None:
    tests = [b for b in blocks() if _is_test_module(b) and not b.skipped]
    assert tests, "the README shows how to test a config"
    for i, b in enumerate(tests):
        (workdir / f"test_readme_block_{i}.py").write_text(f"# {b.name}\n{b.body}")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", str(workdir)]
    done = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    count = sum(len(re.findall(r"^def test_", b.body, re.M)) for b in tests)
    assert f"{count} passed" in done.stdout, done.stdout[-2000:]


@pytest.mark.parametrize("block", [b for b in blocks() if b.marker == "run"], ids=lambda b: b.name)
def test_bash_block_marked_run_succeeds(block: Block, workdir: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for line in block.body.splitlines():
        if not line.split("#", 1)[0].strip():
            continue
        done = subprocess.run(
            ["bash", "-c", f"set -eo pipefail; {line}"],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{block.name}: {line}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"


def test_the_config_reference_shows_the_real_defaults() -> None:
    """The reference sketch's ``defaults:`` block says what the code's defaults are (the README's defaults table)."""
    from modelroute.config import DefaultsSpec

    reference = README.read_text().split("## Config reference")[1].split("\n## ")[0]
    sketch = next(b for b in blocks() if b.lang == "yaml" and "\ndefaults:\n" in b.body and b.body in reference)
    shown = yaml.safe_load(sketch.body)["defaults"]
    real = DefaultsSpec().model_dump(mode="json")
    assert shown, "the sketch shows the defaults"
    for key, value in shown.items():
        if isinstance(value, dict) and key in real:
            for sub, v in value.items():
                assert real[key][sub] == v, f"defaults.{key}.{sub}: the README says {v!r}, the code {real[key][sub]!r}"
        else:
            assert real[key] == value, f"defaults.{key}: the README says {value!r}, the code {real[key]!r}"
    assert {"stream_resume", "breaker"} <= set(shown)
