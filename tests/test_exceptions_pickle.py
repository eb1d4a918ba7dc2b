"""Every error modelroute raises survives pickling with its fields, and crosses a real process pool: a worker's
`AllTargetsFailed` is re-raised in the parent as an `AllTargetsFailed`, not a `BrokenProcessPool`."""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

import modelroute.exceptions as exc
from modelroute._types import Attempt
from modelroute.exceptions import ErrorKind, ModelRouteError, ProviderError, error_for_kind


def _provider_error(kind: ErrorKind = ErrorKind.OVERLOADED) -> ProviderError:
    e = error_for_kind(
        kind,
        "upstream overloaded",
        status=529,
        provider="anth-1",
        code="overloaded_error",
        retry_after_s=2.5,
        request_id="req_123",
        body={"error": {"type": "overloaded_error"}},
    )
    e.trace = [Attempt("anth-1", "claude-sonnet-5-5", "claude", "error", "stop", "the policy is to stop", error=e)]
    return e


def _trace() -> list[Attempt]:
    err = _provider_error(ErrorKind.CONNECTION)
    return [
        Attempt("anth-1", "claude-sonnet-5-5", "claude", "error", "failover", "failing over", error=err, latency_s=0.2),
        Attempt("anth-2", "claude-sonnet-5-5", "claude", "skipped", "skip", "circuit open (5 consecutive failures)"),
    ]


#: one sample per error class, built with every field set
SAMPLES: dict[str, Callable[[], ModelRouteError]] = {
    "ModelRouteError": lambda: ModelRouteError("something broke"),
    "ConfigError": lambda: exc.ConfigError("models.claude.targets[0].provider", "unknown provider 'x'", "Use y"),
    "MissingDependencyError": lambda: exc.MissingDependencyError("providers.b.kind", "kind: bedrock", "bedrock"),
    "CredentialError": lambda: exc.CredentialError("providers.a.api_key: set ANTHROPIC_API_KEY"),
    "RequestError": lambda: exc.RequestError("messages[0].content: empty text"),
    "UnsupportedFeature": lambda: exc.UnsupportedFeature("no target of 'claude' can serve this request"),
    "AllTargetsFailed": lambda: exc.AllTargetsFailed("claude", _trace(), reason="max_attempts", retry_in_s=4.0),
    "StreamInterrupted": lambda: exc.StreamInterrupted(
        "the stream broke", partial_text="Hello wor", trace=_trace(), error=_provider_error(ErrorKind.CONNECTION)
    ),
    "StructuredOutputError": lambda: exc.StructuredOutputError("the answer is not JSON", text='{"cut'),
    **{
        cls.__name__: (lambda cls=cls: cls("provider said no", status=400, provider="p", request_id="r1"))
        for cls in {type(error_for_kind(k, "x")) for k in ErrorKind} | {ProviderError}
    },
}


def _error_classes() -> list[type[ModelRouteError]]:
    found, todo = [], [ModelRouteError]
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("modelroute"):
            found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: c.__name__)


def _sample(cls: type[ModelRouteError]) -> ModelRouteError:
    make = SAMPLES.get(cls.__name__)
    if make is None:  # a new error class: it must at least build from a message, else add it to SAMPLES
        return cls("a message")
    e = make()
    assert type(e) is cls
    return e


def _fields(e: BaseException) -> dict[str, Any]:
    """Everything a caller reads from an error, comparable across a round trip."""
    out: dict[str, Any] = {"type": type(e).__name__, "str": str(e), "repr": repr(e), "args": e.args}
    for name, value in vars(e).items():
        if name == "trace" or (isinstance(value, list) and value and isinstance(value[0], Attempt)):
            out[name] = [(a.describe(), a.kind, a.error and str(a.error)) for a in value]
        elif isinstance(value, BaseException):
            out[name] = _fields(value)
        else:
            out[name] = value
    return out


def test_every_error_class_is_sampled() -> None:
    names = {c.__name__ for c in _error_classes()}
    assert set(exc.__all__) - {"ErrorKind", "error_for_kind"} <= names
    assert names >= {"AllTargetsFailed", "StreamInterrupted", "ConfigError", "MissingDependencyError"}


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_every_error_round_trips_through_pickle_with_its_fields(cls: type[ModelRouteError]) -> None:
    e = _sample(cls)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(e, protocol=protocol))
        assert type(back) is cls
        assert _fields(back) == _fields(e)


def test_fields_of_the_errors_that_failed_before() -> None:
    interrupted = pickle.loads(pickle.dumps(SAMPLES["StreamInterrupted"]()))
    assert isinstance(interrupted, exc.StreamInterrupted)
    assert interrupted.partial_text == "Hello wor" and interrupted.error is not None
    assert interrupted.error.kind is ErrorKind.CONNECTION and interrupted.trace[0].kind is ErrorKind.CONNECTION
    failed = pickle.loads(pickle.dumps(SAMPLES["AllTargetsFailed"]()))
    assert failed.alias == "claude" and failed.retry_after_s == 4.0 and len(failed.errors) == 1
    missing = pickle.loads(pickle.dumps(SAMPLES["MissingDependencyError"]()))
    assert missing.extra == "bedrock" and missing.path == "providers.b.kind" and "pip install" in str(missing)
    # a provider error in its own trace (a cycle) comes back as one object
    provider = pickle.loads(pickle.dumps(_provider_error()))
    assert provider.trace[0].error is provider and provider.retry_after_s == 2.5 and provider.body is not None


def _raise(name: str) -> None:
    """Runs in a worker process: raise the sample error ``name``."""
    raise SAMPLES[name]()


def test_errors_cross_a_real_process_pool() -> None:
    names = [c.__name__ for c in _error_classes() if c.__name__ in SAMPLES]
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {name: pool.submit(_raise, name) for name in names}
        for name, future in futures.items():
            err = future.exception(timeout=120)
            assert err is not None and type(err).__name__ == name
            assert _fields(err) == _fields(SAMPLES[name]())
        assert pool.submit(len, "still alive").result(timeout=60) == len("still alive")  # the pool is not broken
