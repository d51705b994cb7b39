"""Helpers for the chat window tests: wait while both asyncio and Qt make progress,
and read the window's rows back as plain tuples."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from PySide6.QtWidgets import QApplication

from openclaw_desktop.ui.chat.rows import ApprovalRow, NoteRow, TextRow, ToolRow
from openclaw_desktop.ui.chat.window import ChatWindow


async def until(predicate: Callable[[], object], what: str, timeout_s: float = 15.0,
                detail: Callable[[], object] | None = None) -> None:
    """Poll ``predicate`` every 10 ms, pumping Qt events in between; fail after ``timeout_s``
    (the message includes ``detail()`` when given)."""
    deadline = time.monotonic() + timeout_s
    while True:
        QApplication.processEvents()
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}" + (f": {detail()}" if detail else ""))
        await asyncio.sleep(0.01)


def row_tuple(row) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """What a row shows, as the user reads it."""
    if isinstance(row, TextRow):
        return (row.objectName().removesuffix("Row"), row.text)
    if isinstance(row, ToolRow):
        return ("tool", row.name.text(), row.args.text(), row.status.text())
    if isinstance(row, ApprovalRow):
        return ("approval", row.title.text(), row.command.text(), row.outcome.text(),
                "open" if row.open_button.isVisibleTo(row) else "")
    assert isinstance(row, NoteRow)
    return (row.objectName().removesuffix("Row"), row.text)


def rows(window: ChatWindow) -> list[tuple[str, ...]]:
    return [row_tuple(r) for r in window.view.rows]


def kinds(window: ChatWindow) -> list[str]:
    return [t[0] for t in rows(window)]
