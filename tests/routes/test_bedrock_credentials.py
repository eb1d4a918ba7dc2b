"""Where the AWS routes get credentials: explicit ``${ENV}`` keys, botocore's default chain (environment, a named
profile in the shared files), or a Bedrock API key — and that none of them ever shows in a repr or an error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modelroute import Router, load_config
from modelroute._coerce import build_request
from modelroute.routes import ROUTES, Route
from modelroute.testing import MockCloud

ENV_KEY, ENV_SECRET, ENV_TOKEN = (
    "AKIDFROMENVIRONMENT1",
    "env/secret/never/real/0000000000000000000",
    "env-session-token",
)
FILE_KEY, FILE_SECRET = "AKIDFROMPROFILEFILE1", "file/secret/never/real/000000000000000000"
HI = [{"role": "user", "content": "Hi"}]
_CHAIN_VARS = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_BEARER_TOKEN_BEDROCK",
)  # fmt: skip


@pytest.fixture
def aws_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An AWS environment with nothing in it: no keys, empty shared files, no instance metadata lookups."""
    for name in _CHAIN_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return tmp_path


def make(kind: str, env: dict[str, str] | None = None, **spec: Any) -> Route:
    cfg = load_config({"providers": {"p": {"kind": kind, **spec}}, "models": {"m": {"targets": ["p:x"]}}}, env=env)
    return ROUTES[kind]("p", cfg.spec.providers["p"], env or {})


def signed(route: Route) -> dict[str, str]:
    return route.build(build_request(model="a", messages=HI), "anthropic.claude-x", stream=False).headers


def credential(headers: dict[str, str]) -> list[str]:
    return headers["authorization"].split("Credential=")[1].split(",")[0].split("/")


def test_default_chain_reads_the_environment(aws_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ENV_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", ENV_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", ENV_TOKEN)
    headers = signed(make("bedrock", region="ap-northeast-1"))
    assert credential(headers)[0] == ENV_KEY and credential(headers)[2:4] == ["ap-northeast-1", "bedrock"]
    assert headers["x-amz-security-token"] == ENV_TOKEN and headers["x-amz-date"]


def test_default_chain_reads_a_named_profile(aws_home: Path) -> None:
    (aws_home / "credentials").write_text(
        f"[default]\naws_access_key_id = AKIDDEFAULTPROFILE01\naws_secret_access_key = x\n\n"
        f"[ci]\naws_access_key_id = {FILE_KEY}\naws_secret_access_key = {FILE_SECRET}\n"
    )
    assert credential(signed(make("bedrock", region="us-east-1", profile="ci")))[0] == FILE_KEY
    assert credential(signed(make("bedrock", region="us-east-1")))[0] == "AKIDDEFAULTPROFILE01"
    mantle = signed(make("bedrock_mantle", region="us-east-1", profile="ci"))
    assert credential(mantle)[3] == "bedrock-mantle" and "x-amz-content-sha256" in mantle


def test_explicit_keys_and_session_token_come_from_env_references(aws_home: Path) -> None:
    env = {"AK": "AKIDEXPLICITKEYS0001", "SK": "explicit/secret/0000000000000000000000000", "ST": "sess"}
    refs = {"aws_access_key_id": "${AK}", "aws_secret_access_key": "${SK}", "aws_session_token": "${ST}"}
    headers = signed(make("bedrock", env, region="us-east-1", **refs))
    assert credential(headers)[0] == "AKIDEXPLICITKEYS0001" and headers["x-amz-security-token"] == "sess"


def test_no_credentials_anywhere_fails_the_signing_with_kind_auth(aws_home: Path) -> None:
    # The chain is resolved when the first request is signed (off the event loop for async calls), not when the
    # route is built: resolving it may ask a metadata endpoint.
    from modelroute.exceptions import AuthError

    with pytest.raises(AuthError, match="no AWS credentials found in the default chain") as e:
        signed(make("bedrock", region="us-east-1"))
    assert e.value.kind.value == "auth"
    with pytest.raises(AuthError, match="could not be loaded"):
        signed(make("bedrock", region="us-east-1", profile="nope"))


def test_a_target_without_credentials_fails_over_with_kind_auth(aws_home: Path) -> None:
    config = {
        "providers": {
            "aws": {"kind": "bedrock", "region": "us-east-1"},
            "aws-key": {"kind": "bedrock", "region": "us-east-1", "api_key": "${BK}"},
        },
        "models": {"claude": {"targets": ["aws:anthropic.claude-x", "aws-key:anthropic.claude-x"]}},
    }
    with MockCloud() as cloud:
        cloud.add("aws", route="bedrock")
        cloud.add("aws-key", route="bedrock")
        cfg = load_config(config, env={"BK": "bedrock-api-key"})
        with Router(cfg.with_base_urls({n: cloud.url(n) for n in cloud.entries})) as router:
            r = router.complete("claude", HI)
        assert [(a.provider, a.kind.value if a.kind else None) for a in r.trace] == [("aws", "auth"), ("aws-key", None)]
        assert "no AWS credentials" in str(r.trace[0].error)
        assert cloud.requests("aws") == []
        assert cloud.requests("aws-key")[0].headers["authorization"] == "Bearer bedrock-api-key"


def test_secrets_never_show_in_reprs_or_errors(aws_home: Path) -> None:
    env = {"AK": "AKIDSECRETCHECK00001", "SK": "super/secret/value/000000000000000000000", "BK": "bedrock-key-secret"}
    sig = make("bedrock", env, region="us-east-1", aws_access_key_id="${AK}", aws_secret_access_key="${SK}")
    key = make("bedrock_mantle", env, region="us-east-1", api_key="${BK}")
    wire = sig.build(build_request(model="a", messages=HI), "m", stream=True)
    shown = " ".join([repr(sig), repr(key), repr(sig._signer), repr(key._signer), repr(wire), repr(sig.spec)])
    for secret in ("super/secret", "bedrock-key-secret"):
        assert secret not in shown
    assert "SigV4Signer(service='bedrock', region='us-east-1')" in shown
    err = sig.classify(403, {"x-amzn-errortype": "InvalidSignatureException"}, b'{"message": "bad signature"}')
    assert "super/secret" not in str(err) + repr(err)


def test_router_on_mock_cloud_never_signs_with_the_machines_credentials(
    aws_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelroute.testing import router_on_mock_cloud

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ENV_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", ENV_SECRET)
    (aws_home / "credentials").write_text(f"[prod]\naws_access_key_id = {FILE_KEY}\naws_secret_access_key = x\n")
    config = {
        "providers": {
            "chain": {"kind": "bedrock", "region": "us-east-1"},
            "prod": {"kind": "bedrock_mantle", "region": "us-east-1", "profile": "prod"},
        },
        "models": {"a": {"targets": ["chain:anthropic.claude-x"]}, "b": {"targets": ["prod:anthropic.claude-x"]}},
    }
    with MockCloud() as cloud, router_on_mock_cloud(cloud, config) as router:
        assert router.complete("a", HI).text == "Hello from chain."
        assert router.complete("b", HI).text == "Hello from prod."
        used = [credential(cloud.requests(n)[0].headers)[0] for n in ("chain", "prod")]
    assert used == ["mock-aws_access_key_id", "mock-aws_access_key_id"]


def test_credentials_that_fail_to_refresh_fail_the_attempt_with_kind_auth(aws_home: Path) -> None:
    from botocore.exceptions import TokenRetrievalError

    from modelroute.exceptions import AuthError

    class Expired:
        def get_frozen_credentials(self) -> Any:
            raise TokenRetrievalError(provider="sso", error_msg="the SSO session has expired")

    config = {
        "providers": {
            "sso": {"kind": "bedrock", "region": "us-east-1", "profile": "sso"},
            "key": {"kind": "bedrock", "region": "us-east-1", "api_key": "${BK}"},
        },
        "models": {"claude": {"targets": ["sso:anthropic.claude-x", "key:anthropic.claude-x"]}},
    }
    (aws_home / "credentials").write_text(
        "[sso]\naws_access_key_id = AKIDSSO0000000000001\naws_secret_access_key = s\n"
    )
    with MockCloud() as cloud:
        cloud.add("sso", route="bedrock")
        cloud.add("key", route="bedrock")
        cfg = load_config(config, env={"BK": "k"}).with_base_urls({n: cloud.url(n) for n in ("sso", "key")})
        with Router(cfg) as router:
            route = router._route("sso")
            route._signer._credentials = Expired()  # type: ignore[attr-defined]
            r = router.complete("claude", HI)
            with pytest.raises(AuthError, match="could not be refreshed"):
                route.build(build_request(model="a", messages=HI), "m", stream=False)
        assert [(a.provider, a.kind.value if a.kind else None) for a in r.trace] == [("sso", "auth"), ("key", None)]
        assert cloud.requests("sso") == []
