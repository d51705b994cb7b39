"""Tray icon, menu actions, main window and the tray notifier (offscreen Qt)."""

from __future__ import annotations

import asyncio
import io

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSystemTrayIcon

from openclaw_desktop.nodes.desktop.headless import LogNotifier
from openclaw_desktop.ui.main_window import MainWindow
from openclaw_desktop.ui.notifier import TrayNotifier
from openclaw_desktop.ui.tray import AppActions, TrayIcon, build_menu, request_bubble
from openclaw_desktop.ui.tray_icons import COLOURS, SIZES, IconCache, render, state_icon
from openclaw_desktop.ui.tray_state import GatewayMode, StatusTracker, TrayState


def tracker(mode: GatewayMode = GatewayMode.HOSTED, link: str = "connected") -> StatusTracker:
    t = StatusTracker(mode=mode, url="ws://127.0.0.1:18789", model="claude-sonnet")
    t.set_link(link, None)
    return t


@pytest.mark.parametrize("state", list(TrayState))
def test_each_state_has_its_own_icon(qapp, state):
    image = render(state, 64).toImage()
    assert image.pixelColor(0, 0).alpha() == 0  # transparent corner: round on any panel
    # Somewhere on the disc's rim area the state colour shows (the glyph is white).
    assert image.pixelColor(32, 6).name() == QColor(COLOURS[state]).name()
    assert any(image.pixelColor(x, 32).name() == "#ffffff" for x in range(8, 56)) or \
        any(image.pixelColor(32, y).name() == "#ffffff" for y in range(8, 56))
    assert sorted(s.width() for s in state_icon(state).availableSizes()) == sorted(SIZES)


def test_icons_differ_and_are_cached(qapp):
    images = {s: render(s, 32).toImage() for s in TrayState}
    assert len({bytes(img.constBits()) for img in images.values()}) == len(TrayState)
    cache = IconCache()
    assert cache[TrayState.IDLE] is cache[TrayState.IDLE]


def test_menu_lists_status_then_commands(qapp):
    actions = AppActions()
    menu = build_menu(actions)
    actions.update(tracker())
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["ws://127.0.0.1:18789", "Model: claude-sonnet", "0 devices connected", "Talk mode", "Push to talk",
                     "Voice wake", "Open chat", "Pending approvals (0)", "Pair a phone…", "Settings…", "Pause gateway",
                     "Quit OpenClaw"]
    assert not any(a.isEnabled() for a in actions.status)
    assert actions.voice_wake.isCheckable() and actions.talk.isCheckable()


def test_actions_follow_the_tracker(qapp):
    actions = AppActions()
    t = tracker()
    t.on_event("exec.approval.requested", {"id": "a"})
    t.on_event("device.pair.requested", {"requestId": "p"})
    t.voice_wake = True
    t.talk_mode = True
    actions.update(t)
    assert actions.pending.text() == "Pending approvals (2)" and actions.pending.isEnabled()
    assert actions.voice_wake.isChecked() and actions.talk.isChecked()
    assert actions.open_chat.isEnabled() and actions.pause.isVisible()
    t.mode = GatewayMode.PAUSED
    t.set_link("disconnected", "gateway paused")
    actions.update(t)
    assert actions.pause.text() == "Resume gateway"
    assert not actions.open_chat.isEnabled() and not actions.pair_phone.isEnabled()
    attached = tracker(GatewayMode.ATTACHED)
    actions.update(attached)
    assert not actions.pause.isVisible() and not actions.pending.isEnabled()


def test_tray_icon_follows_state_and_shows_messages(qapp):
    actions = AppActions()
    tray = TrayIcon(actions)
    t = tracker()
    assert tray.show_message("t", "b") is None  # not shown yet: cannot deliver
    tray.show()
    tray.update(t)
    assert tray.state is TrayState.IDLE
    t.on_event("agent", {"runId": "r", "stream": "lifecycle", "data": {"phase": "start"}})
    tray.update(t)
    assert tray.state is TrayState.THINKING
    assert tray.icon.toolTip().startswith("OpenClaw: thinking")
    assert tray.icon.contextMenu() is tray.menu
    assert tray.show_message("Hello", "from the node", warning=True) == "tray"
    assert tray.last_message == ("Hello", "from the node")
    tray.hide()


def test_main_window_buttons_are_the_shared_actions(qtbot):
    actions = AppActions()
    window = MainWindow(actions, quit_on_close=True)
    qtbot.addWidget(window)
    window.update_status(tracker())
    assert [b.defaultAction() for b in window.buttons.values()] == actions.commands
    fired: list[str] = []
    actions.settings.triggered.connect(lambda: fired.append("settings"))
    window.buttons["settings"].click()
    assert fired == ["settings"]
    assert window.status_labels[0].text() == "ws://127.0.0.1:18789"
    assert window.state_label.text() == "Idle"
    # Without a tray, closing the window asks the app to quit instead of hiding it.
    closes: list[bool] = []
    window.close_requested.connect(lambda: closes.append(True))
    window.bring_up()
    assert window.show_message("Note", "hello") == "window" and window.message_label.text() == "Note: hello"
    window.close()
    assert closes == [True] and window.isVisible()
    window.quit_on_close = False
    window.close()
    assert not window.isVisible()
    assert window.show_message("Note", "x") is None


class RecordingSink:
    def __init__(self, answer: str | None) -> None:
        self.answer = answer
        self.got: list[tuple[str, str, bool, int]] = []

    def show_message(self, title: str, body: str, *, warning: bool, timeout_ms: int) -> str | None:
        self.got.append((title, body, warning, timeout_ms))
        return self.answer


def test_tray_notifier_uses_the_sink_then_the_log():
    sink = RecordingSink("tray")
    notifier = TrayNotifier(sink)
    assert asyncio.run(notifier.notify("Build", "done", "timeSensitive")) == "tray"
    assert asyncio.run(notifier.notify("", "body only", "passive")) == "tray"
    assert sink.got == [("Build", "done", True, 20_000), ("OpenClaw", "body only", False, 5_000)]
    stream = io.StringIO()
    fallback = TrayNotifier(RecordingSink(None), LogNotifier(stream))
    assert asyncio.run(fallback.notify("Build", "done", "active")) == "log"
    assert "[openclaw notification] Build: done" in stream.getvalue()


def test_offscreen_has_no_system_tray(qapp):
    # The app picks the main window in exactly this situation (see test_desktop_app).
    assert QSystemTrayIcon.isSystemTrayAvailable() is False


def test_request_bubbles():
    assert request_bubble("exec.approval.requested", {"request": {"command": "rm -rf build"}}) == (
        "A command is waiting for your approval", "rm -rf build")
    assert request_bubble("exec.approval.requested", {"request": "junk"})[1] == ""
    assert request_bubble("device.pair.requested", {"displayName": "Pixel"}) == ("Pairing request",
                                                                                  "Pixel asks to connect")
    assert request_bubble("node.pair.requested", {"clientId": "node-host"}) == ("Node commands request",
                                                                                "node-host asks to run commands")
