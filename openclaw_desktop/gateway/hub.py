"""Who is connected, and broadcasting events to the connections allowed to see them.

Event scope guards follow the reference: unknown event families are delivered to no
one (fail closed); node-role connections only get events addressed to them directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openclaw_desktop.protocol import scopes as S
from openclaw_desktop.protocol.frames import event_frame_parts

from .connection import Connection

# event name -> operator scope required to receive it (None: every authenticated socket)
EVENT_SCOPES: dict[str, str | None] = {
    "tick": None, "health": None, "heartbeat": None, "shutdown": None,
    "presence": S.READ, "config.changed": S.READ, "agent": S.READ, "chat": S.READ,
    "sessions.changed": S.READ, "voicewake.changed": S.READ, "node.presence": S.READ, "node.hostStats": S.READ,
    "exec.approval.requested": S.APPROVALS, "exec.approval.resolved": S.APPROVALS,
    "device.pair.requested": S.PAIRING, "device.pair.resolved": S.PAIRING, "device.pair.changed": S.PAIRING,
    "device.pair.setup.completed": S.PAIRING, "node.pair.requested": S.PAIRING, "node.pair.resolved": S.PAIRING,
    "device.pair.setup.deliveryUncertain": S.PAIRING,
    # Sent only to the connection that called node.invoke (never broadcast).
    "node.invoke.progress": S.WRITE,
}

# Events that reach node-role sockets too (keepalive and shutdown only).
_NODE_EVENTS = frozenset({"tick", "shutdown"})


class Hub:
    """The set of live connections plus the presence/health state versions."""

    def __init__(self) -> None:
        self._conns: dict[str, Connection] = {}
        self.presence_version = 0
        self.health_version = 0

    def add(self, conn: Connection) -> None:
        self._conns[conn.conn_id] = conn

    def remove(self, conn: Connection) -> bool:
        return self._conns.pop(conn.conn_id, None) is not None

    def __iter__(self) -> Iterator[Connection]:
        return iter(list(self._conns.values()))

    def __len__(self) -> int:
        return len(self._conns)

    def authenticated(self) -> list[Connection]:
        return [c for c in self._conns.values() if c.authenticated]

    def by_device(self, device_id: str) -> list[Connection]:
        return [c for c in self._conns.values() if c.authenticated and c.device_id == device_id]

    def state_version(self) -> dict[str, int]:
        return {"presence": self.presence_version, "health": self.health_version}

    @staticmethod
    def may_receive(conn: Connection, event: str) -> bool:
        """Apply the event scope guard for one connection."""
        if not conn.authenticated:
            return False
        if conn.role == S.ROLE_NODE:
            return event in _NODE_EVENTS
        if event not in EVENT_SCOPES:
            return False
        required = EVENT_SCOPES[event]
        return required is None or S.scope_satisfied(required, conn.scopes)

    def broadcast(self, event: str, payload: Any, *, state_version: dict[str, int] | None = None) -> int:
        """Send an event (with per-connection ``seq``) to every allowed connection."""
        head, tail = event_frame_parts(event, payload, state_version)
        sent = 0
        for conn in self._conns.values():
            if self.may_receive(conn, event):
                conn.push_frame(head, tail)
                sent += 1
        return sent
