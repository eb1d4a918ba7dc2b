"""Structured output from a pydantic model: the schema each SDK's ``parse`` helper sends (``anthropic``'s
``messages.parse(output_format=...)`` on every Claude client, ``openai``'s ``chat.completions.parse(response_format=
...)`` on every OpenAI client), and the parsed answer both give."""

from __future__ import annotations

import contextlib
import json
from enum import StrEnum
from typing import Annotated, Any, Literal

import anthropic
import openai
import pytest
from pydantic import BaseModel, Field

from modelroute._coerce import build_request
from modelroute._schema import anthropic_schema, check_json_value, openai_schema

from ._clouds import Capture as CloudCapture
from ._clouds import cloud_route
from ._oracle import KEY, Capture, route

pytestmark = pytest.mark.parity
HI = [{"role": "user", "content": "Where?"}]


class Unit(StrEnum):
    C = "c"
    F = "f"


class Reading(BaseModel):
    """One reading."""

    value: float = Field(ge=-100, le=100, description="Degrees")
    unit: Unit = Unit.C


class Place(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    kind: Literal["city", "town"]
    tags: list[str] = Field(default_factory=list, min_length=1)
    at: str = Field(json_schema_extra={"format": "date-time"})
    code: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class Forecast(BaseModel):
    """A forecast."""

    place: Place
    readings: list[Reading]
    best: Annotated[Reading, Field(description="The best one")] | None = None
    summary: str


MODELS = [Reading, Place, Forecast]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_our_transforms_equal_the_sdks(model: type[BaseModel]) -> None:
    from anthropic.lib._parse._transform import transform_schema
    from openai.lib._pydantic import to_strict_json_schema

    schema = model.model_json_schema()
    assert anthropic_schema(schema) == transform_schema(schema)
    assert openai_schema(schema) == to_strict_json_schema(model)
    assert schema == model.model_json_schema()  # ours work on copies


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("kind", ["anthropic", "vertex", "azure_foundry"])
def test_claude_routes_send_what_messages_parse_sends(model: type[BaseModel], kind: str) -> None:
    cap = CloudCapture()
    clients = {
        "anthropic": lambda: anthropic.Anthropic(api_key=KEY, base_url="http://mock", http_client=cap.client()),
        "vertex": cap.vertex,
        "azure_foundry": cap.foundry,
    }
    client = clients[kind]()
    with contextlib.suppress(Exception):  # the canned answer does not parse: only the request matters here
        client.messages.parse(model="claude-sonnet-4-5", max_tokens=50, messages=HI, output_format=model)
    spec = {
        "anthropic": {"api_key": "${K}"},
        "vertex": {"project": "my-proj", "region": "us-east5", "access_token": "${T}"},
        "azure_foundry": {"resource": "myres", "api_key": "${K}"},
    }[kind]
    request = build_request(model="a", messages=HI, max_tokens=50, response_format=model)
    mine = json.loads(cloud_route(kind, **spec).build(request, "claude-sonnet-4-5", stream=False).body)
    sdk = cap.sent[0].json
    if kind == "vertex":  # the SDK's default version there; ours is Vertex's documented one (WIRE.md 12)
        assert (sdk.pop("anthropic_version"), mine.pop("anthropic_version")) == ("2026-10-21", "vertex-2023-10-16")
    assert mine == sdk


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("kind", ["openai", "azure_openai"])
def test_openai_routes_send_what_completions_parse_sends(model: type[BaseModel], kind: str) -> None:
    cap = CloudCapture()
    if kind == "openai":
        client: Any = openai.OpenAI(api_key=KEY, base_url="http://mock/v1", http_client=cap.client(), max_retries=0)
        spec: dict[str, Any] = {"api_key": "${K}"}
    else:
        client, spec = cap.azure_openai(), {"resource": "myres", "api_key": "${K}"}
    with contextlib.suppress(Exception):
        client.chat.completions.parse(model="gpt-5.5", messages=HI, response_format=model)
    request = build_request(model="a", messages=HI, response_format=model)
    mine = json.loads(cloud_route(kind, **spec).build(request, "gpt-5.5", stream=False).body)
    sdk = cap.sent[0].json
    assert sdk.pop("stream") is False  # parse() says stream: false; create() (our other oracle) leaves it out
    assert mine == sdk


FORECAST = {
    "place": {"name": "Paris", "kind": "city", "tags": ["fr"], "at": "2026-12-01T10:00:00Z", "code": "PAR"},
    "readings": [{"value": 21.5, "unit": "c"}],
    "best": None,
    "summary": "Mild.",
}


def test_parsed_answers_equal_the_sdks() -> None:
    text = json.dumps(FORECAST)
    claude = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
              "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
              "usage": {"input_tokens": 5, "output_tokens": 9}}  # fmt: skip
    sdk = Capture(200, json.dumps(claude).encode()).anthropic()
    parsed = sdk.messages.parse(model="m", max_tokens=9, messages=HI, output_format=Forecast).parsed_output
    mine = route("anthropic").decode(json.dumps(claude).encode())
    mine.output_format = build_request(model="a", messages=HI, response_format=Forecast).response_format
    assert mine.parsed == parsed and isinstance(mine.parsed, Forecast)
    gpt = {"id": "c", "object": "chat.completion", "created": 0, "model": "gpt-5.5",
           "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}]}  # fmt: skip
    sdk_o = Capture(200, json.dumps(gpt).encode()).openai()
    parsed_o = sdk_o.chat.completions.parse(model="m", messages=HI, response_format=Forecast).choices[0].message.parsed
    mine_o = route("openai").decode(json.dumps(gpt).encode())
    mine_o.output_format = build_request(model="a", messages=HI, response_format=Forecast).response_format
    assert mine_o.parsed == parsed_o


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"name": "P", "kind": "village", "tags": ["x"], "at": "t"}, "at $.kind: must be one of ['city', 'town']"),
        ({"name": "P", "kind": "city", "tags": [], "at": "t"}, "at $.tags: needs at least 1 items"),
        ({"name": "", "kind": "city", "tags": ["a"], "at": "t"}, "at $.name: needs at least 1 characters"),
        ({"name": "P", "kind": "city", "tags": ["a"]}, "the required property 'at' is missing"),
        ({"name": "P", "kind": "city", "tags": ["a"], "at": "t", "code": "pa"}, "does not match the pattern"),
        ({"name": "P", "kind": "city", "tags": [1], "at": "t"}, "at $.tags[0]: must be string, not 1"),
    ],
)
def test_the_schema_check_names_the_first_problem(value: dict[str, Any], problem: str) -> None:
    why = check_json_value(value, Place.model_json_schema())
    assert why is not None and problem in why
    assert check_json_value(FORECAST, Forecast.model_json_schema()) is None
    assert check_json_value(FORECAST, openai_schema(Forecast.model_json_schema())) is None
