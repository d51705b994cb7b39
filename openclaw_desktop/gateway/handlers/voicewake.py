"""``voicewake.get`` / ``voicewake.set`` and the ``voicewake.changed`` fan-out (operators
with read, and every connected node directly)."""

from __future__ import annotations

from typing import Any

from openclaw_desktop.nodes.relay import NodeRelay
from openclaw_desktop.protocol import scopes as S
from openclaw_desktop.voice.triggers import TriggerStore

from ..connection import Connection
from ..dispatcher import MethodRegistry, require_object
from ..services import GatewayServices


def register(reg: MethodRegistry, svc: GatewayServices, store: TriggerStore, relay: NodeRelay) -> None:
    async def get(_conn: Connection, _params: Any) -> dict[str, Any]:
        return {"triggers": list(store.triggers)}

    async def set_(_conn: Connection, params: Any) -> dict[str, Any]:
        triggers = await store.set(require_object("voicewake.set", params).get("triggers"), svc.clock_ms())
        payload = {"triggers": triggers}
        svc.hub.broadcast("voicewake.changed", payload)
        for session in list(relay.sessions.values()):
            await session.send("voicewake.changed", payload)
        return payload

    async def snapshot_for_node(conn: Connection) -> None:
        if conn.role == S.ROLE_NODE and conn.device_id in relay.sessions:
            await relay.sessions[conn.device_id].send("voicewake.changed", {"triggers": list(store.triggers)})

    reg.add("voicewake.get", S.READ, get)
    reg.add("voicewake.set", S.WRITE, set_)
    svc.ready_hooks.append(snapshot_for_node)
