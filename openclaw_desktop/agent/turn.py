"""One agent turn: stream the model, run the tools it asks for, repeat until it stops.

Reports through ``emit(event_name, payload)`` (``chat`` and ``agent`` events, wire shapes
of reference §7.3/§7.4). Every completed message is appended to the transcript (fsynced)
before the next step. Cancellation records the partial reply as ``aborted``, emits the
``aborted`` chat event, and re-raises.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .llm.port import (
    LanguageModel,
    MessageDone,
    ModelError,
    ModelRequest,
    RetryNotice,
    TextDelta,
    ToolUseBlock,
    Usage,
)
from .messages import to_model_messages
from .tools.base import ToolContext, ToolRegistry
from .transcript import Transcript

MAX_STEPS = 24
_STOP = {"end_turn": "stop", "tool_use": "toolUse", "max_tokens": "length", "stop_sequence": "stop",
         "refusal": "refusal", "pause_turn": "stop"}

Emit = Callable[[str, dict[str, Any]], None]


@dataclass
class TurnResult:
    status: str  # ok | error | aborted
    text: str = ""
    stop_reason: str | None = None
    error_message: str | None = None
    error_kind: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    message: dict[str, Any] | None = None


@dataclass
class TurnContext:
    run_id: str
    session_key: str
    agent_id: str
    model_id: str
    system: str
    emit: Emit
    clock_ms: Callable[[], int]
    _chat_seq: int = 0
    _agent_seq: int = 0

    def chat(self, state: str, **extra: Any) -> None:
        self._chat_seq += 1
        self.emit("chat", {"runId": self.run_id, "sessionKey": self.session_key, "seq": self._chat_seq,
                           "state": state, **extra})

    def agent(self, stream: str, data: dict[str, Any]) -> None:
        self._agent_seq += 1
        self.emit("agent", {"runId": self.run_id, "seq": self._agent_seq, "stream": stream, "ts": self.clock_ms(),
                            "sessionKey": self.session_key, "data": data})


def _usage_dict(total: Usage) -> dict[str, int]:
    return {"input": total.input_tokens, "output": total.output_tokens, "cacheRead": total.cache_read_tokens,
            "cacheWrite": total.cache_write_tokens, "totalTokens": total.input_tokens + total.output_tokens}


async def run_turn(ctx: TurnContext, model: LanguageModel, tools: ToolRegistry, transcript: Transcript,
                   history: list[dict[str, Any]]) -> TurnResult:
    """Run until the model stops asking for tools. ``history`` gets the new messages."""
    ctx.agent("lifecycle", {"phase": "start"})
    run_text = ""  # every assistant text of this run, for the cumulative chat deltas
    total = Usage()
    partial: list[dict[str, Any]] = []
    try:
        for _step in range(MAX_STEPS):
            blocks: list[dict[str, Any]] = []
            partial = blocks
            done: MessageDone | None = None
            request = ModelRequest(ctx.model_id, ctx.system, to_model_messages(history), tools.specs())
            # aclosing: leaving early (cancel, error) closes the HTTP stream right away.
            async with contextlib.aclosing(model.stream(request)) as stream:  # type: ignore[type-var]
                async for event in stream:
                    if isinstance(event, TextDelta):
                        run_text += event.text
                        if blocks and blocks[-1]["type"] == "text":
                            blocks[-1]["text"] += event.text
                        else:
                            blocks.append({"type": "text", "text": event.text})
                        ctx.chat("delta", deltaText=run_text, replace=True,
                                 message={"role": "assistant", "content": [{"type": "text", "text": run_text}]})
                        ctx.agent("assistant", {"text": run_text, "delta": event.text})
                    elif isinstance(event, ToolUseBlock):
                        blocks.append({"type": "toolCall", "id": event.id, "name": event.name, "arguments": event.input})
                    elif isinstance(event, RetryNotice):
                        ctx.chat("status", phase="starting_model", retry={
                            "attempt": event.attempt, "maxAttempts": event.max_attempts, "reason": event.reason})
                    elif isinstance(event, MessageDone):
                        done = event
            assert done is not None, "model stream ended without MessageDone"
            total = Usage(total.input_tokens + done.usage.input_tokens, total.output_tokens + done.usage.output_tokens,
                          total.cache_read_tokens + done.usage.cache_read_tokens,
                          total.cache_write_tokens + done.usage.cache_write_tokens)
            ctx.agent("usage", {"message": _usage_dict(done.usage), "run": _usage_dict(total)})
            stop = _STOP.get(done.stop_reason, done.stop_reason)
            message = transcript.append_message({
                "role": "assistant", "content": blocks, "api": "anthropic-messages", "provider": "anthropic",
                "model": done.model or ctx.model_id, "stopReason": stop,
                "usage": _usage_dict(done.usage)}, ctx.clock_ms())
            history.append(message)
            partial = []
            calls = [b for b in blocks if b["type"] == "toolCall"]
            if done.stop_reason != "tool_use" or not calls:
                ctx.chat("final", message=message, stopReason=stop, usage=_usage_dict(total))
                ctx.agent("lifecycle", {"phase": "end"})
                return TurnResult("ok", run_text, stop, usage=_usage_dict(total), message=message)
            for call in calls:
                await _run_tool(ctx, tools, transcript, history, call)
        raise ModelError("server", f"the agent stopped after {MAX_STEPS} tool steps without finishing")
    except asyncio.CancelledError:
        if partial:
            message = transcript.append_message({"role": "assistant", "content": partial, "stopReason": "aborted",
                                                 "model": ctx.model_id}, ctx.clock_ms())
            history.append(message)
        ctx.chat("aborted", stopReason="aborted",
                 message={"role": "assistant", "content": [{"type": "text", "text": run_text}]})
        ctx.agent("lifecycle", {"phase": "end", "aborted": True})
        raise
    except ModelError as exc:
        ctx.chat("error", errorMessage=str(exc), errorKind=_error_kind(exc.kind), usage=_usage_dict(total))
        ctx.agent("lifecycle", {"phase": "error", "error": str(exc)})
        return TurnResult("error", run_text, "error", str(exc), exc.kind, _usage_dict(total))


def _error_kind(kind: str) -> str:
    return kind if kind in ("refusal", "timeout", "rate_limit", "context_length") else "unknown"


async def _run_tool(ctx: TurnContext, tools: ToolRegistry, transcript: Transcript, history: list[dict[str, Any]],
                    call: dict[str, Any]) -> None:
    ctx.agent("tool", {"phase": "start", "name": call["name"], "toolCallId": call["id"], "args": call["arguments"]})
    result = await tools.call(call["name"], call["arguments"], ToolContext(ctx.agent_id, ctx.session_key, ctx.run_id))
    content: list[dict[str, Any]] = [{"type": "text", "text": result.text}]
    content += [{"type": "image", "mimeType": img.mime_type, "data": img.data_base64} for img in result.images]
    message = transcript.append_message({
        "role": "toolResult", "toolCallId": call["id"], "toolName": call["name"], "isError": result.is_error,
        "content": content}, ctx.clock_ms())
    history.append(message)
    ctx.agent("tool", {"phase": "result", "name": call["name"], "toolCallId": call["id"], "isError": result.is_error,
                       "meta": {"chars": len(result.text)}})
