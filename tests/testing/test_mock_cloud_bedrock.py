"""The mock cloud's AWS routes, proven with the official clients: ``anthropic.AnthropicBedrock``, boto3
``bedrock-runtime``, ``anthropic.AnthropicBedrockMantle`` and ``openai.BedrockOpenAI`` parse every success, raise
their own exception for every fault, and AWS's refusals (credential scope, missing ``anthropic_version``) look as
AWS sends them. Every signature that reaches the mock is checked the way AWS checks it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import boto3
import botocore.config
import botocore.exceptions
import openai
import pytest

from modelroute.testing import Fault, MockCloud
from modelroute.testing._routes.bedrock import sigv4_signature_valid

AKID = "AKIDEXAMPLEFAKE00002"
SECRET = "fake/secret/key/never/real/000000000002"
PROFILE_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"


def scope(headers: dict[str, str]) -> tuple[str, ...]:
    cred = headers["authorization"].split("Credential=", 1)[1].split(",", 1)[0]
    return tuple(cred.split("/")[:4])  # key id, date, region, service


def signature_valid(req: Any) -> bool:
    return sigv4_signature_valid(req, SECRET)


REGION = "us-west-2"
MSG: Any = [{"role": "user", "content": "Hello there"}]
BODY = b'{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 20, "messages": [{"role": "user", "content": "Hi"}]}'


@pytest.fixture(scope="module")
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as c:
        c.add("br", route="bedrock", region=REGION)
        c.add("mantle", route="bedrock_mantle", region=REGION)
        yield c


_open: list[Any] = []


@pytest.fixture(autouse=True)
def _clean(cloud: MockCloud) -> Iterator[None]:
    cloud.reset()
    yield
    while _open:
        _open.pop().close()


def bedrock(cloud: MockCloud, region: str = REGION, **auth: Any) -> anthropic.AnthropicBedrock:
    c = anthropic.AnthropicBedrock(
        aws_region=region, base_url=cloud.url("br"), max_retries=0,
        **(auth or {"aws_access_key": AKID, "aws_secret_key": SECRET}),
    )  # fmt: skip
    _open.append(c)
    return c


def boto(cloud: MockCloud) -> Any:
    c = boto3.client(
        "bedrock-runtime", region_name=REGION, endpoint_url=cloud.url("br"), aws_access_key_id=AKID,
        aws_secret_access_key=SECRET, config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )  # fmt: skip
    _open.append(c)
    return c


def mantle_claude(cloud: MockCloud, **auth: Any) -> anthropic.AnthropicBedrockMantle:
    c = anthropic.AnthropicBedrockMantle(
        aws_region=REGION, base_url=cloud.url("mantle") + "/anthropic", max_retries=0,
        **(auth or {"aws_access_key": AKID, "aws_secret_key": SECRET}),
    )  # fmt: skip
    _open.append(c)
    return c


def mantle_gpt(cloud: MockCloud, **auth: Any) -> openai.BedrockOpenAI:
    c = openai.BedrockOpenAI(
        aws_region=REGION, base_url=cloud.url("mantle") + "/openai/v1", max_retries=0,
        **(auth or {"aws_access_key_id": AKID, "aws_secret_access_key": SECRET}),
    )  # fmt: skip
    _open.append(c)
    return c


def create(client: anthropic.AnthropicBedrock, **extra: Any) -> Any:
    return client.messages.create(
        model=PROFILE_ID, max_tokens=20, messages=MSG, extra_body={"anthropic_version": "bedrock-2023-05-31"}, **extra
    )


# --- Bedrock Runtime -------------------------------------------------------------------------------------------


def test_anthropic_bedrock_message_and_stream(cloud: MockCloud) -> None:
    m = create(bedrock(cloud))
    assert m.content[0].text == "Hello from br." and m.usage.output_tokens == 3 and m.stop_reason == "end_turn"
    with bedrock(cloud).messages.stream(
        model=PROFILE_ID, max_tokens=20, messages=MSG, extra_body={"anthropic_version": "bedrock-2023-05-31"}
    ) as s:
        texts = list(s.text_stream)
        final = s.get_final_message()
    assert "".join(texts) == "Hello from br." and len(texts) > 1 and final.usage.output_tokens == 3
    for req in cloud.requests("br"):
        assert scope(req.headers)[2:] == (REGION, "bedrock") and signature_valid(req)
    assert cloud.requests("br")[1].path == f"/model/{PROFILE_ID}/invoke-with-response-stream"


def test_anthropic_bedrock_tool_use_in_a_stream(cloud: MockCloud) -> None:
    cloud.script("br", Fault.ok(tool_call={"name": "weather", "arguments": {"city": "Paris"}}))
    with bedrock(cloud).messages.stream(
        model=PROFILE_ID, max_tokens=20, messages=MSG, extra_body={"anthropic_version": "bedrock-2023-05-31"}
    ) as s:
        final = s.get_final_message()
    assert final.content[0].type == "tool_use" and final.content[0].input == {"city": "Paris"}


def test_bedrock_api_key_is_accepted(cloud: MockCloud) -> None:
    assert create(bedrock(cloud, api_key="bedrock-key")).content[0].text == "Hello from br."
    assert cloud.requests("br")[0].headers["authorization"] == "Bearer bedrock-key"


def test_boto3_invoke_and_stream(cloud: MockCloud) -> None:
    out = boto(cloud).invoke_model(modelId=PROFILE_ID, body=BODY)
    assert out["ResponseMetadata"]["RequestId"].startswith("req_mock")
    assert b"Hello from br." in out["body"].read()
    stream = boto(cloud).invoke_model_with_response_stream(modelId=PROFILE_ID, body=BODY)
    events = [e["chunk"]["bytes"] for e in stream["body"]]
    assert b'"message_start"' in events[0] and b'"message_stop"' in events[-1]
    assert b"amazon-bedrock-invocationMetrics" in events[-1]
    assert all(signature_valid(r) for r in cloud.requests("br"))


BEDROCK_FAULTS = [
    (Fault.rate_limited(), anthropic.RateLimitError, "ThrottlingException"),
    (Fault.overloaded(), anthropic.ServiceUnavailableError, "ServiceUnavailableException"),
    (Fault.server_error(), anthropic.InternalServerError, "InternalServerException"),
    (Fault.unavailable(), anthropic.ServiceUnavailableError, "ServiceUnavailableException"),
    (Fault.context_length(), anthropic.BadRequestError, "ValidationException"),
    (Fault.unauthorized(), anthropic.PermissionDeniedError, "UnrecognizedClientException"),
    (Fault.quota_exhausted(), anthropic.BadRequestError, "ServiceQuotaExceededException"),
    (Fault.not_found(), anthropic.NotFoundError, "ResourceNotFoundException"),
]


@pytest.mark.parametrize(("fault", "exc", "name"), BEDROCK_FAULTS, ids=[f.kind for f, _, _ in BEDROCK_FAULTS])
def test_bedrock_faults_raise_each_clients_exception(
    cloud: MockCloud, fault: Fault, exc: type[Exception], name: str
) -> None:
    cloud.script("br", fault, fault)
    with pytest.raises(exc) as info:
        create(bedrock(cloud))
    assert isinstance(info.value, anthropic.APIStatusError)
    assert info.value.response.headers["x-amzn-errortype"].startswith(f"{name}:")
    with pytest.raises(botocore.exceptions.ClientError) as boto_info:
        boto(cloud).invoke_model(modelId=PROFILE_ID, body=BODY)
    assert boto_info.value.response["Error"]["Code"] == name
    assert boto_info.value.response["ResponseMetadata"]["HTTPStatusCode"] == info.value.status_code


def test_in_band_error_is_an_exception_frame_for_both_clients(cloud: MockCloud) -> None:
    cloud.script("br", Fault.stream_error(after_events=3, error_type="modelStreamErrorException"))
    with (
        pytest.raises(anthropic.APIStatusError) as info,
        bedrock(cloud).messages.stream(
            model=PROFILE_ID, max_tokens=20, messages=MSG, extra_body={"anthropic_version": "bedrock-2023-05-31"}
        ) as s,
    ):
        list(s.text_stream)
    assert info.value.status_code == 200 and info.value.type == "modelStreamErrorException"
    cloud.script("br", Fault.stream_error(after_events=2))
    out = boto(cloud).invoke_model_with_response_stream(modelId=PROFILE_ID, body=BODY)
    with pytest.raises(botocore.exceptions.EventStreamError) as e:
        list(out["body"])
    out["body"].close()
    assert e.value.response["Error"]["Code"] == "serviceUnavailableException"


def test_wrong_region_is_refused_as_aws_does(cloud: MockCloud) -> None:
    with pytest.raises(anthropic.PermissionDeniedError) as info:
        create(bedrock(cloud, region="eu-west-1", aws_access_key=AKID, aws_secret_key=SECRET))
    assert info.value.status_code == 403
    assert info.value.response.headers["x-amzn-errortype"].startswith("InvalidSignatureException:")
    assert info.value.body == {"message": "Credential should be scoped to a valid region, not 'eu-west-1'. "}


def test_wrong_service_is_refused_as_aws_does(cloud: MockCloud) -> None:
    # The Mantle client signs for service bedrock-mantle; Bedrock Runtime wants bedrock.
    client = anthropic.AnthropicBedrockMantle(
        aws_region=REGION, base_url=cloud.url("br"), max_retries=0, aws_access_key=AKID, aws_secret_key=SECRET
    )
    _open.append(client)
    with pytest.raises(anthropic.PermissionDeniedError) as info:
        client.messages.create(model=PROFILE_ID, max_tokens=5, messages=MSG)
    assert info.value.body == {"message": "Credential should be scoped to correct service: 'bedrock'. "}
    # and the other way round: Bedrock Runtime's signer at Mantle
    wrong = anthropic.AnthropicBedrock(
        aws_region=REGION, base_url=cloud.url("mantle") + "/anthropic", max_retries=0, aws_access_key=AKID,
        aws_secret_key=SECRET,
    )  # fmt: skip
    _open.append(wrong)
    with pytest.raises(anthropic.PermissionDeniedError, match="bedrock-mantle"):
        create(wrong)


def test_unsigned_requests_are_refused(cloud: MockCloud) -> None:
    unsigned = boto3.client(
        "bedrock-runtime", region_name=REGION, endpoint_url=cloud.url("br"),
        config=botocore.config.Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1}),
    )  # fmt: skip
    _open.append(unsigned)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        unsigned.invoke_model(modelId=PROFILE_ID, body=BODY)
    assert e.value.response["Error"]["Code"] == "MissingAuthenticationTokenException"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"max_tokens": 5, "messages": []}', "required key [anthropic_version] not found"),
        (b'{"anthropic_version": "bedrock-2023-05-31", "messages": []}', "required key [max_tokens] not found"),
        (b'{"anthropic_version": "v", "max_tokens": 5, "messages": [], "model": "m"}', "extraneous key [model]"),
        (b'{"anthropic_version": "v", "max_tokens": 5, "messages": [], "stream": true}', "extraneous key [stream]"),
    ],
    ids=["no anthropic_version", "no max_tokens", "model in body", "stream in body"],
)
def test_bodies_bedrock_refuses_are_validation_errors(cloud: MockCloud, body: bytes, problem: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as e:
        boto(cloud).invoke_model(modelId=PROFILE_ID, body=body)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert problem in e.value.response["Error"]["Message"]


# --- Mantle ----------------------------------------------------------------------------------------------------


def test_mantle_anthropic_message_and_stream(cloud: MockCloud) -> None:
    client = mantle_claude(cloud)
    m = client.messages.create(model="anthropic.claude-sonnet-4-5", max_tokens=20, messages=MSG)
    assert m.content[0].text == "Hello from mantle." and m.usage.output_tokens == 3  # type: ignore[union-attr]
    with client.messages.stream(model="anthropic.claude-sonnet-4-5", max_tokens=20, messages=MSG) as s:
        assert "".join(s.text_stream) == "Hello from mantle."
    assert (
        mantle_claude(cloud, api_key="k").messages.create(model="m", max_tokens=5, messages=MSG).content[0].text
        == "Hello from mantle."
    )  # type: ignore[union-attr]
    signed = [r for r in cloud.requests("mantle") if r.headers["authorization"].startswith("AWS4")]
    assert len(signed) == 2 and all(scope(r.headers)[2:] == (REGION, "bedrock-mantle") for r in signed)
    assert all(signature_valid(r) for r in signed)


def test_mantle_openai_completion_and_stream(cloud: MockCloud) -> None:
    client = mantle_gpt(cloud)
    c = client.chat.completions.create(model="openai.gpt-oss-120b-1:0", messages=MSG)
    assert c.choices[0].message.content == "Hello from mantle."
    chunks = list(client.chat.completions.create(model="openai.gpt-oss-120b-1:0", messages=MSG, stream=True))
    assert "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices) == "Hello from mantle."
    assert mantle_gpt(cloud, api_key="k").chat.completions.create(model="m", messages=MSG).choices[0].message.content
    signed = [r for r in cloud.requests("mantle") if r.headers["authorization"].startswith("AWS4")]
    assert [r.path for r in signed] == ["/openai/v1/chat/completions"] * 2 and all(signature_valid(r) for r in signed)


def test_mantle_faults_speak_each_dialect(cloud: MockCloud) -> None:
    cloud.script("mantle", Fault.overloaded(), Fault.rate_limited(), Fault.stream_error(error_type="overloaded_error"))
    with pytest.raises(anthropic.OverloadedError):
        mantle_claude(cloud).messages.create(model="m", max_tokens=5, messages=MSG)
    with pytest.raises(openai.RateLimitError):
        mantle_gpt(cloud).chat.completions.create(model="m", messages=MSG)
    with (
        pytest.raises(anthropic.APIStatusError) as info,
        mantle_claude(cloud).messages.stream(model="m", max_tokens=5, messages=MSG) as s,
    ):
        list(s.text_stream)
    assert info.value.type == "overloaded_error"
    assert all(r.headers.get("authorization") for r in cloud.requests("mantle"))


def test_mantle_refuses_a_missing_anthropic_version(cloud: MockCloud) -> None:
    import httpx2

    r = httpx2.post(
        cloud.url("mantle") + "/anthropic/v1/messages",
        json={"model": "m", "max_tokens": 5, "messages": MSG},
        headers={"authorization": "Bearer k"},
    )
    assert r.status_code == 400 and "anthropic-version" in r.json()["error"]["message"]
    assert r.headers["x-amzn-requestid"].startswith("req_mock")
