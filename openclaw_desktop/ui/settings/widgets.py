"""Small widgets shared by the settings tabs: a status line, a level meter, a list of
rows with action buttons, and the :class:`SettingsTab` base every tab derives from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from .config_access import ConfigAccess
from .ports import SettingsExtras, SettingsLink
from .tasks import TaskRunner

OK_STYLE = "color: #1b7f3b;"
ERROR_STYLE = "color: #b3261e;"


class StatusLine(QLabel):
    """One line under a form: what just happened, green for success, red for failure."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ok = True

    def show_ok(self, text: str) -> None:
        self.ok = True
        self.setStyleSheet(OK_STYLE)
        self.setText(text)

    def show_error(self, text: str) -> None:
        self.ok = False
        self.setStyleSheet(ERROR_STYLE)
        self.setText(text)

    def show_info(self, text: str) -> None:
        self.ok = True
        self.setStyleSheet("")
        self.setText(text)


def hint(text: str) -> QLabel:
    """A grey, wrapping explanation under a control."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(mid);")
    return label


def copy_to_clipboard(text: str) -> None:
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(text)


class LevelMeter(QWidget):
    """A live microphone level bar fed by polling ``source()`` (0..1) while visible.

    Polling (not pushing) keeps the audio thread free of Qt: the voice package only
    updates a float. With no source the meter says "no microphone" instead.
    """

    POLL_MS = 50

    def __init__(self, source: Callable[[], float] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(12)
        self.missing = QLabel("no microphone")
        self.missing.setStyleSheet("color: palette(mid);")
        stack = QStackedLayout(self)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.addWidget(self.bar)
        stack.addWidget(self.missing)
        stack.setCurrentWidget(self.bar if source is not None else self.missing)
        self.timer = QTimer(self)
        self.timer.setInterval(self.POLL_MS)
        self.timer.timeout.connect(self.poll)

    def poll(self) -> None:
        if self.source is None:
            return
        try:
            level = float(self.source())
        except Exception:  # noqa: BLE001 - a vanished device reads as silence, never a crash
            level = 0.0
        self.bar.setValue(round(min(max(level, 0.0), 1.0) * 100))

    def showEvent(self, event: Any) -> None:  # Qt's name
        super().showEvent(event)
        if self.source is not None:
            self.timer.start()

    def hideEvent(self, event: Any) -> None:  # Qt's name
        self.timer.stop()
        super().hideEvent(event)


class RowList(QWidget):
    """Rows of text, each with its own buttons (Remove, Revoke, Approve …).

    ``set_rows([(row_id, text, [(label, callback), …]), …])`` replaces the content;
    :meth:`button` finds a row's button for tests and keyboard users alike.
    """

    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._empty = QLabel(empty_text)
        self._empty.setStyleSheet("color: palette(mid);")
        self._layout.addWidget(self._empty)
        self._rows: dict[str, tuple[QLabel, dict[str, QPushButton]]] = {}

    def set_rows(self, rows: Sequence[tuple[str, str, Sequence[tuple[str, Callable[[], None]]]]]) -> None:
        for label, buttons in self._rows.values():
            container = label.parentWidget()
            if container is not None:
                container.deleteLater()
        self._rows.clear()
        for row_id, text, actions in rows:
            container = QWidget(self)
            line = QHBoxLayout(container)
            line.setContentsMargins(0, 0, 0, 0)
            label = QLabel(text)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            line.addWidget(label, 1)
            buttons: dict[str, QPushButton] = {}
            for caption, callback in actions:
                button = QPushButton(caption)
                button.clicked.connect(lambda _=False, cb=callback: cb())
                line.addWidget(button)
                buttons[caption] = button
            self._layout.addWidget(container)
            self._rows[row_id] = (label, buttons)
        self._empty.setVisible(not rows)

    def ids(self) -> list[str]:
        return list(self._rows)

    def text(self, row_id: str) -> str:
        return self._rows[row_id][0].text()

    def button(self, row_id: str, caption: str) -> QPushButton:
        return self._rows[row_id][1][caption]


class SettingsTab(QWidget):
    """Base of every tab: the link, config access, a task runner and a status line.

    Subclasses implement :meth:`load` (re-read everything from the gateway) and may
    override :meth:`on_event`. ``reload()`` spawns :meth:`load` with errors shown.
    """

    title = ""
    reload_events: frozenset[str] = frozenset()
    """Gateway events after which this tab reloads (when loaded at least once)."""

    def __init__(self, link: SettingsLink, extras: SettingsExtras, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self.extras = extras
        self.config = ConfigAccess(link)
        self.status = StatusLine()
        self.tasks = TaskRunner(self.status.show_error)
        self.loaded = False

    async def load(self) -> None:
        """Read the tab's state from the gateway (override)."""

    def reload(self) -> None:
        self.tasks.spawn(self._load_once(), "loading")

    async def _load_once(self) -> None:
        await self.load()
        self.loaded = True

    def on_event(self, name: str, payload: dict[str, Any]) -> None:
        """A gateway event arrived (on the loop's thread)."""
        if self.loaded and name in self.reload_events:
            self.reload()

    def run(self, coro: Any, what: str) -> None:
        """Start a user action; its failure shows in the status line."""
        self.tasks.spawn(coro, what)

    def dispose(self) -> None:
        self.tasks.cancel_all()
