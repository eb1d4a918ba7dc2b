"""The model catalog: shipped data, per-cloud ids (Bedrock profiles, Vertex versions, Azure deployments),
config overrides, and aliases that name a family instead of spelling every target."""

from __future__ import annotations

from typing import Any

import pytest

from modelroute import ConfigError, load_config
from modelroute.catalog import BEDROCK_PROFILES, CatalogLookupError, FamilyOverride, bedrock_geo, default_catalog
from modelroute.testing import MockCloud, router_on_mock_cloud

from .sdk_models import known

CAT = default_catalog()


def test_every_direct_id_is_one_a_vendor_sdk_listed() -> None:
    """Against the recorded lists of every SDK release seen (`sdk_models.py`), not the installed one: releases
    drop names the API still serves, and a new release must not turn this test red."""
    claude = known("anthropic")
    gpt = known("openai")
    for name, fam in CAT.families.items():
        if "anthropic" in fam.ids:
            assert fam.ids["anthropic"] in claude, name
        if "openai" in fam.ids:
            assert fam.ids["openai"] in gpt, name
        assert fam.vendor in ("anthropic", "openai") and "streaming" in fam.capabilities


def test_cloud_id_shapes() -> None:
    for name, fam in CAT.families.items():
        if "vertex" in fam.ids:
            assert "@" in fam.ids["vertex"] and fam.ids["vertex"].startswith(name), name
        if "bedrock" in fam.ids:
            assert fam.ids["bedrock"].split(".", 1)[0] == fam.vendor and fam.ids["bedrock"].endswith(":0"), name
        assert set(fam.bedrock_profiles) <= set(BEDROCK_PROFILES)
    assert CAT.family("claude-sonnet-4-5").ids["vertex"] == "claude-sonnet-4-5@20250929"  # WIRE.md, Google's docs


@pytest.mark.parametrize(
    ("region", "profile", "expected"),
    [
        ("us-east-1", "auto", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("eu-central-1", "auto", "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("ap-northeast-1", "auto", "apac.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("us-gov-west-1", "auto", "anthropic.claude-sonnet-4-5-20250929-v1:0"),
        (None, "auto", "anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("eu-west-1", "none", "anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("eu-west-1", "global", "global.anthropic.claude-sonnet-4-5-20250929-v1:0"),
    ],
)
def test_bedrock_ids_get_the_cross_region_prefix(region: str | None, profile: Any, expected: str) -> None:
    assert CAT.model_id("claude-sonnet-4-5", kind="bedrock", region=region, profile=profile) == expected


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", None])
def test_mantle_ids_are_vendor_dot_family_without_prefix_or_version(region: str | None) -> None:
    """Bedrock Mantle sends ids verbatim: ``anthropic.claude-sonnet-4-5``, ``openai.gpt-oss-120b``."""
    assert CAT.model_id("claude-sonnet-4-5", kind="bedrock_mantle", region=region) == "anthropic.claude-sonnet-4-5"
    assert CAT.model_id("gpt-oss-120b", kind="bedrock_mantle", region=region) == "openai.gpt-oss-120b"
    assert CAT.same_model("anthropic.claude-sonnet-4-5", "us.anthropic.claude-sonnet-4-5-20250929-v1:0")


def test_claude_platform_on_aws_uses_first_party_ids() -> None:
    assert CAT.model_id("claude-haiku-4-5", kind="anthropic_aws") == "claude-haiku-4-5-20251001"


def test_ids_for_the_other_kinds_and_what_is_unknown() -> None:
    assert CAT.model_id("claude-haiku-4-5", kind="vertex", region="us") == "claude-haiku-4-5@20251001"
    assert CAT.model_id("claude-haiku-4-5", kind="anthropic") == "claude-haiku-4-5-20251001"
    assert CAT.model_id("claude-haiku-4-5", kind="azure_foundry") == "claude-haiku-4-5"
    assert CAT.model_id("gpt-5", kind="azure_openai", deployment="gpt5-prod") == "gpt5-prod"
    assert CAT.model_id("gpt-oss-120b", kind="bedrock", region="us-west-2") == "openai.gpt-oss-120b-1:0"
    with pytest.raises(CatalogLookupError, match="no vertex id for gpt-5"):
        CAT.model_id("gpt-5", kind="vertex")
    with pytest.raises(CatalogLookupError, match="no id scheme for provider kind 'mystery'"):
        CAT.model_id("gpt-5", kind="mystery")
    with pytest.raises(CatalogLookupError, match="no 'global' inference profile"):
        CAT.model_id("gpt-oss-120b", kind="bedrock", profile="global")
    assert bedrock_geo("sa-east-1") is None


def test_reverse_lookup_and_context_windows() -> None:
    assert CAT.context_window("claude-sonnet-4-5@20250929") == 200_000
    assert CAT.context_window("eu.anthropic.claude-opus-4-5-20251101-v1:0") == 200_000
    assert CAT.context_window("gpt-4.1") == 1_047_576
    assert CAT.context_window("gpt-5.5") is None  # listed, window not known here
    assert CAT.context_window("my-own-model") is None
    found = CAT.lookup("claude-haiku-4-5")
    assert found is not None and found[0] == "claude-haiku-4-5" and found[1].supports("vision")


def test_same_model_across_clouds() -> None:
    assert CAT.same_model("claude-sonnet-4-5", "eu.anthropic.claude-sonnet-4-5-20250929-v1:0")
    assert CAT.same_model("claude-sonnet-4-5@20250929", "claude-sonnet-4-5-20250929")
    assert not CAT.same_model("claude-sonnet-4-5", "claude-haiku-4-5")
    assert CAT.same_model("my-model", "my-model") and not CAT.same_model("my-model", "other")


def test_overrides_merge_ids_and_add_families() -> None:
    cat = CAT.merged(
        {
            "claude-sonnet-5-5": FamilyOverride(ids={"vertex": "claude-sonnet-5-5@20260901"}, context_window=500_000),
            "in-house": FamilyOverride(vendor="acme", ids={"openai": "acme-1"}, capabilities=frozenset({"streaming"})),
        }
    )
    fam = cat.family("claude-sonnet-5-5")
    assert fam.ids == {
        "anthropic": "claude-sonnet-5-5",
        "azure": "claude-sonnet-5-5",
        "vertex": "claude-sonnet-5-5@20260901",
    }
    assert fam.context_window == 500_000 and cat.context_window("claude-sonnet-5-5@20260901") == 500_000
    assert cat.model_id("in-house", kind="openai") == "acme-1"
    assert CAT.family("claude-sonnet-5-5").ids.get("vertex") is None  # the shipped catalog is untouched
    with pytest.raises(CatalogLookupError, match="needs a vendor and ids"):
        CAT.merged({"new": FamilyOverride(context_window=5)})


# --- aliases by family ------------------------------------------------------------------------------------------

PROVIDERS: dict[str, Any] = {
    "foundry": {"kind": "azure_foundry", "resource": "contoso", "api_key": "${FOUNDRY_KEY}"},
    "vertex": {"kind": "vertex", "project": "acme", "region": "europe-west1", "access_token": "${GCP_TOKEN}"},
    "anthropic": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
    "az": {"kind": "azure_openai", "resource": "contoso", "api_key": "${AZURE_KEY}"},
}


def config(**alias: Any) -> dict[str, Any]:
    return {"providers": PROVIDERS, "models": {"claude-sonnet": alias}}


def test_a_family_alias_expands_to_each_clouds_id() -> None:
    cfg = load_config(config(family="claude-sonnet-4-5", providers=["foundry", "vertex", "anthropic"]), env={})
    targets = [(t.provider, t.model) for t in cfg.spec.models["claude-sonnet"].targets]
    assert targets == [
        ("foundry", "claude-sonnet-4-5"),
        ("vertex", "claude-sonnet-4-5@20250929"),
        ("anthropic", "claude-sonnet-4-5-20250929"),
    ]


def test_explicit_targets_come_first_and_deployments_name_azure_ids() -> None:
    cfg = load_config(
        {"providers": PROVIDERS, "models": {"gpt": {"targets": ["az:gpt-canary"], "family": "gpt-5",
                                                   "providers": ["az"], "deployments": {"az": "gpt5-prod"}}}},
        env={},
    )  # fmt: skip
    assert [t.model for t in cfg.spec.models["gpt"].targets] == ["gpt-canary", "gpt5-prod"]


def test_config_catalog_section_extends_the_catalog() -> None:
    data = config(family="claude-sonnet-5-5", providers=["vertex", "foundry"])
    data["catalog"] = {"families": {"claude-sonnet-5-5": {"ids": {"vertex": "claude-sonnet-5-5@20260901"}}}}
    cfg = load_config(data, env={})
    assert [t.model for t in cfg.spec.models["claude-sonnet"].targets] == [
        "claude-sonnet-5-5@20260901",
        "claude-sonnet-5-5",
    ]
    assert cfg.catalog.family("claude-sonnet-5-5").ids["vertex"] == "claude-sonnet-5-5@20260901"


BAD: list[tuple[dict[str, Any], str, str]] = [
    (config(family="claude-sonnet-5-5", providers=["foundry", "vertex"]), "models.claude-sonnet.providers[1]",
     "provider 'vertex' (vertex) cannot serve claude-sonnet-5-5: the catalog has no vertex id"),
    (config(family="gpt-5", providers=["anthropic"]), "models.claude-sonnet.providers[0]", "no anthropic id for gpt-5"),
    (config(family="claude-sonet-4-5", providers=["foundry"]), "models.claude-sonnet.family",
     "Did you mean 'claude-sonnet-4-5'"),
    (config(family="claude-sonnet-4-5", providers=["fondry"]), "models.claude-sonnet.providers[0]",
     "Did you mean 'foundry'"),
    (config(family="claude-sonnet-4-5"), "models.claude-sonnet", "set family and providers together"),
    (config(family="claude-sonnet-4-5", providers=["foundry"], deployments={"az": "x"}), "models.claude-sonnet",
     "deployments names az"),
    (config(family="claude-sonnet-4-5", providers=["foundry"], inference_profile="asia"),
     "models.claude-sonnet.inference_profile", "Use one of"),
    ({**config(targets=["anthropic:x"]), "catalog": {"families": {"new": {"context_window": 5}}}}, "catalog.families",
     "needs a vendor and ids"),
    ({**config(targets=["anthropic:x"]), "catalog": {"families": {"gpt-5": {"context_windw": 5}}}},
     "catalog.families.gpt-5", "Did you mean 'context_window'"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "path", "words"), BAD, ids=[b[2][:30] for b in BAD])
def test_bad_family_aliases_fail_at_load_naming_the_field(data: dict[str, Any], path: str, words: str) -> None:
    with pytest.raises(ConfigError) as e:
        load_config(data, env={})
    assert e.value.path == path and words in str(e.value)


def test_a_family_alias_serves_through_the_router() -> None:
    data = config(family="claude-sonnet-4-5", providers=["vertex", "foundry"])
    with MockCloud() as cloud, router_on_mock_cloud(cloud, data) as router:
        r = router.complete("claude-sonnet", [{"role": "user", "content": "Hi"}])
        assert r.served_by is not None and (r.served_by.provider, r.served_by.model) == (
            "vertex",
            "claude-sonnet-4-5@20250929",
        )
        assert cloud.requests("vertex")[-1].path.endswith("/models/claude-sonnet-4-5@20250929:rawPredict")
