"""``system.notify`` for the desktop node running inside the tray app: a tray notification.

Implements the node's ``Notifier`` port (``openclaw_desktop/nodes/desktop/ports.py``).
The message goes to a :class:`MessageSink` (the tray icon, or the main window where the
desktop has no tray); if the sink cannot show it, the headless ``LogNotifier`` records
it, so a notification is never lost silently. Qt only through the sink.
"""

from __future__ import annotations

from typing import Protocol

from openclaw_desktop.nodes.desktop.headless import LogNotifier

# How long a bubble stays up, by the reference's priorities (ms).
TIMEOUT_MS = {"passive": 5_000, "active": 10_000, "timeSensitive": 20_000}


class MessageSink(Protocol):
    """Something that can show a short message to the user."""

    def show_message(self, title: str, body: str, *, warning: bool, timeout_ms: int) -> str | None:
        """Show it; return how (``"tray"``, ``"window"``), or None when it could not."""
        ...


class TrayNotifier:
    """The node's ``Notifier`` over a :class:`MessageSink`, falling back to the log."""

    def __init__(self, sink: MessageSink, fallback: LogNotifier | None = None) -> None:
        self.sink = sink
        self.fallback = fallback or LogNotifier()
        self.sent: int = 0

    async def notify(self, title: str, body: str, priority: str) -> str:
        """Show ``title``/``body``; ``timeSensitive`` gets the warning icon and stays longer."""
        delivered = self.sink.show_message(title or "OpenClaw", body, warning=priority == "timeSensitive",
                                           timeout_ms=TIMEOUT_MS.get(priority, TIMEOUT_MS["active"]))
        if delivered is None:
            return await self.fallback.notify(title, body, priority)
        self.sent += 1
        return delivered
