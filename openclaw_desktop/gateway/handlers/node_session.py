"""What a connected node may call in this release: ``node.event``.

The node registry, capability approval and invoke relay arrive with the nodes issue;
until then node events are acknowledged (``handled:false``) so official node hosts stay
connected, and the host-stats event is kept for ``status``.
"""

from __future__ import annotations

from typing import Any

from openclaw_desktop.protocol import scopes as S

from ..connection import Connection
from ..dispatcher import MethodRegistry, require_object, require_str
from ..services import GatewayServices


def register(reg: MethodRegistry, _svc: GatewayServices) -> None:
    async def node_event(_conn: Connection, params: Any) -> dict[str, Any]:
        event = require_str("node.event", require_object("node.event", params), "event", max_len=256)
        return {"ok": True, "event": event, "handled": False}

    reg.add("node.event", S.NODE_ONLY, node_event)
