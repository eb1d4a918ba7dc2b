"""The AWS provider kinds at config load: a missing extra names its install command, credentials are
references only and come one way at a time, the region is required; importing modelroute never imports botocore."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from modelroute import ConfigError, load_config
from modelroute.exceptions import MissingDependencyError

KEYS = {"aws_access_key_id": "${AWS_ACCESS_KEY_ID}", "aws_secret_access_key": "${AWS_SECRET_ACCESS_KEY}"}


def cfg(**provider: Any) -> dict[str, Any]:
    return {"providers": {"aws": provider}, "models": {"claude": {"targets": ["aws:anthropic.claude-x"]}}}


@pytest.fixture
def no_botocore(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "botocore" or m.startswith("botocore.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "botocore", None)  # what an environment without the package looks like


@pytest.mark.usefixtures("no_botocore")
@pytest.mark.parametrize(
    "provider",
    [
        {"kind": "bedrock", "region": "us-east-1"},
        {"kind": "bedrock", "region": "us-east-1", **KEYS},
        {"kind": "bedrock", "region": "us-east-1", "profile": "prod"},
        {"kind": "bedrock", "region": "us-east-1", "api_key": "${AWS_BEARER_TOKEN_BEDROCK}"},
        {"kind": "bedrock_mantle", "region": "us-east-1"},
        {"kind": "bedrock_mantle", "region": "us-east-1", "dialect": "openai", **KEYS},
        {"kind": "anthropic_aws", "region": "us-east-1", "workspace_id": "wrkspc_1"},
        {"kind": "bedrock", "region": "us-east-1", "dialect": "openai"},
    ],
    ids=[
        "bedrock default chain",
        "bedrock keys",
        "bedrock profile",
        "bedrock api key",
        "mantle chain",
        "mantle keys",
        "anthropic_aws chain",
        "bedrock openai chain",
    ],
)
def test_without_botocore_aws_kinds_fail_at_load_with_the_install_command(provider: dict[str, Any]) -> None:
    with pytest.raises(MissingDependencyError) as info:
        load_config(cfg(**provider))
    assert str(info.value).startswith("providers.aws: kind ")
    assert "pip install 'modelroute[bedrock]'" in str(info.value)
    assert info.value.extra == "bedrock"


@pytest.mark.usefixtures("no_botocore")
def test_sse_routes_with_an_api_key_need_no_botocore() -> None:
    for dialect in ("anthropic", "openai"):
        c = load_config(cfg(kind="bedrock_mantle", region="us-east-1", dialect=dialect, api_key="${K}"))
        assert c.spec.providers["aws"].kind == "bedrock_mantle"
    c = load_config(cfg(kind="anthropic_aws", region="us-east-1", workspace_id="w", api_key="${K}"))
    assert c.spec.providers["aws"].kind == "anthropic_aws"
    c = load_config(cfg(kind="bedrock", region="us-east-1", dialect="openai", api_key="${K}"))
    assert c.spec.providers["aws"].kind == "bedrock"  # SSE, not event stream: no decoder needed either


@pytest.mark.parametrize(
    ("provider", "message"),
    [
        ({"kind": "bedrock"}, "providers.aws.region: is required"),
        ({"kind": "bedrock", "region": "US East"}, "providers.aws.region: 'US East' is not an AWS region"),
        ({"kind": "bedrock", "region": "us-east-1", "aws_access_key_id": "${A}"},
         "aws_access_key_id and aws_secret_access_key go together"),
        ({"kind": "bedrock", "region": "us-east-1", "api_key": "${K}", **KEYS},
         "api_key (Bearer) and AWS keys or profile (SigV4) exclude each other"),
        ({"kind": "bedrock", "region": "us-east-1", "api_key": "${K}", "profile": "p"}, "exclude each other"),
        ({"kind": "bedrock", "region": "us-east-1", "aws_session_token": "${T}"},
         "aws_session_token needs aws_access_key_id"),
        ({"kind": "bedrock", "region": "us-east-1", "aws_access_key_id": "AKIDEX", "aws_secret_access_key": "${S}"},
         "providers.aws.aws_access_key_id: must be an environment variable reference, not a literal secret"),
        ({"kind": "bedrock_mantle", "region": "us-east-1", "dialect": "gemini"},
         "providers.aws.dialect: unknown value 'gemini'"),
        ({"kind": "bedrock", "region": "us-east-1", "workspace_id": "w"}, "unknown field 'workspace_id'"),
        ({"kind": "bedrok", "region": "us-east-1"}, "Did you mean 'bedrock'?"),
        ({"kind": "anthropic_aws", "region": "us-east-1"}, "providers.aws.workspace_id: is required"),
    ],
    ids=["no region", "bad region", "half a key pair", "key and keys", "key and profile", "token alone",
         "literal secret", "unknown dialect", "workspace on bedrock", "typo in kind", "no workspace"],
)  # fmt: skip
def test_bad_aws_entries_name_the_field(provider: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(cfg(**provider))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_good_aws_entries_load_with_their_defaults() -> None:
    spec = load_config(cfg(kind="bedrock", region="eu-central-1", **KEYS)).spec.providers["aws"]
    assert (spec.cloud, spec.region, spec.anthropic_version) == ("aws", "eu-central-1", "bedrock-2023-05-31")  # type: ignore[union-attr]
    mantle = load_config(cfg(kind="bedrock_mantle", region="us-east-1")).spec.providers["aws"]
    assert (mantle.dialect, mantle.anthropic_version) == ("anthropic", "2023-06-01")  # type: ignore[union-attr]


def test_importing_modelroute_does_not_import_botocore() -> None:
    code = (
        "import sys, modelroute, modelroute.routes, modelroute.testing, modelroute.wire;"
        "from modelroute.testing import MockCloud;"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('botocore', 'boto3'));"
        "print(leaked); sys.exit(1 if leaked else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_aws_example_loads() -> None:
    import yaml

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = readme.split("## AWS: Claude on Bedrock")[1].split("```yaml\n")[1].split("```")[0]
    spec = load_config(yaml.safe_load(block)).spec
    assert {p.kind for p in spec.providers.values()} == {"bedrock", "bedrock_mantle", "anthropic_aws"}
    assert spec.models["claude-sonnet"].targets[0].model == "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
