"""The session picker: a combo box of sessions and a "New" button.

Fed with :class:`~openclaw_desktop.chat_view.sessions.SessionChoice` lists; emits
``chosen(key)`` only when the *user* picks an entry (programmatic refreshes never
switch sessions), and ``new_requested`` for the button. Qt lives here.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from openclaw_desktop.chat_view.sessions import SessionChoice

RUNNING_MARK = "● "


class SessionPicker(QWidget):
    """Combo box + New button; ``current_key`` is the key shown."""

    chosen = Signal(str)
    new_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Session:")
        self.combo = QComboBox()
        self.combo.setObjectName("sessionCombo")
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(16)
        label.setBuddy(self.combo)
        self.new_button = QPushButton("New")
        self.new_button.setToolTip("Start a new session (Ctrl+N)")
        layout.addWidget(label)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.new_button)
        self.combo.activated.connect(self._on_activated)
        self.new_button.clicked.connect(self.new_requested)

    @property
    def current_key(self) -> str | None:
        data = self.combo.currentData()
        return data if isinstance(data, str) else None

    def keys(self) -> list[str]:
        """Every key in the list, in order."""
        return [self.combo.itemData(i) for i in range(self.combo.count())]

    def set_choices(self, choices: Sequence[SessionChoice], current: str) -> None:
        """Replace the entries and select ``current`` without emitting ``chosen``."""
        self.combo.blockSignals(True)
        try:
            self.combo.clear()
            for choice in choices:
                self.combo.addItem((RUNNING_MARK if choice.running else "") + choice.title, choice.key)
                index = self.combo.count() - 1
                tip = choice.key + (f"\n{choice.preview}" if choice.preview else "")
                self.combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
            self.combo.setCurrentIndex(max(0, self.combo.findData(current)))
        finally:
            self.combo.blockSignals(False)

    def _on_activated(self, index: int) -> None:
        key = self.combo.itemData(index)
        if isinstance(key, str):
            self.chosen.emit(key)
