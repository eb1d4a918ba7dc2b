"""The mock cloud, proven with the official SDK clients: they parse every success and raise their own matching
exception for every fault."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import httpx2
import openai
import pytest

from modelroute.testing import Fault, MockCloud

MSG = [{"role": "user", "content": "Hello there"}]


@pytest.fixture(scope="module")
def cloud() -> Iterator[MockCloud]:
    with MockCloud() as c:
        c.add("a", route="anthropic")
        c.add("o", route="openai", model_reply="Hi from GPT, friend.")
        yield c


_clients: list[anthropic.Anthropic | openai.OpenAI] = []


@pytest.fixture(autouse=True)
def _clean(cloud: MockCloud) -> Iterator[None]:
    cloud.reset()
    yield
    while _clients:
        _clients.pop().close()


def claude(cloud: MockCloud, timeout: float = 10.0) -> anthropic.Anthropic:
    client = anthropic.Anthropic(api_key="k", base_url=cloud.url("a"), max_retries=0, timeout=timeout)
    _clients.append(client)
    return client


def gpt(cloud: MockCloud, timeout: float = 10.0) -> openai.OpenAI:
    client = openai.OpenAI(api_key="k", base_url=cloud.url("o"), max_retries=0, timeout=timeout)
    _clients.append(client)
    return client


# --- successes -------------------------------------------------------------------------------------------------


def test_anthropic_message(cloud: MockCloud) -> None:
    m = claude(cloud).messages.create(model="claude-sonnet-5-5", max_tokens=50, messages=MSG)  # type: ignore[arg-type]
    assert m.content[0].type == "text" and m.content[0].text == "Hello from a."
    assert (m.stop_reason, m.usage.input_tokens, m.usage.output_tokens) == ("end_turn", 5, 3)
    assert m._request_id and m._request_id.startswith("req_mock")
    sent = cloud.requests("a")[0]
    assert sent.headers["authorization"] == "Bearer k" and sent.headers["anthropic-version"]


def test_anthropic_tool_use(cloud: MockCloud) -> None:
    cloud.script("a", Fault.ok(tool_call={"name": "weather", "arguments": {"city": "Paris"}}))
    m = claude(cloud).messages.create(model="claude-sonnet-5-5", max_tokens=50, messages=MSG)  # type: ignore[arg-type]
    block = m.content[0]
    assert block.type == "tool_use" and block.name == "weather" and block.input == {"city": "Paris"}
    assert m.stop_reason == "tool_use"


def test_anthropic_stream_text_and_tool(cloud: MockCloud) -> None:
    client = claude(cloud)
    with client.messages.stream(model="claude-sonnet-5-5", max_tokens=50, messages=MSG) as s:  # type: ignore[arg-type]
        texts = list(s.text_stream)
        final = s.get_final_message()
    assert "".join(texts) == "Hello from a." and len(texts) > 1
    assert final.usage.output_tokens == 3 and final.stop_reason == "end_turn"
    cloud.script("a", Fault.ok(tool_call={"name": "f", "arguments": {"x": [1, 2]}}))
    with client.messages.stream(model="claude-sonnet-5-5", max_tokens=50, messages=MSG) as s:  # type: ignore[arg-type]
        final = s.get_final_message()
    assert final.content[0].type == "tool_use" and final.content[0].input == {"x": [1, 2]}


def test_openai_completion_and_tool(cloud: MockCloud) -> None:
    c = gpt(cloud).chat.completions.create(model="gpt-5.5", messages=MSG)  # type: ignore[arg-type]
    assert c.choices[0].message.content == "Hi from GPT, friend."
    assert c.choices[0].finish_reason == "stop"
    assert c.usage is not None and (c.usage.prompt_tokens, c.usage.completion_tokens) == (5, 4)
    cloud.script("o", Fault.ok(tool_call={"name": "f", "arguments": {"q": "x"}}))
    c = gpt(cloud).chat.completions.create(model="gpt-5.5", messages=MSG)  # type: ignore[arg-type]
    call = c.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "f" and call.function.arguments == '{"q": "x"}'  # type: ignore[union-attr]


def test_openai_stream_with_usage(cloud: MockCloud) -> None:
    chunks = list(
        gpt(cloud).chat.completions.create(
            model="gpt-5.5",
            messages=MSG,
            stream=True,
            stream_options={"include_usage": True},  # type: ignore[arg-type]
        )
    )
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert text == "Hi from GPT, friend."
    assert [ch.choices[0].finish_reason for ch in chunks if ch.choices and ch.choices[0].finish_reason] == ["stop"]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 4
    no_usage = list(gpt(cloud).chat.completions.create(model="gpt-5.5", messages=MSG, stream=True))  # type: ignore[arg-type]
    assert all(ch.usage is None for ch in no_usage)


# --- faults ----------------------------------------------------------------------------------------------------

ANTHROPIC_FAULTS = [
    (Fault.rate_limited(retry_after=7), anthropic.RateLimitError),
    (Fault.overloaded(), anthropic.OverloadedError),
    (Fault.server_error(), anthropic.InternalServerError),
    (Fault.unavailable(), anthropic.ServiceUnavailableError),
    (Fault.context_length(), anthropic.BadRequestError),
    (Fault.unauthorized(), anthropic.AuthenticationError),
    (Fault.quota_exhausted(), anthropic.EnforcedSpendLimitReachedError),
    (Fault.not_found(), anthropic.NotFoundError),
    (
        Fault.status(418, {"type": "error", "error": {"type": "api_error", "message": "teapot"}}),
        anthropic.APIStatusError,
    ),
]


@pytest.mark.parametrize(("fault", "exc"), ANTHROPIC_FAULTS, ids=[f.kind for f, _ in ANTHROPIC_FAULTS])
def test_anthropic_faults_raise_the_sdk_exception(cloud: MockCloud, fault: Fault, exc: type[Exception]) -> None:
    cloud.script("a", fault)
    with pytest.raises(exc) as info:
        claude(cloud).messages.create(model="claude-sonnet-5-5", max_tokens=5, messages=MSG)  # type: ignore[arg-type]
    assert isinstance(info.value, anthropic.APIStatusError)
    if fault.kind == "rate_limited":
        assert info.value.response.headers["retry-after"] == "7"
    if fault.kind == "context_length":
        assert "prompt is too long" in str(info.value)


OPENAI_FAULTS = [
    (Fault.rate_limited(retry_after_ms=250), openai.RateLimitError, "rate_limit_exceeded"),
    (Fault.overloaded(), openai.InternalServerError, None),
    (Fault.server_error(), openai.InternalServerError, None),
    (Fault.unavailable(), openai.InternalServerError, None),
    (Fault.context_length(), openai.BadRequestError, "context_length_exceeded"),
    (Fault.unauthorized(), openai.AuthenticationError, "invalid_api_key"),
    (Fault.quota_exhausted(), openai.RateLimitError, "insufficient_quota"),
    (Fault.not_found(), openai.NotFoundError, "model_not_found"),
]


@pytest.mark.parametrize(("fault", "exc", "code"), OPENAI_FAULTS, ids=[f.kind for f, _, _ in OPENAI_FAULTS])
def test_openai_faults_raise_the_sdk_exception(
    cloud: MockCloud, fault: Fault, exc: type[openai.APIStatusError], code: str | None
) -> None:
    cloud.script("o", fault)
    with pytest.raises(exc) as info:
        gpt(cloud).chat.completions.create(model="gpt-5.5", messages=MSG)  # type: ignore[arg-type]
    assert info.value.code == code
    if fault.kind == "rate_limited":
        assert info.value.response.headers["retry-after-ms"] == "250"


def test_refused_and_reset_are_connection_errors(cloud: MockCloud) -> None:
    cloud.script("a", Fault.reset())
    with pytest.raises(anthropic.APIConnectionError):
        claude(cloud).messages.create(model="claude-sonnet-5-5", max_tokens=5, messages=MSG)  # type: ignore[arg-type]
    cloud.script("o", Fault.refused())
    with pytest.raises(openai.APIConnectionError):
        gpt(cloud).chat.completions.create(model="gpt-5.5", messages=MSG)  # type: ignore[arg-type]


def test_stream_cut_is_an_error_not_a_clean_end(cloud: MockCloud) -> None:
    # Once the body streams, anthropic lets httpx2's own errors through; openai wraps them in its own.
    cloud.script("a", Fault.stream_cut(after_events=3))
    with pytest.raises(httpx2.RemoteProtocolError, match="incomplete chunked read"):
        with claude(cloud).messages.stream(model="claude-sonnet-5-5", max_tokens=5, messages=MSG) as s:  # type: ignore[arg-type]
            s.get_final_message()
    cloud.script("o", Fault.stream_cut(after_events=2))
    with pytest.raises(openai.APIConnectionError):
        list(gpt(cloud).chat.completions.create(model="gpt-5.5", messages=MSG, stream=True))  # type: ignore[arg-type]


def test_stall_times_out_the_client(cloud: MockCloud) -> None:
    cloud.script("a", Fault.stall(after_events=2))
    with pytest.raises(httpx2.ReadTimeout):
        with claude(cloud, timeout=0.5).messages.stream(model="claude-sonnet-5-5", max_tokens=5, messages=MSG) as s:  # type: ignore[arg-type]
            s.get_final_message()
    cloud.script("o", Fault.stall(after_events=2))
    with pytest.raises(openai.APITimeoutError):
        list(gpt(cloud, timeout=0.5).chat.completions.create(model="gpt-5.5", messages=MSG, stream=True))  # type: ignore[arg-type]
    cloud.script("o", Fault.stall())  # a request that does not stream: half a body, then silence
    with pytest.raises(openai.APITimeoutError):
        gpt(cloud, timeout=0.5).chat.completions.create(model="gpt-5.5", messages=MSG)  # type: ignore[arg-type]


def test_inband_errors(cloud: MockCloud) -> None:
    cloud.script("a", Fault.stream_error(after_events=3))
    with pytest.raises(anthropic.APIStatusError) as info:
        with claude(cloud).messages.stream(model="claude-sonnet-5-5", max_tokens=5, messages=MSG) as s:  # type: ignore[arg-type]
            s.get_final_message()
    assert info.value.status_code == 200 and info.value.type == "overloaded_error"  # type: ignore[attr-defined]
    cloud.script("o", Fault.stream_error(after_events=2))
    with pytest.raises(openai.APIError) as oinfo:
        list(gpt(cloud).chat.completions.create(model="gpt-5.5", messages=MSG, stream=True))  # type: ignore[arg-type]
    assert not isinstance(oinfo.value, openai.APIStatusError)


def test_malformed_chunk_breaks_the_sdk(cloud: MockCloud) -> None:
    cloud.script("o", Fault.malformed(after_events=2))
    with pytest.raises(ValueError, match="Expecting"):
        list(gpt(cloud).chat.completions.create(model="gpt-5.5", messages=MSG, stream=True))  # type: ignore[arg-type]


def test_endpoint_validation_like_the_real_api(cloud: MockCloud) -> None:
    bare = httpx2.Client(timeout=5)
    _clients.append(bare)  # type: ignore[arg-type]
    r = bare.post(cloud.url("a") + "/v1/messages", json={"model": "m", "max_tokens": 1, "messages": MSG})
    assert r.status_code == 401 and r.json()["error"]["type"] == "authentication_error"
    r = bare.post(cloud.url("a") + "/v1/messages", headers={"x-api-key": "k"}, json={"model": "m"})
    assert r.status_code == 400 and "anthropic-version" in r.json()["error"]["message"]
    with pytest.raises(anthropic.BadRequestError, match="temperature"):
        claude(cloud).messages.create(
            model="claude-sonnet-5-5",
            max_tokens=5,
            messages=MSG,
            extra_body={"temperature": 0.5},  # type: ignore[arg-type]
        )
    r = bare.post(cloud.url("o") + "/chat/completions", headers={"authorization": "Bearer k"}, json={"model": "m"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "messages"
    r = bare.post(cloud.url("o") + "/nope", headers={"authorization": "Bearer k"}, json={})
    assert r.status_code == 404


@pytest.mark.anyio
async def test_async_clients(cloud: MockCloud) -> None:
    async with anthropic.AsyncAnthropic(api_key="k", base_url=cloud.url("a"), max_retries=0) as client:
        m = await client.messages.create(model="claude-sonnet-5-5", max_tokens=5, messages=MSG)  # type: ignore[arg-type]
    assert m.content[0].text == "Hello from a."  # type: ignore[union-attr]
    cloud.script("o", Fault.overloaded())
    async with openai.AsyncOpenAI(api_key="k", base_url=cloud.url("o"), max_retries=0) as oc:
        with pytest.raises(openai.InternalServerError):
            await oc.chat.completions.create(model="gpt-5.5", messages=MSG)  # type: ignore[arg-type]
