"""The message box: Enter sends, Shift+Enter starts a new line.

``Composer`` is a plain-text editor that emits ``submitted(text)`` on Enter (Return,
the keypad's Enter, or Ctrl+Enter) and inserts a newline on Shift+Enter (a real
``\n``, not Qt's soft line separator). Input-method composition never reaches
``keyPressEvent``, so committing a composed word with Enter does not send. Whether sending is
allowed is decided by the window (``send_enabled``); a refused Enter keeps the text.
Qt lives here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class Composer(QPlainTextEdit):
    """Multi-line input; see the module docstring for the keys."""

    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.setPlaceholderText("Message the assistant — Enter sends, Shift+Enter for a new line, Esc stops")
        self.setTabChangesFocus(True)  # keyboard users can Tab to the buttons
        self.send_enabled = True
        # About three lines tall; long messages scroll inside.
        self.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 16)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt's name
        if event.key() in _ENTER_KEYS:
            mods = event.modifiers()
            if mods & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")  # a real newline, not Qt's soft line separator
                event.accept()
                return
            if not mods & Qt.KeyboardModifier.AltModifier:  # Enter, keypad Enter, Ctrl+Enter
                event.accept()
                text = self.toPlainText()
                if self.send_enabled and text.strip():
                    self.submitted.emit(text)
                return
        super().keyPressEvent(event)
