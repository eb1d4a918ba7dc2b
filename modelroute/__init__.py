"""modelroute: one call routes chat requests to Claude and GPT wherever they are served, and fails over as
your config says, explaining every decision.

    from modelroute import route                     # the default router: $MODELROUTE_CONFIG or ./modelroute.yaml
    print(route.complete("claude-sonnet", "Hello").text)

    from modelroute import Router
    router = Router.from_config("modelroute.yaml")
    answer = router.complete(model="claude-sonnet", messages=[{"role": "user", "content": "Hello"}])
    print(answer.text, answer.served_by)
"""

import logging as _logging

from ._cost import Cost
from ._default import DefaultRouter, route
from ._stream import AsyncStream, Stream
from ._types import (
    AnthropicSettings,
    Attempt,
    DocumentPart,
    ImagePart,
    IncompleteToolCall,
    Message,
    MessageStart,
    OpenAISettings,
    OutputFormat,
    ReasoningDelta,
    Request,
    Response,
    Seam,
    ServedBy,
    StopEvent,
    StopReason,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingPart,
    Tool,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallPart,
    ToolCallStart,
    ToolChoice,
    ToolResultPart,
    Usage,
    UsageEvent,
)
from .config import Config, load_config
from .exceptions import (
    AllTargetsFailed,
    AuthError,
    ConfigError,
    ContentFilteredError,
    ContextWindowExceededError,
    CredentialError,
    ErrorKind,
    InvalidRequestError,
    MalformedResponseError,
    MissingDependencyError,
    ModelRouteError,
    OverloadedError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    QuotaExhaustedError,
    RateLimitedError,
    RequestError,
    RouterClosedError,
    ServerError,
    StreamInterrupted,
    StructuredOutputError,
    UnsupportedFeature,
)
from .router import RequestOptions, Router
from .routing import Plan, PlanEntry

# A library adds no handler of its own: an application that configured no logging sees none of ours (the
# Python logging HOWTO's rule); `logging.basicConfig()` or any handler on "modelroute" shows them.
_logging.getLogger("modelroute").addHandler(_logging.NullHandler())

__version__ = "0.1.0"

__all__ = [
    "AllTargetsFailed",
    "AnthropicSettings",
    "AsyncStream",
    "Attempt",
    "AuthError",
    "Config",
    "ConfigError",
    "ContentFilteredError",
    "ContextWindowExceededError",
    "Cost",
    "CredentialError",
    "DefaultRouter",
    "DocumentPart",
    "ErrorKind",
    "ImagePart",
    "IncompleteToolCall",
    "InvalidRequestError",
    "MalformedResponseError",
    "Message",
    "MessageStart",
    "MissingDependencyError",
    "ModelRouteError",
    "OpenAISettings",
    "OutputFormat",
    "OverloadedError",
    "Plan",
    "PlanEntry",
    "ProviderConnectionError",
    "ProviderError",
    "ProviderTimeoutError",
    "QuotaExhaustedError",
    "RateLimitedError",
    "ReasoningDelta",
    "Request",
    "RequestError",
    "RequestOptions",
    "Response",
    "Router",
    "RouterClosedError",
    "Seam",
    "ServedBy",
    "ServerError",
    "StopEvent",
    "StopReason",
    "Stream",
    "StreamEvent",
    "StreamInterrupted",
    "StructuredOutputError",
    "TextDelta",
    "TextPart",
    "ThinkingPart",
    "Tool",
    "ToolCallDelta",
    "ToolCallEnd",
    "ToolCallPart",
    "ToolCallStart",
    "ToolChoice",
    "ToolResultPart",
    "UnsupportedFeature",
    "Usage",
    "UsageEvent",
    "__version__",
    "load_config",
    "route",
]
