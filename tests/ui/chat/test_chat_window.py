"""The chat window against a real gateway (fake model server), over a real GatewayLink:
streaming, tools, approvals, abort, history, keys, sessions, errors."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from openclaw_desktop.chat_view.items import AssistantText
from openclaw_desktop.chat_view.sessions import MAIN_KEY
from tests.support.anthropic_script import Text, ToolUse, Turn
from tests.ui.chat.support import kinds, rows, until


def type_and_enter(window, text: str) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClicks(window.composer, text)
    QTest.keyClick(window.composer, Qt.Key.Key_Return)


def last_assistant(window):  # type: ignore[no-untyped-def]
    items = [i for i in window.transcript.items if isinstance(i, AssistantText)]
    return items[-1] if items else None


async def test_streaming_reply_with_a_tool_call_then_history_in_a_new_window(make_window, api, gw):
    (gw.exec_service.workspace / "notes.txt").write_text("remember the milk\n")
    api.push(Turn([Text(["Let me ", "look."], delay_s=0.05), ToolUse("toolu_1", "read", {"path": "notes.txt"})]))
    api.push(Turn([Text(["Your ", "workspace ", "has ", "notes.txt ", "in it."], delay_s=0.15)]))
    window = make_window()
    await until(lambda: not window.loading, "the first history load")
    assert rows(window) == []
    type_and_enter(window, "what is in my workspace?")
    assert rows(window)[0] == ("user", "what is in my workspace?")
    assert window.composer.toPlainText() == ""

    # Record what the last assistant row shows, and whether it is still streaming, as it changes.
    seen: list[tuple[str, bool]] = []
    widgets: dict[int, set[int]] = {}  # row index -> ids of the widgets that showed it

    def record() -> bool:
        items = window.transcript.items
        for i, row in enumerate(window.view.rows):
            widgets.setdefault(i, set()).add(id(row))
        index = max((i for i, item in enumerate(items) if isinstance(item, AssistantText)), default=None)
        if index is not None and index < len(window.view.rows):
            state = (window.view.rows[index].text, items[index].streaming)
            if not seen or seen[-1] != state:
                seen.append(state)
        return not window.transcript.running

    await until(record, "the reply to finish")
    streamed = [text for text, streaming in seen if streaming and text.startswith("Your")]
    assert len(streamed) >= 3, (seen, rows(window))  # the row grew delta by delta before the final
    assert all(b.startswith(a) and b != a for a, b in pairwise(streamed)), streamed
    assert seen[-1] == ("Your workspace has notes.txt in it.", False)
    # Deltas grew rows in place: no row was ever rebuilt while the reply streamed.
    assert all(len(ids) == 1 for ids in widgets.values()), widgets
    assert rows(window) == [
        ("user", "what is in my workspace?"),
        ("assistant", "Let me look."),
        ("tool", "⚙ read", "notes.txt", "done"),
        ("assistant", "Your workspace has notes.txt in it."),
    ]
    assert not window.abort_button.isEnabled()
    assert window.view.rows[1].header.text() == "Assistant"  # no "writing…" once final

    again = make_window()
    await until(lambda: len(again.view.rows) == 4, "the history in a new window")
    assert rows(again) == rows(window)
    tool = again.view.rows[2]
    assert tool.result.text() == "remember the milk"  # history knows the tool's output itself
    assert window.view.rows[2].result.text() == "17 characters of output"  # live events only say how much


async def test_abort_mid_stream_with_esc_keeps_the_partial_text(make_window, api):
    api.push(Turn([Text(["tick "] * 200, delay_s=0.03)]))
    window = make_window()
    await until(lambda: not window.loading, "the first history load")
    type_and_enter(window, "count")
    await until(lambda: window.abort_button.isEnabled(), "the abort button to enable")
    await until(lambda: (last_assistant(window) or AssistantText("")).text.count("tick") >= 3, "some ticks")
    QTest.keyClick(window.composer, Qt.Key.Key_Escape)
    await until(lambda: kinds(window)[-1] == "marker", "the aborted marker")
    await until(lambda: not window.transcript.running and not window._tasks, "the abort to settle")
    assert rows(window)[-1] == ("marker", "— aborted —")
    partial = window.view.rows[1].text
    assert partial.startswith("tick tick tick") and partial.count("tick") < 200
    assert not window.abort_button.isEnabled()
    assert await api.wait_for_disconnects_async(1)  # the model stream was really closed

    reopened = make_window()
    await until(lambda: len(reopened.view.rows) == 3, "the history")
    assert kinds(reopened) == ["user", "assistant", "marker"]
    assert reopened.view.rows[1].text.startswith("tick tick tick")


async def test_enter_sends_and_shift_enter_makes_a_new_line(make_window, api):
    window = make_window()
    await until(lambda: not window.loading, "the first history load")
    QTest.keyClick(window.composer, Qt.Key.Key_Return)  # empty: nothing happens
    assert rows(window) == []
    QTest.keyClicks(window.composer, "line one")
    QTest.keyClick(window.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClicks(window.composer, "line two")
    assert window.composer.toPlainText() == "line one\nline two" and rows(window) == []
    QTest.keyClick(window.composer, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert rows(window)[0] == ("user", "line one\nline two")
    await until(lambda: not window.transcript.running, "the echo reply")
    assert rows(window)[1] == ("assistant", "echo: line one\nline two")
    assert api.requests[-1]["messages"][-1]["content"][0]["text"] == "line one\nline two"


async def test_tool_approval_inline_with_open_button_and_outcome(make_window, api, link):
    api.push(Turn([ToolUse("toolu_9", "exec", {"command": "touch made-by-agent.txt"})]))
    api.push(Turn([Text("It was denied.")]))
    window = make_window()
    opened: list[str] = []
    window.open_approval_requested.connect(opened.append)
    await until(lambda: not window.loading, "the first history load")
    type_and_enter(window, "make a file")
    await until(lambda: "approval" in kinds(window), "the approval row")
    approval = rows(window)[kinds(window).index("approval")]
    assert approval[2].startswith("touch made-by-agent.txt") and approval[4] == "open"
    assert "waiting for approval" in approval[1]
    row = window.view.rows[kinds(window).index("approval")]
    QTest.mouseClick(row.open_button, Qt.MouseButton.LeftButton)
    assert len(opened) == 1
    await link.call("exec.approval.resolve", {"id": opened[0], "decision": "deny"})
    await until(lambda: not window.transcript.running, "the run to finish")
    approval = rows(window)[kinds(window).index("approval")]
    assert "denied" in approval[1] and approval[3] == "Denied by OpenClaw Desktop" and approval[4] == ""
    assert kinds(window) == ["user", "tool", "approval", "assistant"]
    assert rows(window)[1][1:] == ("⚙ exec", "touch made-by-agent.txt", "done")


async def test_gateway_errors_show_inline(make_window, api, gw, monkeypatch):
    api.push_error(400, "prompt is too long", error_type="invalid_request_error")
    window = make_window()
    await until(lambda: not window.loading, "the first history load")
    type_and_enter(window, "hi")
    await until(lambda: "error" in kinds(window), "the error row")
    assert "prompt is too long" in rows(window)[-1][1]
    assert not window.transcript.running and window.send_button.isEnabled() is False  # empty composer
    QTest.keyClicks(window.composer, "again")
    assert window.send_button.isEnabled()


async def test_ctrl_n_starts_a_session_and_the_picker_switches_back(make_window, api):
    window = make_window()
    await until(lambda: not window.loading, "the first history load")
    type_and_enter(window, "in main")
    await until(lambda: not window.transcript.running, "the first reply")
    QTest.keyClick(window.composer, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    new_key = window.session_key
    assert new_key.startswith("agent:main:chat-") and rows(window) == []
    assert window.picker.current_key == new_key
    type_and_enter(window, "in the new one")
    await until(lambda: not window.transcript.running, "the second reply")
    assert rows(window) == [("user", "in the new one"), ("assistant", "echo: in the new one")]
    await until(lambda: set(window.picker.keys()) >= {MAIN_KEY, new_key}, "both sessions listed")
    window.picker.combo.activated.emit(window.picker.keys().index(MAIN_KEY))  # what a user pick emits
    assert window.session_key == MAIN_KEY
    await until(lambda: len(window.view.rows) == 2, "main's history")
    assert rows(window) == [("user", "in main"), ("assistant", "echo: in main")]
    # Replies in the other session do not leak into this one.
    assert all("new one" not in r[1] for r in rows(window))
