"""The small main window: status and the tray menu's commands as buttons.

Used where the desktop has no system tray (``QSystemTrayIcon.isSystemTrayAvailable()``
is false: some Wayland desktops, kiosk sessions) and when a second launch asks the
running app to show itself. Every button is a ``QToolButton`` bound to the shared
``QAction`` (``setDefaultAction``), so texts and enablement match the tray menu. Without
a tray, closing this window quits the app (otherwise it would keep running unseen); with
a tray it only hides. Qt only; what the actions do is wired in ``desktop_app.py``.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .tray import AppActions
from .tray_icons import IconCache
from .tray_state import StatusTracker


class MainWindow(QWidget):
    """Status at the top, one button per command below."""

    close_requested = Signal()
    """Emitted when the user closes the window while it is the app's only surface."""

    def __init__(self, actions: AppActions, *, quit_on_close: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app_actions = actions  # not "actions": QWidget.actions() is a method
        self.quit_on_close = quit_on_close
        self.icons = IconCache()
        self.setWindowTitle("OpenClaw")
        self.state_icon = QLabel()
        self.state_icon.setFixedSize(QSize(48, 48))
        self.state_label = QLabel()
        font = self.state_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.state_label.setFont(font)
        self.status_labels = [QLabel() for _ in actions.status]
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)  # node notifications are untrusted text
        self.message_label.setVisible(False)
        head = QGridLayout()
        head.addWidget(self.state_icon, 0, 0, len(self.status_labels) + 1, 1, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.state_label, 0, 1)
        for row, label in enumerate(self.status_labels, start=1):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            head.addWidget(label, row, 1)
        head.setColumnStretch(1, 1)
        self.buttons: dict[str, QToolButton] = {}
        grid = QGridLayout()
        names = ("talk", "push_to_talk", "voice_wake", "open_chat", "pending", "pair_phone", "settings", "pause",
                 "quit")
        for index, name in enumerate(names):
            button = QToolButton()
            button.setDefaultAction(getattr(actions, name))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumHeight(30)
            self.buttons[name] = button
            grid.addWidget(button, index // 2, index % 2)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.message_label)
        layout.addLayout(grid)
        self.setMinimumWidth(420)

    def update_status(self, tracker: StatusTracker) -> None:
        state = tracker.state()
        self.state_icon.setPixmap(self.icons[state].pixmap(48, 48))
        pending = tracker.pending_count
        self.state_label.setText(state.value.capitalize() + (f" — {pending} waiting for you" if pending else ""))
        for label, line in zip(self.status_labels, tracker.status_lines(), strict=True):
            label.setText(line)
        self.setWindowIcon(self.icons[state])

    def show_message(self, title: str, body: str, *, warning: bool = False, timeout_ms: int = 10_000) -> str | None:
        """Notifications in the window when there is no tray (None if it is hidden)."""
        if not self.isVisible():
            return None
        self.message_label.setText(f"{title}: {body}" if body else title)
        self.message_label.setStyleSheet("color: #b00020;" if warning else "")
        self.message_label.setVisible(True)
        return "window"

    def bring_up(self) -> None:
        """Show, un-minimise and raise (a second launch asked for us)."""
        self.show()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.quit_on_close:
            event.ignore()  # the app quits in order and closes us on the way
            self.close_requested.emit()
            return
        super().closeEvent(event)
