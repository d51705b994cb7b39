"""``sessions.list`` / ``reset`` / ``delete`` / ``patch`` and ``sessions.subscribe``."""

from __future__ import annotations

from typing import Any

from openclaw_desktop.agent.service import AgentService
from openclaw_desktop.agent.session_keys import normalize_session_key
from openclaw_desktop.errors import invalid_request
from openclaw_desktop.protocol import scopes as S

from ..connection import Connection
from ..dispatcher import MethodRegistry, require_object
from ..services import GatewayServices


def register(reg: MethodRegistry, svc: GatewayServices, agent: AgentService) -> None:
    def list_payload(p: dict[str, Any]) -> dict[str, Any]:
        limit = p.get("limit", 100)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise invalid_request("invalid sessions.list params: limit must be a positive integer")
        limit = min(limit, 200)
        offset = p.get("offset", 0) if isinstance(p.get("offset"), int) else 0
        agent_id = p.get("agentId") if isinstance(p.get("agentId"), str) else None
        rows = agent.store.list(agent_id)
        if isinstance(p.get("label"), str):
            rows = [r for r in rows if r.label == p["label"]]
        page = rows[offset:offset + limit]
        more = offset + limit < len(rows)
        return {"ts": svc.clock_ms(), "path": str(agent.store.agents_dir), "count": len(page),
                "totalCount": len(rows), "limitApplied": limit, "offset": offset,
                "nextOffset": offset + limit if more else None, "hasMore": more,
                "defaults": {"modelProvider": "anthropic", "model": agent.default_model},
                "sessions": [r.to_row(agent.active_runs(r.key), agent.default_model) for r in page]}

    async def sessions_list(_conn: Connection, params: Any) -> dict[str, Any]:
        return list_payload(require_object("sessions.list", params))

    async def sessions_subscribe(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("sessions.subscribe", params)
        # Every operator.read socket already receives sessions.changed; subscribing is a no-op.
        return {"subscribed": True, **({"list": list_payload(p)} if p else {})}

    def key_of(method: str, p: dict[str, Any]) -> str:
        if not isinstance(p.get("key"), str):
            raise invalid_request(f"invalid {method} params: key must be a string")
        return normalize_session_key(p["key"])

    async def sessions_reset(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("sessions.reset", params)
        key = key_of("sessions.reset", p)
        agent.abort(key)
        entry, transcript, _ = agent.store.open(key, svc.clock_ms(), str(agent.workspace))
        transcript.append_reset(svc.clock_ms())
        svc.hub.broadcast("sessions.changed", {"sessionKey": key, "reason": "reset"})
        return {"ok": True, "key": key, "sessionId": entry.session_id, "reason": p.get("reason", "reset")}

    async def sessions_delete(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("sessions.delete", params)
        key = key_of("sessions.delete", p)
        agent.abort(key)
        entry = agent.store.delete(key, delete_transcript=p.get("deleteTranscript", True) is not False)
        svc.hub.broadcast("sessions.changed", {"sessionKey": key, "reason": "delete"})
        return {"ok": True, "key": key, "deleted": entry is not None}

    async def sessions_patch(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("sessions.patch", params)
        key = key_of("sessions.patch", p)
        changes: dict[str, Any] = {}
        for field, attr, max_len in (("label", "label", 64), ("model", "model", 128)):
            if field in p:
                value = p[field]
                if value is not None and (not isinstance(value, str) or not 0 < len(value.strip()) <= max_len):
                    raise invalid_request(f"invalid sessions.patch params: {field} must be 1..{max_len} characters")
                changes[attr] = value.strip().removeprefix("anthropic/") if isinstance(value, str) else None
        agent.store.open(key, svc.clock_ms(), str(agent.workspace))
        entry = agent.store.update(key, **changes)
        svc.hub.broadcast("sessions.changed", {"sessionKey": key, "reason": "patch"})
        return {"ok": True, "key": key, **entry.to_row(agent.active_runs(key), agent.default_model)}

    reg.add("sessions.list", S.READ, sessions_list)
    reg.add("sessions.subscribe", S.READ, sessions_subscribe)
    reg.add("sessions.reset", S.WRITE, sessions_reset)
    reg.add("sessions.delete", S.WRITE, sessions_delete)
    reg.add("sessions.patch", S.WRITE, sessions_patch)
