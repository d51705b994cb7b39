"""What the fake Anthropic server says: scripted turns and errors, rendered to wire frames.

Pure code, no sockets: a :class:`Turn` (steps + stop reason + usage) becomes the list of
server-sent events of the real Messages API stream (:func:`stream_frames`) or the JSON
body of a non-streaming reply (:func:`message_body`). :class:`ErrorReply` is an HTTP
error with the API's error envelope and optional ``retry-after`` headers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Text:
    """One text content block, sent as one ``text_delta`` per chunk.

    ``delay_s`` is slept before *each* chunk, so a test can cancel mid-stream.
    """

    chunks: str | Sequence[str]
    delay_s: float = 0.0

    def pieces(self) -> list[str]:
        return [self.chunks] if isinstance(self.chunks, str) else list(self.chunks)


@dataclass(frozen=True)
class ToolUse:
    """One tool_use block whose JSON input is split into ``parts`` input_json_deltas."""

    id: str
    name: str
    input: Mapping[str, Any]
    parts: int = 3


@dataclass(frozen=True)
class Ping:
    """A ``ping`` event (clients must ignore it)."""


@dataclass(frozen=True)
class Pause:
    """Wait before the next frame (the server notices a disconnect while it waits)."""

    seconds: float


@dataclass(frozen=True)
class StreamError:
    """An ``error`` event inside the 200 stream; the stream ends after it."""

    error_type: str = "overloaded_error"
    message: str = "Overloaded"


@dataclass(frozen=True)
class Hangup:
    """Drop the connection without finishing the chunked body."""


@dataclass(frozen=True)
class Truncate:
    """End the body cleanly here, without ``message_delta``/``message_stop``."""


Step = Text | ToolUse | Ping | Pause | StreamError | Hangup | Truncate


@dataclass(frozen=True)
class Turn:
    """One scripted assistant message. ``stop_reason`` defaults to ``tool_use`` when the
    turn has a tool call, else ``end_turn``; ``output_tokens`` to the number of deltas."""

    steps: Sequence[Step] = ()
    stop_reason: str | None = None
    input_tokens: int = 10
    output_tokens: int | None = None
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    model: str | None = None  # None: echo the request's model
    hangup_after_stop: bool = False  # drop the connection right after message_stop


_DEFAULT_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error",
                        403: "permission_error", 404: "not_found_error",
                        413: "request_too_large", 429: "rate_limit_error",
                        529: "overloaded_error"}


@dataclass(frozen=True)
class ErrorReply:
    """An HTTP error reply (``{"type":"error","error":{type,message}}``)."""

    status: int
    message: str = "scripted error"
    error_type: str | None = None  # None: the API's type for this status
    retry_after: str | None = None
    retry_after_ms: str | None = None

    def body(self) -> dict[str, Any]:
        etype = self.error_type or _DEFAULT_ERROR_TYPES.get(self.status, "api_error")
        return {"type": "error", "error": {"type": etype, "message": self.message}}

    def headers(self) -> dict[str, str]:
        out = {}
        if self.retry_after is not None:
            out["retry-after"] = self.retry_after
        if self.retry_after_ms is not None:
            out["retry-after-ms"] = self.retry_after_ms
        return out


@dataclass(frozen=True)
class Frame:
    """One thing the server does: wait ``delay_s``, then send ``event``, or instead
    ``hangup`` (drop the connection) or ``end`` (finish the body early)."""

    event: str
    data: Mapping[str, Any] = field(default_factory=dict)
    delay_s: float = 0.0
    action: Literal["send", "hangup", "end"] = "send"


def last_user_text(body: Mapping[str, Any]) -> str:
    """The text of the last user message (tool_result text when it has no text block)."""
    for message in reversed(body.get("messages") or []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        texts = [b.get("text", "") for b in content or [] if b.get("type") == "text"]
        if not texts:
            texts = [_result_text(b) for b in content or [] if b.get("type") == "tool_result"]
        return "".join(texts)
    return ""


def _result_text(block: Mapping[str, Any]) -> str:
    content = block.get("content")
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content or [] if isinstance(b, Mapping))


def echo_turn(body: Mapping[str, Any]) -> Turn:
    """What the server says when nothing is scripted: ``echo: <last user text>``."""
    return Turn([Text(["echo: ", last_user_text(body)])])


def _split(text: str, parts: int) -> list[str]:
    size = max(1, -(-len(text) // max(1, parts)))
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def _usage(turn: Turn, output_tokens: int) -> dict[str, int]:
    return {"input_tokens": turn.input_tokens, "output_tokens": output_tokens,
            "cache_read_input_tokens": turn.cache_read_input_tokens,
            "cache_creation_input_tokens": turn.cache_creation_input_tokens}


def _stop_reason(turn: Turn) -> str:
    if turn.stop_reason:
        return turn.stop_reason
    return "tool_use" if any(isinstance(s, ToolUse) for s in turn.steps) else "end_turn"


def _default_output_tokens(turn: Turn) -> int:
    count = sum(len(s.pieces()) if isinstance(s, Text) else 1
                for s in turn.steps if isinstance(s, Text | ToolUse))
    return turn.output_tokens if turn.output_tokens is not None else max(1, count)


def stream_frames(turn: Turn, body: Mapping[str, Any], message_id: str,
                  ping: bool = True) -> list[Frame]:
    """The event sequence of a streamed Messages API reply for ``turn``."""
    model = turn.model or str(body.get("model", "claude-fake"))
    start_usage = _usage(turn, 1)
    frames = [Frame("message_start", {"type": "message_start", "message": {
        "id": message_id, "type": "message", "role": "assistant", "model": model,
        "content": [], "stop_reason": None, "stop_sequence": None, "usage": start_usage}})]
    if ping:
        frames.append(Frame("ping", {"type": "ping"}))
    index, pause = 0, 0.0
    for step in turn.steps:
        if isinstance(step, Pause):
            pause += step.seconds
            continue
        if isinstance(step, Ping):
            frames.append(Frame("ping", {"type": "ping"}, pause))
        elif isinstance(step, Hangup | Truncate):
            action: Literal["hangup", "end"] = "hangup" if isinstance(step, Hangup) else "end"
            frames.append(Frame("", {}, pause, action))
            return frames
        elif isinstance(step, StreamError):
            frames.append(Frame("error", ErrorReply(500, step.message, step.error_type).body(),
                                pause))
            return frames
        else:
            frames.extend(_block_frames(index, step, pause))
            index += 1
        pause = 0.0
    frames += [
        Frame("message_delta", {"type": "message_delta",
                                "delta": {"stop_reason": _stop_reason(turn), "stop_sequence": None},
                                "usage": {"output_tokens": _default_output_tokens(turn)}}, pause),
        Frame("message_stop", {"type": "message_stop"}),
    ]
    if turn.hangup_after_stop:
        frames.append(Frame("", {}, 0.0, "hangup"))
    return frames


def _block_frames(index: int, step: Text | ToolUse, pause: float) -> list[Frame]:
    if isinstance(step, Text):
        start: dict[str, Any] = {"type": "text", "text": ""}
        deltas = [Frame("content_block_delta", {"type": "content_block_delta", "index": index,
                                                "delta": {"type": "text_delta", "text": c}},
                        step.delay_s) for c in step.pieces()]
    else:
        start = {"type": "tool_use", "id": step.id, "name": step.name, "input": {}}
        deltas = [Frame("content_block_delta", {"type": "content_block_delta", "index": index,
                                                "delta": {"type": "input_json_delta",
                                                          "partial_json": part}})
                  for part in _split(json.dumps(dict(step.input)), step.parts)]
    return [Frame("content_block_start", {"type": "content_block_start", "index": index,
                                          "content_block": start}, pause),
            *deltas,
            Frame("content_block_stop", {"type": "content_block_stop", "index": index})]


def message_body(turn: Turn, body: Mapping[str, Any], message_id: str) -> dict[str, Any]:
    """The JSON body of a non-streaming reply for ``turn`` (pauses and pings ignored)."""
    content: list[dict[str, Any]] = []
    for step in turn.steps:
        if isinstance(step, Text):
            content.append({"type": "text", "text": "".join(step.pieces())})
        elif isinstance(step, ToolUse):
            content.append({"type": "tool_use", "id": step.id, "name": step.name,
                            "input": dict(step.input)})
    return {"id": message_id, "type": "message", "role": "assistant",
            "model": turn.model or str(body.get("model", "claude-fake")), "content": content,
            "stop_reason": _stop_reason(turn), "stop_sequence": None,
            "usage": _usage(turn, _default_output_tokens(turn))}
