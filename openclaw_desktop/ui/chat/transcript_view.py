"""The scrolling list of transcript rows, updated from the view-model's change notes.

``apply(items, changes)`` touches only the rows named in the changes: a streaming
delta appends to one row, a tool result re-renders one row, and only a history load
(``Reset``) rebuilds the list. The view follows new rows while the user is at the
bottom and stays put when they have scrolled up to read. Qt lives here.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from openclaw_desktop.chat_view.items import (
    Change,
    Inserted,
    Item,
    Reset,
    TextAppended,
    Updated,
)

from .rows import ApprovalRow, Row, TextRow, make_row

# Within this many pixels of the end counts as "at the bottom" (follow new output).
_BOTTOM_SLACK_PX = 24


class TranscriptView(QScrollArea):
    """Rows in a vertical list; emits ``open_approval(id)`` from approval rows."""

    open_approval = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcript")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        body = QWidget()
        body.setObjectName("transcriptBody")
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(6, 6, 6, 6)
        self._layout.setSpacing(6)
        self._layout.addStretch(1)  # rows sit at the top; the stretch stays last
        self.setWidget(body)
        self.rows: list[Row] = []
        self._follow = True
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range_changed)
        bar.valueChanged.connect(self._on_scrolled)

    def apply(self, items: Sequence[Item], changes: Sequence[Change]) -> None:
        """Bring the rows in line with ``items`` using ``changes``."""
        for change in changes:
            if isinstance(change, Reset) or (isinstance(change, Inserted) and change.index != len(self.rows)):
                self._rebuild(items)  # a gap means we missed a note: rebuild rather than guess
            elif isinstance(change, Inserted):
                self._add(items[change.index])
            elif isinstance(change, TextAppended):
                row = self.rows[change.index]
                assert isinstance(row, TextRow)
                row.append_text(change.text)  # the streaming state did not change: nothing else to do
            elif isinstance(change, Updated):
                self.rows[change.index].render_item(items[change.index])

    def clear(self) -> None:
        """Remove every row."""
        for row in self.rows:
            self._layout.removeWidget(row)
            row.deleteLater()
        self.rows = []
        self._follow = True

    # ---- internals ------------------------------------------------------------------
    def _rebuild(self, items: Sequence[Item]) -> None:
        self.clear()
        for item in items:
            self._add(item)

    def _add(self, item: Item) -> None:
        row = make_row(item)
        if isinstance(row, ApprovalRow):
            row.open_requested.connect(self.open_approval)
        self._layout.insertWidget(self._layout.count() - 1, row)
        self.rows.append(row)

    def _on_scrolled(self, value: int) -> None:
        self._follow = value >= self.verticalScrollBar().maximum() - _BOTTOM_SLACK_PX

    def _on_range_changed(self, _low: int, high: int) -> None:
        if self._follow:
            self.verticalScrollBar().setValue(high)
