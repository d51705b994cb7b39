"""Presence: the gateway itself plus every authenticated connection."""

from __future__ import annotations

import asyncio
import os
import platform
from typing import Any

from .services import GatewayServices


def self_entry(svc: GatewayServices) -> dict[str, Any]:
    return {"ts": svc.started_ms, "host": svc.host_name, "version": svc.version, "platform": platform.system().lower(),
            "mode": "gateway", "reason": "self", "roles": ["gateway"], "onlineSince": svc.started_ms,
            "instanceId": svc.boot_id, "text": f"gateway pid {os.getpid()}"}


def presence_list(svc: GatewayServices) -> list[dict[str, Any]]:
    return [self_entry(svc)] + [c.presence_entry() for c in svc.hub.authenticated() if c.in_presence]


class PresenceBroadcaster:
    """Coalesces presence changes: at most one ``presence`` event per ``window_s``.

    A burst of N connects would otherwise send N full lists to N sockets (quadratic);
    coalescing sends the latest list once per window, and nothing is ever lost because
    each event carries the complete list.
    """

    def __init__(self, svc: GatewayServices, window_s: float = 0.1) -> None:
        self.svc = svc
        self.window_s = window_s
        self._scheduled: asyncio.TimerHandle | None = None

    def changed(self) -> None:
        self.svc.hub.presence_version += 1
        if self._scheduled is None:
            self._scheduled = asyncio.get_running_loop().call_later(self.window_s, self._flush)

    def _flush(self) -> None:
        self._scheduled = None
        self.svc.hub.broadcast("presence", {"presence": presence_list(self.svc)},
                               state_version=self.svc.hub.state_version())

    def close(self) -> None:
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
