"""ChatTranscript folding real event payloads (built with the agent's own TurnContext, so
the shapes cannot drift from what the gateway emits) into rows and change notes."""

from __future__ import annotations

from typing import Any

import pytest

from openclaw_desktop.agent.turn import TurnContext
from openclaw_desktop.chat_view.items import (
    Approval,
    ApprovalStatus,
    AssistantText,
    ErrorItem,
    Inserted,
    Marker,
    Reset,
    TextAppended,
    ToolCall,
    Updated,
    UserMessage,
)
from openclaw_desktop.chat_view.transcript import ELSEWHERE_PLACEHOLDER, ChatTranscript

KEY = "agent:main:main"


class Run:
    """Emits a run's events the way agent/turn.py does, recording them."""

    def __init__(self, run_id: str = "r1", key: str = KEY) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.ctx = TurnContext(run_id, key, "main", "claude", "", lambda n, p: self.events.append((n, p)), lambda: 0)
        self.text = ""

    def start(self) -> Run:
        self.ctx.agent("lifecycle", {"phase": "start"})
        return self

    def delta(self, piece: str) -> Run:
        self.text += piece
        self.ctx.chat("delta", deltaText=self.text, replace=True,
                      message={"role": "assistant", "content": [{"type": "text", "text": self.text}]})
        self.ctx.agent("assistant", {"text": self.text, "delta": piece})
        return self

    def tool(self, call_id: str, name: str, args: dict[str, Any], *, error: bool = False, chars: int = 7) -> Run:
        self.ctx.agent("tool", {"phase": "start", "name": name, "toolCallId": call_id, "args": args})
        self.ctx.agent("tool", {"phase": "result", "name": name, "toolCallId": call_id, "isError": error,
                                "meta": {"chars": chars}})
        return self

    def final(self, last_step_text: str) -> Run:
        self.ctx.chat("final", message={"role": "assistant", "content": [{"type": "text", "text": last_step_text}]},
                      stopReason="stop", usage={})
        self.ctx.agent("lifecycle", {"phase": "end"})
        return self

    def aborted(self) -> Run:
        self.ctx.chat("aborted", stopReason="aborted",
                      message={"role": "assistant", "content": [{"type": "text", "text": self.text}]})
        self.ctx.agent("lifecycle", {"phase": "end", "aborted": True})
        return self

    def error(self, message: str) -> Run:
        self.ctx.chat("error", errorMessage=message, errorKind="unknown")
        self.ctx.agent("lifecycle", {"phase": "error", "error": message})
        return self


def feed(t: ChatTranscript, run: Run) -> list[Any]:
    changes: list[Any] = []
    for name, payload in run.events:
        changes += t.apply(name, payload)
    run.events.clear()
    return changes


def rows(t: ChatTranscript) -> list[tuple[str, ...]]:
    """A compact picture of the transcript for whole-sequence asserts."""
    out: list[tuple[str, ...]] = []
    for item in t.items:
        match item:
            case UserMessage(text=text):
                out.append(("user", text))
            case AssistantText(text=text, streaming=streaming):
                out.append(("assistant", text, "streaming" if streaming else "done"))
            case ToolCall(name=name, args_summary=args, status=status, result_summary=result):
                out.append(("tool", name, args, str(status), result or ""))
            case Approval(command=command, status=status, outcome=outcome):
                out.append(("approval", command, str(status), outcome or ""))
            case ErrorItem(message=message):
                out.append(("error", message))
            case Marker(text=text):
                out.append(("marker", text))
    return out


def test_streaming_text_appends_to_one_row_and_final_ends_it():
    t = ChatTranscript(KEY)
    assert t.add_user_message("hi", "r1") == [Inserted(0)]
    assert t.running and t.active_run_ids == ["r1"]
    run = Run().start()
    assert feed(t, run.delta("Hel")) == [Inserted(1)]
    assert feed(t, run.delta("lo ")) == [TextAppended(1, "lo ")]
    assert feed(t, run.delta("there")) == [TextAppended(1, "there")]
    assert rows(t)[-1] == ("assistant", "Hello there", "streaming")
    assert feed(t, run.final("Hello there")) == [Updated(1)]
    assert rows(t) == [("user", "hi"), ("assistant", "Hello there", "done")]
    assert not t.running


@pytest.mark.parametrize("script, expected", [
    # text, a tool, more text: the text after the tool gets its own row after the tool row
    (lambda r: r.start().delta("Checking.").tool("t1", "exec", {"command": "ls -la"}).delta(" Found 3 files.")
     .final(" Found 3 files."),
     [("assistant", "Checking.", "done"), ("tool", "exec", "ls -la", "done", "7 characters of output"),
      ("assistant", " Found 3 files.", "done")]),
    # a tool first, then text; a failing tool
    (lambda r: r.start().tool("t1", "read", {"path": "notes.md"}, error=True, chars=12).delta("No such file.")
     .final("No such file."),
     [("tool", "read", "notes.md", "error", "failed, 12 characters of output"),
      ("assistant", "No such file.", "done")]),
    # the final text differs from what streamed (e.g. a delta went missing): the final wins
    (lambda r: r.start().delta("Hel").final("Hello!"), [("assistant", "Hello!", "done")]),
    # a reply that never streamed (non-streaming gateways)
    (lambda r: r.start().final("All at once."), [("assistant", "All at once.", "done")]),
    # an empty final after a tool adds no empty row
    (lambda r: r.start().tool("t1", "ls", {}).final(""), [("tool", "ls", "", "done", "7 characters of output")]),
    # abort mid-stream keeps the partial text and marks the run; a running tool is interrupted
    (lambda r: r.start().delta("Counting: 1 2").aborted(),
     [("assistant", "Counting: 1 2", "done"), ("marker", "aborted")]),
    (lambda r: (r.start(), r.ctx.agent("tool", {"phase": "start", "name": "exec", "toolCallId": "t9",
                                                "args": {"command": "sleep 100"}}), r.aborted())[0],
     [("tool", "exec", "sleep 100", "interrupted", ""), ("marker", "aborted")]),
    # gateway errors show inline, with the partial text kept
    (lambda r: r.error("no model configured: set ANTHROPIC_API_KEY"),
     [("error", "no model configured: set ANTHROPIC_API_KEY")]),
    (lambda r: r.start().delta("Half").error("overloaded"), [("assistant", "Half", "done"), ("error", "overloaded")]),
])
def test_run_shapes(script, expected):
    t = ChatTranscript(KEY)
    t.add_user_message("go", "r1")
    feed(t, script(Run()))
    assert rows(t) == [("user", "go"), *expected]
    assert not t.running


def test_abort_ack_ends_the_run_at_once_and_the_late_event_adds_no_second_marker():
    t = ChatTranscript(KEY)
    t.add_user_message("count", "r1")
    t.add_user_message("and then this", "r2")  # queued behind r1: the gateway never emits for it
    run = Run().start().delta("1 2 3")
    feed(t, run)
    changes = t.abort_acknowledged(["r1", "r2"])
    assert not t.running
    assert Inserted(3) in changes and Inserted(4) in changes
    run.delta(" 4")  # raced the cancel: ignored, the aborted event carries the same text
    run.aborted()
    assert feed(t, run) == [TextAppended(2, " 4")]
    assert rows(t) == [("user", "count"), ("user", "and then this"), ("assistant", "1 2 3 4", "done"),
                       ("marker", "aborted"), ("marker", "aborted")]


def test_events_of_other_sessions_are_ignored():
    t = ChatTranscript(KEY)
    assert feed(t, Run("x", "agent:main:other").start().delta("elsewhere").final("elsewhere")) == []
    assert t.items == [] and not t.running


def test_a_run_started_elsewhere_gets_a_placeholder_user_row_filled_from_history():
    t = ChatTranscript(KEY)
    changes = feed(t, Run("voice-1").start().delta("Sure."))
    assert changes[:2] == [Inserted(0), Inserted(1)]
    assert rows(t) == [("user", ELSEWHERE_PLACEHOLDER), ("assistant", "Sure.", "streaming")]
    assert t.missing_user_runs() == ["voice-1"]
    history = [{"role": "user", "content": [{"type": "text", "text": "turn on the lights"}],
                "idempotencyKey": "voice-1"}]
    assert t.fill_user_messages(history) == [Updated(0)]
    assert rows(t)[0] == ("user", "turn on the lights") and t.missing_user_runs() == []


def test_approvals_inline_with_their_outcome():
    t = ChatTranscript(KEY)
    t.add_user_message("clean up", "r1")
    run = Run().start()
    run.ctx.agent("tool", {"phase": "start", "name": "exec", "toolCallId": "t1", "args": {"command": "rm -r build"}})
    feed(t, run)
    request = {"command": "rm -r build", "cwd": "/w", "sessionKey": KEY, "runId": "r1"}
    assert t.apply("exec.approval.requested", {"id": "a1", "request": request}) == [Inserted(2)]
    assert rows(t)[2] == ("approval", "rm -r build", "pending", "")
    assert t.apply("exec.approval.requested", {"id": "a1", "request": request}) == []  # listed again on reload
    resolved = {"id": "a1", "decision": "allow-once", "resolvedBy": "Pixel 8", "reason": "user", "request": request}
    assert t.apply("exec.approval.resolved", resolved) == [Updated(2)]
    assert rows(t)[2] == ("approval", "rm -r build", "allowed-once", "Allowed once by Pixel 8")
    other = {**request, "sessionKey": "agent:main:other"}
    assert t.apply("exec.approval.requested", {"id": "a2", "request": other}) == []


@pytest.mark.parametrize("decision, reason, status, outcome", [
    ("allow-always", "user", ApprovalStatus.ALLOWED_ALWAYS, "Always allowed by me"),
    ("deny", "user", ApprovalStatus.DENIED, "Denied by me"),
    (None, "timeout", ApprovalStatus.EXPIRED, "Expired without an answer (denied)"),
    ("deny", "no-route", ApprovalStatus.DENIED, "Denied: no one could answer"),
    ("deny", "gateway-restart", ApprovalStatus.DENIED, "Denied: the gateway restarted"),
])
def test_approval_endings(decision, reason, status, outcome):
    t = ChatTranscript(KEY)
    request = {"command": "make", "sessionKey": KEY}
    # resolved without a requested event first (a no-route deny is never "requested")
    changes = t.apply("exec.approval.resolved", {"id": "a", "decision": decision, "resolvedBy": "me",
                                                 "reason": reason, "request": request})
    assert changes == [Inserted(0), Updated(0)]
    item = t.items[0]
    assert isinstance(item, Approval) and (item.status, item.outcome) == (status, outcome)


def test_retry_notices_update_one_marker():
    t = ChatTranscript(KEY)
    t.add_user_message("hi", "r1")
    run = Run()
    run.ctx.chat("status", phase="starting_model", retry={"attempt": 1, "maxAttempts": 3, "reason": "overloaded"})
    run.ctx.chat("status", phase="starting_model", retry={"attempt": 2, "maxAttempts": 3, "reason": "overloaded"})
    assert feed(t, run) == [Inserted(1), Updated(1)]
    assert rows(t)[1] == ("marker", "model busy, retrying (attempt 2 of 3): overloaded")


def test_history_load_resets_and_keeps_runs_still_going():
    t = ChatTranscript(KEY)
    t.add_user_message("old", "r0")
    messages = [{"role": "user", "content": [{"type": "text", "text": "q"}], "idempotencyKey": "r5"},
                {"role": "assistant", "content": [{"type": "text", "text": "Looking."},
                                                  {"type": "toolCall", "id": "t1", "name": "exec",
                                                   "arguments": {"command": "uptime"}}]}]
    assert t.load_history({"messages": messages, "sessionInfo": {"activeRunIds": ["r5"]}}) == [Reset()]
    assert rows(t) == [("user", "q"), ("assistant", "Looking.", "done"), ("tool", "exec", "uptime", "running", "")]
    assert t.running and t.active_run_ids == ["r5"]
    # The resumed run's cumulative text repeats what history showed: ask for a reload at the end.
    run = Run("r5")
    run.delta("Looking.").delta(" Up 3 days.").final(" Up 3 days.")
    feed(t, run)
    assert not t.running and t.history_stale


def test_unknown_shapes_change_nothing():
    t = ChatTranscript(KEY)
    assert t.apply("chat", "not a dict") == []  # type: ignore[arg-type]
    assert t.apply("tick", {}) == []
    assert t.apply("agent", {"sessionKey": KEY, "runId": "r", "stream": "usage", "data": {}}) == []
    assert t.apply("agent", {"sessionKey": KEY, "runId": "gone", "stream": "lifecycle", "data": {"phase": "end"}}) == []
    assert t.apply("exec.approval.requested", {"id": "a", "request": "x"}) == []
    assert t.load_history(None) == [Reset()] and t.items == []


def test_send_failure_shows_an_error_row_and_ends_the_run():
    t = ChatTranscript(KEY)
    t.add_user_message("hi", "r1")
    assert t.send_failed("r1", "not connected to the gateway") == [Inserted(1)]
    assert rows(t) == [("user", "hi"), ("error", "not connected to the gateway")] and not t.running
    assert t.add_error("could not load the history: boom") == [Inserted(2)]
    assert rows(t)[-1] == ("error", "could not load the history: boom")

