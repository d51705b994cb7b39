"""Sans-I/O: turn Messages API stream events (plain dicts) into the port's typed events.

Feed each decoded server-sent event (``message_start``, ``content_block_start``,
``content_block_delta``, ``content_block_stop``, ``message_delta``, ``message_stop``,
``ping``…) to :meth:`StreamAssembler.feed`; it returns the :class:`TextDelta` and
:class:`ToolUseBlock` events that this event completes. After ``message_stop``,
:attr:`StreamAssembler.done` holds the :class:`MessageDone`.

Lenient on input: unknown event types and block types (thinking, server tools…) are
ignored, because servers add them over time. Strict on output: a tool call is emitted
only once its JSON input has parsed to an object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openclaw_desktop.agent.llm.port import (
    MessageDone,
    ModelError,
    ModelEvent,
    TextDelta,
    ToolUseBlock,
    Usage,
)


@dataclass(slots=True)
class _ToolDraft:
    id: str
    name: str
    start_input: Any
    fragments: list[str] = field(default_factory=list)

    def finish(self) -> ToolUseBlock:
        raw = "".join(self.fragments)
        if not raw.strip():
            # Servers that send the whole input in content_block_start send no deltas.
            value = self.start_input if isinstance(self.start_input, dict) else {}
        else:
            try:
                value = json.loads(raw)
            except ValueError as exc:
                raise ModelError(
                    "server", f"tool {self.name!r}: malformed input JSON: {exc}"
                ) from exc
        if not isinstance(value, dict):
            raise ModelError("server", f"tool {self.name!r}: input is not a JSON object")
        return ToolUseBlock(id=self.id, name=self.name, input=value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) else None


class StreamAssembler:
    """Accumulates one streamed message. Not reusable: make one per attempt."""

    def __init__(self) -> None:
        self._tools: dict[int, _ToolDraft] = {}
        self._usage: dict[str, int] = {}
        self._model = ""
        self._stop_reason = ""
        self.done: MessageDone | None = None

    def feed(self, event: Mapping[str, Any]) -> list[ModelEvent]:
        """Consume one stream event; return the port events it completes (maybe none)."""
        kind = event.get("type")
        if kind == "message_start":
            message = event.get("message") or {}
            self._model = str(message.get("model") or "")
            self._merge_usage(message.get("usage"))
        elif kind == "content_block_start":
            return self._start_block(int(event.get("index", 0)), event.get("content_block") or {})
        elif kind == "content_block_delta":
            return self._delta(int(event.get("index", 0)), event.get("delta") or {})
        elif kind == "content_block_stop":
            draft = self._tools.pop(int(event.get("index", 0)), None)
            if draft is not None:
                return [draft.finish()]
        elif kind == "message_delta":
            delta = event.get("delta") or {}
            if delta.get("stop_reason"):
                self._stop_reason = str(delta["stop_reason"])
            self._merge_usage(event.get("usage"))
        elif kind == "message_stop":
            self.done = MessageDone(
                stop_reason=self._stop_reason or "end_turn", usage=self._build_usage(),
                model=self._model,
            )
        return []

    def _start_block(self, index: int, block: Mapping[str, Any]) -> list[ModelEvent]:
        btype = block.get("type")
        if btype == "tool_use":
            self._tools[index] = _ToolDraft(
                id=str(block.get("id", "")), name=str(block.get("name", "")),
                start_input=block.get("input"),
            )
        elif btype == "text" and block.get("text"):
            return [TextDelta(str(block["text"]))]
        return []

    def _delta(self, index: int, delta: Mapping[str, Any]) -> list[ModelEvent]:
        dtype = delta.get("type")
        if dtype == "text_delta" and delta.get("text"):
            return [TextDelta(str(delta["text"]))]
        if dtype == "input_json_delta" and index in self._tools:
            self._tools[index].fragments.append(str(delta.get("partial_json") or ""))
        return []

    def _merge_usage(self, usage: Any) -> None:
        # message_delta repeats counters cumulatively (or null): the latest number wins.
        if isinstance(usage, Mapping):
            for key, value in usage.items():
                if (number := _int(value)) is not None:
                    self._usage[key] = number

    def _build_usage(self) -> Usage:
        u = self._usage
        return Usage(
            input_tokens=u.get("input_tokens", 0),
            output_tokens=u.get("output_tokens", 0),
            cache_read_tokens=u.get("cache_read_input_tokens", 0),
            cache_write_tokens=u.get("cache_creation_input_tokens", 0),
        )
