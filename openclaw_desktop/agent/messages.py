"""Conversions between stored transcript messages (reference §9.4 shapes) and the
Anthropic Messages API content blocks. Pure."""

from __future__ import annotations

from typing import Any


def text_of(message: dict[str, Any]) -> str:
    return "".join(b.get("text", "") for b in message.get("content") or [] if b.get("type") == "text")


def to_model_messages(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Build the ``messages`` array: tool results become ``tool_result`` blocks in a user
    turn, consecutive same-role turns are merged, and a tool call left without a result
    (the process stopped mid-tool) gets a synthetic error result so the API accepts it."""
    out: list[dict[str, Any]] = []
    unanswered: list[str] = []  # tool calls of the last assistant turn still without a result

    def push(role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})

    def close_calls() -> None:
        push("user", [{"type": "tool_result", "tool_use_id": call_id, "is_error": True,
                       "content": "the tool call was interrupted before it finished"} for call_id in unanswered])
        unanswered.clear()

    for m in stored:
        role = m.get("role")
        if role == "toolResult":
            if m.get("toolCallId") in unanswered:
                unanswered.remove(m.get("toolCallId"))
            images = [{"type": "image", "source": {"type": "base64", "media_type": b.get("mimeType", "image/png"),
                                                   "data": b.get("data", "")}}
                      for b in m.get("content") or [] if b.get("type") == "image" and b.get("data")]
            body: Any = text_of(m) or "(no output)"
            if images:
                body = [{"type": "text", "text": body}, *images]
            push("user", [{"type": "tool_result", "tool_use_id": m.get("toolCallId"), "is_error": bool(m.get("isError")),
                           "content": body}])
            continue
        close_calls()
        if role == "user":
            push("user", [{"type": "text", "text": b["text"]} for b in m.get("content") or []
                          if b.get("type") == "text" and b.get("text")])
        elif role == "assistant":
            blocks: list[dict[str, Any]] = []
            for b in m.get("content") or []:
                if b.get("type") == "text" and b.get("text"):
                    blocks.append({"type": "text", "text": b["text"]})
                elif b.get("type") == "toolCall":
                    blocks.append({"type": "tool_use", "id": b["id"], "name": b["name"],
                                   "input": b.get("arguments") or {}})
                    unanswered.append(b["id"])
            push("assistant", blocks)
    close_calls()
    # The API wants the conversation to start with the user.
    while out and out[0]["role"] != "user":
        out.pop(0)
    return out
