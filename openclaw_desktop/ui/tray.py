"""The tray icon and its menu, and the app's commands as shared ``QAction``s.

``AppActions`` holds one ``QAction`` per command (Talk mode, Push to talk, Voice wake,
Open chat, Pending approvals, Pair a phone…, Settings…, Pause/Resume gateway, Quit) plus the
disabled status lines; the tray menu and the no-tray main window show the very same
actions, so enabled/checked/text states can never disagree. ``TrayIcon`` owns the
``QSystemTrayIcon``: its icon and tooltip follow a :class:`StatusTracker`, and it shows
notifications. What the actions *do* is wired by the composition root
(``desktop_app.py``); nothing here talks to the gateway. Qt only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from .tray_icons import IconCache
from .tray_state import GatewayMode, StatusTracker, TrayState


class AppActions(QObject):
    """Every command of the app as a QAction (text and enablement follow the tracker)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.status = [QAction(self) for _ in range(3)]
        for action in self.status:
            action.setEnabled(False)  # information, not a command
        self.talk = QAction("Talk mode", self)
        self.talk.setCheckable(True)  # checked while talk mode is on: clicking again leaves it
        self.push_to_talk = QAction("Push to talk", self)
        self.push_to_talk.setToolTip("Ask one thing now, without the wake word")
        self.voice_wake = QAction("Voice wake", self)
        self.voice_wake.setCheckable(True)
        self.open_chat = QAction("Open chat", self)
        self.pending = QAction("Pending approvals (0)", self)
        self.pair_phone = QAction("Pair a phone…", self)
        self.settings = QAction("Settings…", self)
        self.pause = QAction("Pause gateway", self)
        self.quit = QAction("Quit OpenClaw", self)
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)
        for action in (self.pair_phone, self.settings):
            action.setIconText(action.text())  # buttons would drop the "…" that says a window opens

    @property
    def commands(self) -> list[QAction]:
        """The commands in menu order (status lines excluded)."""
        return [self.talk, self.push_to_talk, self.voice_wake, self.open_chat, self.pending, self.pair_phone, self.settings,
                self.pause, self.quit]

    def update(self, tracker: StatusTracker) -> None:
        """Refresh texts and enablement from the tracker (cheap; call on every change)."""
        for action, line in zip(self.status, tracker.status_lines(), strict=True):
            action.setText(line)
        pending = tracker.pending_count
        self.pending.setText(f"Pending approvals ({pending})")
        self.pending.setEnabled(pending > 0)
        self.voice_wake.setChecked(tracker.voice_wake)
        self.talk.setChecked(tracker.talk_mode)
        hosted = tracker.mode in (GatewayMode.HOSTED, GatewayMode.PAUSED)
        self.pause.setVisible(hosted)
        self.pause.setEnabled(hosted)
        self.pause.setText("Resume gateway" if tracker.mode == GatewayMode.PAUSED else "Pause gateway")
        connected = tracker.gateway_ok
        for action in (self.open_chat, self.pair_phone, self.voice_wake, self.talk, self.push_to_talk):
            action.setEnabled(connected)


def request_bubble(name: str, payload: dict[str, Any]) -> tuple[str, str]:
    """Title and body of the notification for a new approval or pairing request."""
    if name == "exec.approval.requested":
        request = payload.get("request")
        command = str(request.get("command") or "") if isinstance(request, dict) else ""
        return "A command is waiting for your approval", command[:200]
    who = payload.get("displayName") or payload.get("clientId") or "A device"
    if name == "device.pair.requested":
        return "Pairing request", f"{who} asks to connect"
    return "Node commands request", f"{who} asks to run commands"


def build_menu(actions: AppActions) -> QMenu:
    """The tray menu: status lines, then commands grouped by what they touch."""
    menu = QMenu()
    menu.setObjectName("trayMenu")
    for action in actions.status:
        menu.addAction(action)
    menu.addSeparator()
    for action in (actions.talk, actions.push_to_talk, actions.voice_wake):
        menu.addAction(action)
    menu.addSeparator()
    for action in (actions.open_chat, actions.pending, actions.pair_phone, actions.settings):
        menu.addAction(action)
    menu.addSeparator()
    menu.addAction(actions.pause)
    menu.addAction(actions.quit)
    return menu


class TrayIcon(QObject):
    """The system tray icon. ``message_clicked`` is emitted when a notification is clicked."""

    message_clicked = Signal()

    def __init__(self, actions: AppActions, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.actions = actions
        self.icons = IconCache()
        self.menu = build_menu(actions)
        self.icon = QSystemTrayIcon(self)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.icon.messageClicked.connect(self.message_clicked)
        self.state: TrayState | None = None
        self.last_message: tuple[str, str] | None = None

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def update(self, tracker: StatusTracker) -> None:
        """Icon and tooltip follow the tracker's state."""
        state = tracker.state()
        if state != self.state:
            self.icon.setIcon(self.icons[state])
            self.state = state
        self.icon.setToolTip(tracker.tooltip())

    def show_message(self, title: str, body: str, *, warning: bool = False, timeout_ms: int = 10_000) -> str | None:
        """A notification bubble from the tray (None when the tray icon is not shown)."""
        if not self.icon.isVisible():
            return None
        kind = QSystemTrayIcon.MessageIcon.Warning if warning else QSystemTrayIcon.MessageIcon.Information
        self.icon.showMessage(title, body, kind, timeout_ms)
        self.last_message = (title, body)
        return "tray"

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # Left click opens the menu too: on Linux panels there is no other convention
        # users can rely on, and it makes the status lines one click away.
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.menu.popup(QCursor.pos())
