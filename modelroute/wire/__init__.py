"""Sans-IO codecs: one per wire dialect, plus the framings (SSE; AWS event-stream) and error classification."""

from ._base import Dialect, EventHandler, Framer, StreamDecoder, WireRequest
from .anthropic_messages import AnthropicMessages
from .eventstream import EventStreamFramer
from .openai_chat import OpenAIChat
from .sse import SSEFramer

__all__ = [
    "AnthropicMessages",
    "Dialect",
    "EventHandler",
    "EventStreamFramer",
    "Framer",
    "OpenAIChat",
    "SSEFramer",
    "StreamDecoder",
    "WireRequest",
]
