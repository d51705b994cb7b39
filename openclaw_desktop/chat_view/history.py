"""``chat.history`` messages (the stored transcript shapes) → transcript items.

User messages, assistant text, tool calls matched with their results, and an
"aborted" marker after a reply the user stopped. A tool call that never got a result
is ``running`` when the session still has a run going, else ``interrupted``. Pure.
"""

from __future__ import annotations

from typing import Any

from .items import (
    AssistantText,
    ErrorItem,
    Item,
    Marker,
    ToolCall,
    ToolStatus,
    UserMessage,
)
from .summaries import summarize_args, summarize_result


def message_text(message: Any) -> str:
    """The text of a stored message whose content is a string or a list of blocks."""
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return "".join(b.get("text", "") for b in content
                   if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str))


def items_from_history(messages: Any, *, run_active: bool = False) -> list[Item]:
    """Convert a ``chat.history`` ``messages`` array; unknown roles and blocks are skipped."""
    items: list[Item] = []
    calls: dict[str, ToolCall] = {}
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        if role == "user":
            text = message_text(message)
            if text.strip():
                items.append(UserMessage(text, _str(message.get("idempotencyKey"))))
        elif role == "assistant":
            _add_assistant(items, calls, message)
        elif role == "toolResult":
            call = calls.get(str(message.get("toolCallId")))
            if call is None:  # a result whose call we never saw: show it on its own
                call = ToolCall(str(message.get("toolCallId")), str(message.get("toolName") or "tool"), "")
                items.append(call)
            images = sum(1 for b in message.get("content") or [] if isinstance(b, dict) and b.get("type") == "image")
            call.status = ToolStatus.ERROR if message.get("isError") else ToolStatus.DONE
            call.result_summary = summarize_result(message_text(message), bool(message.get("isError")), images)
    for call in calls.values():
        if call.status is ToolStatus.RUNNING and not run_active:
            call.status = ToolStatus.INTERRUPTED
    return items


def _add_assistant(items: list[Item], calls: dict[str, ToolCall], message: dict[str, Any]) -> None:
    content = message.get("content")
    for block in content if isinstance(content, list) else []:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text" and isinstance(block.get("text"), str) and block["text"]:
            if items and isinstance(items[-1], AssistantText):
                items[-1].text += block["text"]  # consecutive text blocks read as one reply
            else:
                items.append(AssistantText(block["text"]))
        elif block.get("type") == "toolCall":
            name = str(block.get("name") or "tool")
            call = ToolCall(str(block.get("id")), name, summarize_args(name, block.get("arguments")))
            calls[call.call_id] = call
            items.append(call)
    if isinstance(content, str) and content:
        items.append(AssistantText(content))
    stop = message.get("stopReason")
    if stop == "aborted":
        items.append(Marker("aborted", "aborted"))
    elif stop == "error" and isinstance(message.get("errorMessage"), str):
        items.append(ErrorItem(message["errorMessage"]))


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
