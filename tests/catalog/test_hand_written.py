"""The newest families, profile-only Bedrock models, and hand-written ``catalog: families:`` entries: checked at
load with the field's path, and routed through the mock cloud with the written id in the request."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelroute import ConfigError, load_config
from modelroute.catalog import CatalogLookupError, FamilyOverride, ModelFamily, default_catalog
from modelroute.testing import Fault, MockCloud, router_on_mock_cloud

from .sdk_models import known

CAT = default_catalog()
README = Path(__file__).parents[2] / "README.md"
SIGV4 = {"aws_access_key_id": "${AWS_ACCESS_KEY_ID}", "aws_secret_access_key": "${AWS_SECRET_ACCESS_KEY}"}
HI = [{"role": "user", "content": "Hi"}]

# The families of the newest SDK names: any recorded release listing one the catalog lacks fails here.
NEWEST = re.compile(r"claude-(fable|mythos|opus-4-[6-9]|opus-5|sonnet-4-6|sonnet-5|haiku-5)|gpt-(5\.[4-9]|6)")


def test_every_newest_sdk_name_is_a_family() -> None:
    direct = {fam.ids.get(fam.vendor) for fam in CAT.families.values()}
    for vendor in ("anthropic", "openai"):
        for name in sorted(known(vendor)):
            dated = re.search(r"-\d{4}-\d{2}-\d{2}$", name)  # gpt-5.4-mini-2026-03-17: a snapshot, not a family
            if NEWEST.match(name) and not dated:
                assert name in direct, f"{name}: add a family to models.json"


@pytest.mark.parametrize("name", ["claude-fable-5", "claude-fable-5-1", "claude-fable-5-2", "claude-mythos-5"])
def test_fable_and_mythos_windows(name: str) -> None:
    fam = CAT.family(name)
    assert (fam.context_window, fam.max_output_tokens) == (1_000_000, 128_000)
    assert fam.ids["anthropic"] == name and {"bedrock", "vertex", "mantle"}.isdisjoint(fam.ids)


def test_sources_are_notes_the_loader_skips() -> None:
    import json
    from importlib import resources

    raw = json.loads(resources.files("modelroute.catalog").joinpath("models.json").read_text())
    for name, fam in raw["families"].items():
        assert fam["_sources"], name  # every family says where its facts came from
        assert "_sources" not in CAT.family(name).model_dump()
    with pytest.raises(ValueError, match="Extra inputs"):
        ModelFamily.model_validate({"vendor": "x", "ids": {"openai": "x"}, "sources": {}})


# --- Bedrock models served only through inference profiles ----------------------------------------------------


@pytest.mark.parametrize(
    ("region", "profile", "expected"),
    [
        ("us-east-1", "auto", "us.openai.gpt-6-sol"),
        ("eu-west-1", "auto", "global.openai.gpt-6-sol"),  # no eu profile and no in-region id: global
        (None, "auto", "global.openai.gpt-6-sol"),
        ("eu-west-1", "global", "global.openai.gpt-6-sol"),
    ],
)
def test_profile_only_families(region: str | None, profile: Any, expected: str) -> None:
    assert CAT.model_id("gpt-6-sol", kind="bedrock", region=region, profile=profile) == expected
    assert CAT.lookup(expected) is not None and CAT.same_model(expected, "gpt-6-sol")


def test_profile_only_families_refuse_the_in_region_id() -> None:
    with pytest.raises(CatalogLookupError, match=r"only through inference profiles \(us, global\)") as e:
        CAT.model_id("gpt-6-sol", kind="bedrock", profile="none")
    assert e.value.fix == "Set inference_profile to auto or one of: us, global"
    with pytest.raises(CatalogLookupError, match=r"no 'eu' inference profile for gpt-6-sol \(it offers: us, global\)"):
        CAT.model_id("gpt-6-sol", kind="bedrock", profile="eu")
    only_us = CAT.merged({"x": FamilyOverride(vendor="openai", ids={"bedrock": "openai.x"},
                                              bedrock_profiles=("us",), bedrock_in_region=False)})  # fmt: skip
    with pytest.raises(CatalogLookupError, match="region eu-west-1 is in none of them"):
        only_us.model_id("x", kind="bedrock", region="eu-west-1")


# --- hand-written entries: checked at load, naming the field --------------------------------------------------

PROVIDERS: dict[str, Any] = {
    "bedrock-us": {"kind": "bedrock", "region": "us-east-1", **SIGV4},
    "bedrock-eu": {"kind": "bedrock", "region": "eu-central-1", **SIGV4},
    "bedrock-gpt": {"kind": "bedrock", "region": "eu-west-1", "dialect": "openai", **SIGV4},
    "mantle": {"kind": "bedrock_mantle", "region": "us-east-1", **SIGV4},
    "vertex": {"kind": "vertex", "project": "acme", "region": "global", "access_token": "${GCP_TOKEN}"},
    "anthropic": {"kind": "anthropic", "api_key": "${ANTHROPIC_API_KEY}"},
}


def with_catalog(families: dict[str, Any], **alias: Any) -> dict[str, Any]:
    alias = alias or {"targets": ["anthropic:claude-fable-5-1"]}
    return {"providers": PROVIDERS, "models": {"fable": alias}, "catalog": {"families": families}}


BAD: list[tuple[dict[str, Any], str, str]] = [
    (with_catalog({"claude-fable-5-1": {"ids": {"vertx": "claude-fable-5-1"}}}),
     "catalog.families.claude-fable-5-1.ids.vertx", "Did you mean 'vertex'?"),
    (with_catalog({"claude-fable-5-1": {"ids": {"bedrock": "us.anthropic.claude-fable-5-1"}}}),
     "catalog.families.claude-fable-5-1.ids", "give the base id ('anthropic.claude-fable-5-1') and list 'us' under"),
    (with_catalog({"claude-fable-5-1": {"ids": {"mantle": "global.anthropic.claude-fable-5-1"}}}),
     "catalog.families.claude-fable-5-1.ids", "Mantle ids have none"),
    (with_catalog({"claude-fable-5-1": {"ids": {"vertex": "publishers/anthropic/models/claude-fable-5-1"}}}),
     "catalog.families.claude-fable-5-1.ids", "is not a Vertex model id"),
    (with_catalog({"claude-fable-5-1": {"ids": {"bedrock": "anthropic.claude fable"}}}),
     "catalog.families.claude-fable-5-1.ids", "is not a model id"),
    (with_catalog({"claude-fable-5-1": {"bedrock_profiles": ["us"]}}),
     "catalog.families.claude-fable-5-1", "add ids.bedrock (the base id) too"),
    (with_catalog({"claude-fable-5-1": {"bedrock_profiles": ["asia"]}}),
     "catalog.families.claude-fable-5-1.bedrock_profiles[0]", "Use one of: us, eu, apac, jp, au, global"),
    (with_catalog({"claude-fabel-5-1": {"ids": {"vertex": "claude-fable-5-1"}}}),
     "catalog.families.claude-fabel-5-1", "Did you mean 'claude-fable-5-1'? Otherwise"),
    (with_catalog({"in-house": {"vendor": "acme", "ids": {"bedrock": "acme.m"}, "bedrock_in_region": False}}),
     "catalog.families.in-house", "bedrock_in_region: false needs the profiles"),
    (with_catalog({"in-house": {"vendor": "acme", "ids": {"bedrock": "arn:aws:bedrock:us-east-1:1:x/y"},
                                "bedrock_profiles": ["us"]}}),
     "catalog.families.in-house", "is an ARN, which takes no profile prefix"),
    (with_catalog({}, family="gpt-6-sol", providers=["bedrock-gpt"], inference_profile="none"),
     "models.fable.providers[0]", "only through inference profiles (us, global)"),
    (with_catalog({}, family="claude-fable-5-1", providers=["vertex"]),
     "models.fable.providers[0]", "Add catalog.families.claude-fable-5-1.ids"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "path", "words"), BAD, ids=[b[1] + ":" + b[2][:20] for b in BAD])
def test_bad_hand_written_entries_fail_at_load(data: dict[str, Any], path: str, words: str) -> None:
    with pytest.raises(ConfigError) as e:
        load_config(data, env={})
    assert e.value.path == path and words in str(e.value), str(e.value)


def test_the_profile_fix_names_inference_profile() -> None:
    with pytest.raises(ConfigError) as e:
        load_config(with_catalog({}, family="gpt-6-sol", providers=["bedrock-gpt"], inference_profile="none"), env={})
    assert "Set inference_profile to auto or one of: us, global" in str(e.value)


# --- hand-written entries route through the cloud with the written id -----------------------------------------

ADDED = {
    # a shipped family gets the ids its clouds list (test ids: copy real ones from the cloud's model page)
    "claude-fable-5-1": {"ids": {"bedrock": "anthropic.claude-fable-5-1", "vertex": "claude-fable-5-1",
                                 "mantle": "anthropic.claude-fable-5-1"},
                         "bedrock_profiles": ["us", "global"], "bedrock_in_region": False},
    # a family the catalog does not know yet
    "claude-fable-9": {"vendor": "anthropic", "context_window": 2_000_000, "capabilities": ["tools", "streaming"],
                       "ids": {"anthropic": "claude-fable-9", "vertex": "claude-fable-9@20270101"}},
}  # fmt: skip


def test_a_hand_written_bedrock_id_routes_with_its_profile_and_fails_over_to_vertex() -> None:
    data = with_catalog(ADDED, family="claude-fable-5-1", providers=["bedrock-us", "bedrock-eu", "vertex", "mantle"])
    cfg = load_config(data, env={})
    assert [t.model for t in cfg.spec.models["fable"].targets] == [
        "us.anthropic.claude-fable-5-1",
        "global.anthropic.claude-fable-5-1",  # eu-central-1: no eu profile, no in-region id
        "claude-fable-5-1",
        "anthropic.claude-fable-5-1",
    ]
    with MockCloud() as cloud, router_on_mock_cloud(cloud, data) as router:
        r = router.complete("fable", HI)
        assert r.served_by is not None and r.served_by.model == "us.anthropic.claude-fable-5-1"
        assert cloud.requests("bedrock-us")[-1].path == "/model/us.anthropic.claude-fable-5-1/invoke"
        cloud.set_default("bedrock-us", Fault.overloaded())
        cloud.set_default("bedrock-eu", Fault.overloaded())
        r = router.complete("fable", HI)
        assert r.served_by is not None and (r.served_by.provider, r.served_by.model) == ("vertex", "claude-fable-5-1")
        assert cloud.requests("bedrock-eu")[-1].path == "/model/global.anthropic.claude-fable-5-1/invoke"
        assert cloud.requests("vertex")[-1].path.endswith("/publishers/anthropic/models/claude-fable-5-1:rawPredict")


def test_a_new_familys_vertex_id_routes_through_vertex() -> None:
    data = with_catalog(ADDED, family="claude-fable-9", providers=["vertex", "anthropic"])
    with MockCloud() as cloud, router_on_mock_cloud(cloud, data) as router:
        r = router.complete("fable", HI)
        assert r.served_by is not None and r.served_by.model == "claude-fable-9@20270101"
        assert cloud.requests("vertex")[-1].path.endswith("/models/claude-fable-9@20270101:rawPredict")
    assert load_config(data, env={}).catalog.context_window("claude-fable-9@20270101") == 2_000_000


def test_a_shipped_profile_only_gpt_family_routes_through_bedrock_runtime() -> None:
    data = {"providers": PROVIDERS, "models": {"gpt": {"family": "gpt-6-sol", "providers": ["bedrock-gpt"]}}}
    with MockCloud() as cloud, router_on_mock_cloud(cloud, data) as router:
        router.complete("gpt", HI)
        sent = cloud.requests("bedrock-gpt")[-1]
        assert sent.path == "/openai/v1/chat/completions" and sent.json["model"] == "global.openai.gpt-6-sol"


def _readme_block(heading: str) -> str:
    section = README.read_text().split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)[0]


def test_the_readme_example_loads_and_routes_as_it_says() -> None:
    data = yaml.safe_load(_readme_block("### Hand-written catalog entries"))
    cfg = load_config(data, env={})
    targets = {alias: [(t.provider, t.model) for t in a.targets] for alias, a in cfg.spec.models.items()}
    assert targets["fable"] == [
        ("bedrock-us", "us.anthropic.claude-fable-5-2"),
        ("vertex", "claude-fable-5-2"),
        ("anthropic", "claude-fable-5-2"),
    ]
    assert targets["in-house"][0] == ("vertex", "claude-fable-9@20270101")
    with MockCloud() as cloud, router_on_mock_cloud(cloud, data) as router:
        cloud.set_default("bedrock-us", Fault.overloaded())
        r = router.complete("fable", HI)
        assert r.served_by is not None and r.served_by.model == "claude-fable-5-2"
        assert cloud.requests("bedrock-us")[-1].path == "/model/us.anthropic.claude-fable-5-2/invoke"
        assert cloud.requests("vertex")[-1].path.endswith("/models/claude-fable-5-2:rawPredict")


def test_overrides_leave_the_shipped_catalog_alone() -> None:
    cfg = load_config(with_catalog(ADDED), env={})
    assert cfg.catalog.family("claude-fable-5-1").ids["bedrock"] == "anthropic.claude-fable-5-1"
    assert "bedrock" not in CAT.family("claude-fable-5-1").ids and "claude-fable-9" not in CAT
