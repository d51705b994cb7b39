"""Presence: the gateway itself plus every authenticated connection."""

from __future__ import annotations

import os
import platform
from typing import Any

from .services import GatewayServices


def self_entry(svc: GatewayServices) -> dict[str, Any]:
    return {"ts": svc.started_ms, "host": svc.host_name, "version": svc.version, "platform": platform.system().lower(),
            "mode": "gateway", "reason": "self", "roles": ["gateway"], "onlineSince": svc.started_ms,
            "instanceId": svc.boot_id, "text": f"gateway pid {os.getpid()}"}


def presence_list(svc: GatewayServices) -> list[dict[str, Any]]:
    return [self_entry(svc)] + [c.presence_entry() for c in svc.hub.authenticated()]


def broadcast_presence(svc: GatewayServices) -> None:
    """Bump the presence version and send the whole list to ``operator.read`` sockets."""
    svc.hub.presence_version += 1
    svc.hub.broadcast("presence", {"presence": presence_list(svc)}, state_version=svc.hub.state_version())
