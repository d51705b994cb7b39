"""The LanguageModel port: one streaming Messages-style call with tool use.

Messages use Anthropic's content-block shapes (plain dicts at this boundary, because
that is what every Anthropic-compatible server speaks):
``{"role": "user"|"assistant", "content": [{"type":"text","text":…},
{"type":"tool_use","id","name","input"}, {"type":"tool_result","tool_use_id","content",
"is_error"}]}``.

A call yields typed events in order: any number of :class:`TextDelta` and
:class:`ToolUseBlock`, then exactly one :class:`MessageDone` — or raises
:class:`ModelError`. Cancelling the consuming task closes the HTTP stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool offered to the model (``input_schema`` is JSON Schema)."""

    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ModelRequest:
    model: str
    system: str
    messages: Sequence[dict[str, Any]]
    tools: Sequence[ToolSpec] = ()
    max_tokens: int = 4096


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of assistant text (append it to what came before)."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolUseBlock:
    """A complete tool call (input fully parsed)."""

    id: str
    name: str
    input: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass(frozen=True, slots=True)
class MessageDone:
    """The end of one model message."""

    stop_reason: str  # end_turn | tool_use | max_tokens | stop_sequence | refusal | pause_turn
    usage: Usage = field(default_factory=Usage)
    model: str = ""


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """Emitted before the adapter sleeps and retries (429/5xx/overloaded)."""

    attempt: int
    max_attempts: int
    delay_s: float
    reason: str  # rate_limit | overloaded | server_error | connection


ModelEvent = TextDelta | ToolUseBlock | MessageDone | RetryNotice


class ModelError(Exception):
    """A call failed for good. ``kind`` is user-facing: no_model | auth | rate_limit |
    context_length | refusal | timeout | server | bad_request | connection."""

    def __init__(self, kind: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


class LanguageModel(Protocol):
    """What the turn loop needs from a model provider."""

    def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        """Stream one assistant message (see the module docstring)."""
        ...
