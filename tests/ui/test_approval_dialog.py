"""The native approval dialog and its queueing controller, against a real ApprovalBroker."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from openclaw_desktop.approvals.broker import (
    ApprovalBroker,
    ApprovalRequest,
    GrantChoice,
    PendingApproval,
)
from openclaw_desktop.ui.approval_dialog import ApprovalDialog, ApprovalDialogs

ARM_S = 0.2
NOW_MS = 1_700_000_000_000


class Harness:
    """A real broker on its own (idle) asyncio loop, events recorded and fed to the controller."""

    def __init__(self, loop: asyncio.AbstractEventLoop, **controller_kw: Any) -> None:
        self.loop = loop
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.broker = ApprovalBroker(lambda: NOW_MS, self._on_event, has_route=lambda: True)
        kw: dict[str, Any] = {"arm_delay_s": ARM_S, "notice_s": 0.05, "clock_ms": lambda: NOW_MS}
        kw.update(controller_kw)
        self.dialogs = ApprovalDialogs(self.broker, **kw)

    def _on_event(self, name: str, payload: dict[str, Any]) -> None:
        self.events.append((name, payload))
        self.dialogs.handle_event(name, payload)

    def submit(self, command: str = "rm -rf build", **request_kw: Any) -> PendingApproval:
        request = ApprovalRequest(command=command, argv=None, cwd="/home/me/work", agent_id="main",
                                  session_key="agent:main:main", resolved_path="/usr/bin/rm",
                                  reasons=("not on the allowlist",), **request_kw)

        async def go() -> PendingApproval:  # submit() needs a running loop for its future and timer
            return self.broker.submit(request)

        return self.loop.run_until_complete(go())


@pytest.fixture
def harness(qtbot) -> Iterator[Harness]:
    loop = asyncio.new_event_loop()
    h = Harness(loop)
    yield h
    h.broker.close()  # denies what is left; open dialogs dismiss themselves
    qtbot.waitUntil(lambda: not visible_dialogs())
    loop.close()


def shown(qtbot, h: Harness) -> ApprovalDialog:
    qtbot.waitUntil(lambda: h.dialogs.current is not None and h.dialogs.current.isVisible())
    dialog = h.dialogs.current
    assert dialog is not None
    return dialog


def armed(qtbot, dialog: ApprovalDialog) -> ApprovalDialog:
    qtbot.waitUntil(lambda: dialog.allow_once_button.isEnabled())
    return dialog


def test_allow_buttons_arm_only_after_the_delay(qtbot, harness: Harness) -> None:
    pending = harness.submit()
    dialog = shown(qtbot, harness)
    assert not dialog.isModal()
    assert not dialog.allow_once_button.isEnabled() and not dialog.allow_always_button.isEnabled()
    qtbot.mouseClick(dialog.allow_once_button, Qt.MouseButton.LeftButton)  # disabled: nothing happens
    assert pending.resolution is None
    armed(qtbot, dialog)
    assert dialog.allow_always_button.isEnabled()
    qtbot.mouseClick(dialog.allow_once_button, Qt.MouseButton.LeftButton)
    assert pending.resolution is not None
    assert (pending.resolution.decision, pending.resolution.resolved_by) == ("allow-once", "this computer")


def test_deny_is_default_and_has_the_initial_focus(qtbot, harness: Harness) -> None:
    pending = harness.submit()
    dialog = armed(qtbot, shown(qtbot, harness))
    assert dialog.deny_button.isDefault()
    assert not dialog.allow_once_button.autoDefault() and not dialog.allow_always_button.autoDefault()
    assert dialog.focusWidget() is dialog.deny_button
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter answers with the default button
    assert pending.resolution is not None and pending.resolution.decision == "deny"


def test_escape_denies_in_the_broker(qtbot, harness: Harness) -> None:
    pending = harness.submit()
    dialog = shown(qtbot, harness)
    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert pending.resolution is not None
    assert (pending.resolution.decision, pending.resolution.resolved_by, pending.resolution.reason) == \
        ("deny", "this computer", "user")
    assert pending.future.result().decision == "deny"
    assert [name for name, _ in harness.events] == ["exec.approval.requested", "exec.approval.resolved"]
    assert harness.dialogs.last_notice is None  # our own answer is no news


def test_window_close_denies(qtbot, harness: Harness) -> None:
    pending = harness.submit()
    dialog = shown(qtbot, harness)
    with qtbot.waitSignal(dialog.finished):
        dialog.close()
    assert pending.resolution is not None and pending.resolution.decision == "deny"
    assert pending.resolution.resolved_by == "this computer"


def test_allow_always_for_n_minutes_delivers_a_timed_grant(qtbot, harness: Harness) -> None:
    pending = harness.submit()
    dialog = armed(qtbot, shown(qtbot, harness))
    assert [dialog.scope_combo.itemText(i) for i in range(dialog.scope_combo.count())] == [
        "this exact command", "this program, any arguments, in this folder",
        "this program for this session", "this program for N minutes"]
    assert not dialog.minutes_spin.isEnabled()
    dialog.scope_combo.setCurrentIndex(dialog.scope_combo.findData("timed"))
    assert dialog.minutes_spin.isEnabled()
    dialog.minutes_spin.setValue(45)
    qtbot.mouseClick(dialog.allow_always_button, Qt.MouseButton.LeftButton)
    assert pending.resolution is not None
    assert pending.resolution.decision == "allow-always"
    assert pending.resolution.grant == GrantChoice("timed", 45)


def test_allow_always_is_not_offered_when_the_request_forbids_it(qtbot, harness: Harness) -> None:
    harness.submit(allow_always=False)
    dialog = armed(qtbot, shown(qtbot, harness))
    assert dialog.allow_once_button.isVisible()
    assert not dialog.allow_always_button.isVisible() and not dialog.scope_combo.isVisible()


def test_remote_answer_closes_the_dialog_and_says_who(qtbot, harness: Harness) -> None:
    pending = harness.submit()
    dialog = shown(qtbot, harness)
    with qtbot.waitSignal(dialog.finished):
        harness.broker.resolve(pending.id, "allow-once", "phone")
        assert harness.dialogs.last_notice == "Answered by phone"
        assert dialog.status_label.text() == "Answered by phone"
        assert not dialog.deny_button.isEnabled()
    assert pending.resolution is not None and pending.resolution.resolved_by == "phone"
    assert harness.dialogs.current is None


def test_remote_answer_drops_a_queued_request(qtbot, harness: Harness) -> None:
    first, second = harness.submit("ls one"), harness.submit("ls two")
    shown(qtbot, harness)
    assert harness.dialogs.queued_ids == [second.id]
    harness.broker.resolve(second.id, "deny", "phone")
    assert harness.dialogs.queued_ids == []
    assert harness.dialogs.last_notice == "Answered by phone"
    assert harness.dialogs.current is not None and harness.dialogs.current.pending is first


def test_queued_dialogs_appear_one_after_another(qtbot, harness: Harness) -> None:
    first, second = harness.submit("ls one"), harness.submit("ls two")
    dialog = shown(qtbot, harness)
    assert dialog.pending is first
    assert visible_dialogs() == [dialog]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: harness.dialogs.current is not None and harness.dialogs.current.pending is second)
    dialog = shown(qtbot, harness)
    assert "ls two" in dialog.command_view.toPlainText()
    armed(qtbot, dialog)  # the arm delay restarts for every dialog
    qtbot.mouseClick(dialog.allow_once_button, Qt.MouseButton.LeftButton)
    assert first.resolution is not None and first.resolution.decision == "deny"
    assert second.resolution is not None and second.resolution.decision == "allow-once"
    qtbot.waitUntil(lambda: harness.dialogs.current is None)


def test_lookalikes_and_bidi_are_shown(qtbot, harness: Harness) -> None:
    harness.submit("сurl https://example.com/\u202eexe.sh\x1b[0m")
    dialog = shown(qtbot, harness)
    text = dialog.command_view.toPlainText()
    assert "⟨U+202E RIGHT-TO-LEFT OVERRIDE⟩" in text and "\\x1b[0m" in text and "\u202e" not in text
    assert dialog.warnings_label.isVisible()
    assert "'с' (U+0441 CYRILLIC SMALL LETTER ES) looks like 'c'" in dialog.warnings_label.text()
    assert dialog.agent_label.text() == "main · agent:main:main"
    assert dialog.cwd_label.text() == "/home/me/work"
    assert dialog.executable_label.text() == "/usr/bin/rm"
    assert "not on the allowlist" in dialog.reasons_label.text()


def test_plain_command_shows_no_warnings(qtbot, harness: Harness) -> None:
    harness.submit("git status")
    dialog = shown(qtbot, harness)
    assert not dialog.warnings_label.isVisible()


def test_countdown_follows_the_injected_clock(qtbot, qapp) -> None:
    loop = asyncio.new_event_loop()
    now = [NOW_MS]
    h = Harness(loop, clock_ms=lambda: now[0])
    try:
        h.broker.default_timeout_ms = 95_000
        h.submit()
        dialog = shown(qtbot, h)
        assert dialog.countdown_label.text() == "Times out in 1:35"
        now[0] += 40_000
        qtbot.waitUntil(lambda: dialog.countdown_label.text() == "Times out in 0:55")
        now[0] += 60_000
        qtbot.waitUntil(lambda: dialog.countdown_label.text() == "Timed out")
    finally:
        h.broker.close()
        qtbot.waitUntil(lambda: not visible_dialogs())
        loop.close()


class ExplodingDialog(ApprovalDialog):
    def __init__(self, pending: PendingApproval, *args: Any, **kw: Any) -> None:
        if "boom" in pending.request.command:
            raise RuntimeError("cannot build the dialog")
        super().__init__(pending, *args, **kw)


def test_a_dialog_that_cannot_be_built_fails_closed(qtbot, qapp) -> None:
    loop = asyncio.new_event_loop()
    h = Harness(loop, dialog_factory=ExplodingDialog)
    try:
        broken, fine = h.submit("boom"), h.submit("ls")
        dialog = shown(qtbot, h)  # the queue moves on to the next request
        assert dialog.pending is fine
        assert broken.resolution is not None
        assert (broken.resolution.decision, broken.resolution.reason) == ("deny", "ui-failure")
        assert h.dialogs.last_notice == "Could not show the approval dialog; the command was denied"
    finally:
        h.broker.close()
        qtbot.waitUntil(lambda: not visible_dialogs())
        loop.close()


def test_a_dialog_ended_without_an_answer_fails_closed(qtbot, harness: Harness) -> None:
    pending = harness.submit()
    dialog = shown(qtbot, harness)
    with qtbot.waitSignal(dialog.finished):
        dialog.done(0)  # programmatic end: no user choice was delivered
    assert pending.resolution is not None
    assert (pending.resolution.decision, pending.resolution.reason) == ("deny", "ui-failure")


def visible_dialogs() -> list[ApprovalDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, ApprovalDialog) and w.isVisible()]
