"""`Response.to_openai()` / `.to_anthropic()` with what the decoders now report: no usage, the provider's model id,
cache-write and thinking counts."""

from __future__ import annotations

from modelroute import Response, ServedBy, StopReason, TextPart, Usage


def answer(usage: Usage | None, model: str | None = "gpt-5.5-2026-08-01") -> Response:
    served = ServedBy(provider="p", kind="openai", cloud="openai", model="gpt-5.5", alias="a")
    r = Response.decoded(
        id="r",
        content=[TextPart(text="Hi")],
        stop_reason=StopReason.END,
        raw_stop_reason="stop",
        usage=usage,
        model=model,
    )
    r.served_by = served
    return r


def test_no_usage_stays_none_in_openai_shape_and_zeros_in_anthropic_shape() -> None:
    r = answer(None)
    assert r.to_openai().usage is None
    u = r.to_anthropic().usage  # an anthropic Message must carry usage
    assert (u.input_tokens, u.output_tokens) == (0, 0)


def test_the_reported_model_and_every_count_carry_over() -> None:
    r = answer(Usage(input_tokens=10, output_tokens=7, cache_read_tokens=3, cache_write_tokens=2, reasoning_tokens=4))
    oa = r.to_openai()
    assert oa.model == "gpt-5.5-2026-08-01"
    assert oa.usage.prompt_tokens_details.cache_write_tokens == 2
    assert oa.usage.completion_tokens_details.reasoning_tokens == 4
    an = r.to_anthropic()
    assert an.model == "gpt-5.5-2026-08-01" and an.usage.output_tokens_details.thinking_tokens == 4
    assert (an.usage.input_tokens, an.usage.cache_creation_input_tokens) == (5, 2)
    assert answer(None, model=None).to_openai().model == "gpt-5.5"  # no reported id: the configured one
