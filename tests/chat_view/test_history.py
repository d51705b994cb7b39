"""chat.history messages → rows, and the one-line summaries they use."""

from __future__ import annotations

import pytest

from openclaw_desktop.chat_view.history import items_from_history, message_text
from openclaw_desktop.chat_view.items import (
    AssistantText,
    ErrorItem,
    Marker,
    ToolCall,
    ToolStatus,
    UserMessage,
)
from openclaw_desktop.chat_view.summaries import (
    approval_outcome,
    one_line,
    summarize_args,
    summarize_result,
)


def user(text, key=None):
    return {"role": "user", "content": [{"type": "text", "text": text}], "idempotencyKey": key}


def assistant(*blocks, stop="stop"):
    return {"role": "assistant", "content": list(blocks), "stopReason": stop}


def text(t):
    return {"type": "text", "text": t}


def call(cid, name, args):
    return {"type": "toolCall", "id": cid, "name": name, "arguments": args}


def result(cid, name, out, error=False, images=0):
    content = [text(out)] + [{"type": "image", "mimeType": "image/png", "data": "AA=="}] * images
    return {"role": "toolResult", "toolCallId": cid, "toolName": name, "isError": error, "content": content}


def test_a_whole_conversation():
    messages = [
        user("what is in my notes?", "r1"),
        assistant(text("Let me look."), call("t1", "read", {"path": "notes.md"}), stop="toolUse"),
        result("t1", "read", "buy milk\ncall mum\n"),
        assistant(text("You wrote: "), text("buy milk, call mum.")),
        user("take a screenshot", "r2"),
        assistant(call("t2", "node_invoke", {"node": "laptop", "command": "screen.snapshot"}), stop="toolUse"),
        result("t2", "node_invoke", "", images=1),
        assistant(text("Here it is, and then I st"), stop="aborted"),
        {"role": "system", "content": "ignored"},
    ]
    items = items_from_history(messages)
    assert items == [
        UserMessage("what is in my notes?", "r1"),
        AssistantText("Let me look."),
        ToolCall("t1", "read", "notes.md", ToolStatus.DONE, "buy milk [+1 more line]"),
        AssistantText("You wrote: buy milk, call mum."),
        UserMessage("take a screenshot", "r2"),
        ToolCall("t2", "node_invoke", "screen.snapshot (node=laptop)", ToolStatus.DONE, "[1 image]"),
        AssistantText("Here it is, and then I st"),
        Marker("aborted", "aborted"),
    ]


@pytest.mark.parametrize("run_active, status", [(False, ToolStatus.INTERRUPTED), (True, ToolStatus.RUNNING)])
def test_a_call_without_result(run_active, status):
    items = items_from_history([assistant(call("t1", "exec", {"command": "sleep 9"}))], run_active=run_active)
    assert isinstance(items[0], ToolCall) and items[0].status is status


def test_failed_tool_and_stored_error_and_string_content():
    items = items_from_history([
        {"role": "user", "content": "plain string content"},
        assistant(call("t1", "exec", {"command": "false"})),
        result("t1", "exec", "exit code 1", error=True),
        {"role": "assistant", "content": "string reply", "stopReason": "error", "errorMessage": "overloaded"},
        result("zz", "web_fetch", "orphan"),
        "garbage", {"role": "user", "content": [{"type": "image"}]},
    ])
    assert items == [UserMessage("plain string content"),
                     ToolCall("t1", "exec", "false", ToolStatus.ERROR, "error: exit code 1"),
                     AssistantText("string reply"), ErrorItem("overloaded"),
                     ToolCall("zz", "web_fetch", "", ToolStatus.DONE, "orphan")]
    assert items_from_history(None) == []


@pytest.mark.parametrize("name, args, expected", [
    ("exec", {"command": "ls -la /tmp"}, "ls -la /tmp"),
    ("exec", {"command": "make", "timeoutSeconds": 30}, "make (timeoutSeconds=30)"),
    ("write", {"path": "a.txt", "content": "x" * 500}, "a.txt (content=" + "x" * 104 + "…"),
    ("memory_search", {"query": "cat\nname"}, "cat name"),
    ("ls", {}, ""),
    ("custom", {"a": 1, "b": [1, 2]}, "a=1, b=[1,2]"),
    ("custom", ["x"], '["x"]'),
    ("custom", None, ""),
    ("exec", {"command": "echo \u202eevil"}, "echo ⟨U+202E RIGHT-TO-LEFT OVERRIDE⟩evil"),
])
def test_summarize_args(name, args, expected):
    assert summarize_args(name, args) == expected


@pytest.mark.parametrize("out, error, images, expected", [
    ("", False, 0, "(no output)"),
    ("\n\nfirst\nsecond\nthird", False, 0, "first [+2 more lines]"),
    ("boom", True, 0, "error: boom"),
    ("", False, 2, "[2 images]"),
])
def test_summarize_result(out, error, images, expected):
    assert summarize_result(out, error, images) == expected


def test_one_line_and_outcomes_and_message_text():
    assert one_line("a\t b\n\nc", 80) == "a b c"
    assert one_line("abcdef", 4) == "abc…"
    assert approval_outcome("deny", None, "user") == "Denied by someone"
    assert approval_outcome(None, "gateway", "weird") == "Ended without a decision (weird)"
    assert message_text({"content": [text("a"), {"type": "image"}, text("b")]}) == "ab"
    assert message_text("nope") == ""
