"""The public surface: what ``import modelroute`` offers, and what it must not import."""

from __future__ import annotations

import subprocess
import sys

import modelroute

EXPECTED = {
    "AllTargetsFailed", "AsyncStream", "Attempt", "AuthError", "Config", "ConfigError", "ContentFilteredError",
    "Cost",
    "ContextWindowExceededError", "CredentialError", "ErrorKind", "ImagePart", "IncompleteToolCall",
    "InvalidRequestError", "MalformedResponseError", "Message", "MissingDependencyError", "ModelRouteError",
    "OverloadedError", "Plan",
    "PlanEntry", "ProviderConnectionError", "ProviderError", "ProviderTimeoutError", "QuotaExhaustedError",
    "RateLimitedError", "Request", "RequestError", "RequestOptions", "Response", "Router", "RouterClosedError",
    "Seam", "ServedBy", "ServerError", "StopEvent", "StopReason", "Stream", "StreamEvent", "StreamInterrupted",
    "TextDelta", "TextPart", "Tool", "ToolCallDelta", "ToolCallPart", "ToolChoice", "ToolResultPart",
    "UnsupportedFeature", "Usage", "UsageEvent", "__version__", "load_config",
    # the whole request surface (issue 10)
    "AnthropicSettings", "DefaultRouter", "DocumentPart", "MessageStart", "OpenAISettings", "OutputFormat",
    "ReasoningDelta", "StructuredOutputError", "ThinkingPart", "ToolCallEnd", "ToolCallStart", "route",
}  # fmt: skip


def test_public_all() -> None:
    assert set(modelroute.__all__) == EXPECTED
    for name in modelroute.__all__:
        assert hasattr(modelroute, name), name


def test_every_error_is_under_the_root() -> None:
    for name in modelroute.__all__:
        obj = getattr(modelroute, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, modelroute.ModelRouteError), name


def test_import_pulls_in_no_sdk_and_no_http_library() -> None:
    code = (
        "import sys, modelroute; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('anthropic','openai','botocore','boto3','aiohttp','httpx2','httpx','google','azure','yaml','tenacity',"
        "'genai_prices')]; "
        "print(','.join(sorted(bad)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_package_is_typed() -> None:
    from importlib.resources import files

    assert files("modelroute").joinpath("py.typed").is_file()
