"""Chat and agent RPCs: ``chat.send``, ``chat.history``, ``chat.abort``, ``agent``,
``agent.wait`` (reference §7.2–7.6). Replies stream as ``chat``/``agent`` events."""

from __future__ import annotations

from typing import Any

from openclaw_desktop.agent.messages import text_of
from openclaw_desktop.agent.service import AgentService
from openclaw_desktop.agent.session_keys import normalize_session_key
from openclaw_desktop.errors import invalid_request
from openclaw_desktop.protocol import scopes as S

from ..connection import Connection
from ..dispatcher import MethodRegistry, require_object, require_str, send_interim
from ..services import GatewayServices

HISTORY_BUDGET_BYTES = 6 * 1024 * 1024


def _key(p: dict[str, Any], field: str = "sessionKey") -> str:
    return normalize_session_key(p.get(field))


def register(reg: MethodRegistry, svc: GatewayServices, agent: AgentService) -> None:
    async def chat_send(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("chat.send", params)
        key = _key(p)
        run_id = require_str("chat.send", p, "idempotencyKey", max_len=256)
        if not isinstance(p.get("message"), str):
            raise invalid_request("invalid chat.send params: message must be a string")
        return agent.send(key, p["message"], run_id)

    async def chat_history(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("chat.history", params)
        key = _key(p)
        limit = p.get("limit", 200)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise invalid_request("invalid chat.history params: limit must be 1..1000")
        entry = agent.store.get(key)
        messages: list[dict[str, Any]] = []
        if entry is not None:
            _, _, loaded = agent.store.open(key, svc.clock_ms(), str(agent.workspace))
            messages = loaded.messages[-limit:]
        total = len(messages)
        # Keep the newest messages within the response budget.
        size, kept = 0, []
        for m in reversed(messages):
            size += len(text_of(m)) + 200
            if size > HISTORY_BUDGET_BYTES:
                break
            kept.append(m)
        kept.reverse()
        return {"sessionKey": key, "sessionId": entry.session_id if entry else None, "messages": kept,
                "pendingInputs": [], "hasMore": len(kept) < total, "totalMessages": total,
                "defaults": {"modelProvider": "anthropic", "model": agent.default_model},
                "sessionInfo": entry.to_row(agent.active_runs(key), agent.default_model) if entry else None,
                "thinkingLevel": "off", "fastMode": False, "verboseLevel": "off"}

    async def chat_abort(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("chat.abort", params)
        run_id = p.get("runId") if isinstance(p.get("runId"), str) else None
        ids = agent.abort(_key(p), run_id)
        return {"ok": True, "aborted": bool(ids), "runIds": ids}

    async def agent_method(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("agent", params)
        run_id = require_str("agent", p, "idempotencyKey", max_len=256)
        if not isinstance(p.get("message"), str):
            raise invalid_request("invalid agent params: message must be a string")
        agent_id = p.get("agentId") if isinstance(p.get("agentId"), str) else "main"
        key = normalize_session_key(p.get("sessionKey") or f"agent:{agent_id}:main")
        ack = agent.send(key, p["message"], run_id)
        await send_interim(_conn, {"runId": run_id, "sessionKey": key, "agentId": agent_id, "status": "accepted",
                                   "acceptedAt": svc.clock_ms()})
        timeout = p.get("timeout")
        record = await agent.wait(ack["runId"], float(timeout) if isinstance(timeout, (int, float)) else None)
        result = record.result
        if result is None:
            return {"runId": run_id, "status": "timeout", "summary": "the run is still going"}
        payloads = [{"text": result.text}] if result.text else []
        return {"runId": run_id, "status": "ok" if result.status == "ok" else "error",
                "summary": result.text if result.status == "ok" else (result.error_message or result.status),
                "result": {"payloads": payloads, "meta": {"stopReason": result.stop_reason, "usage": result.usage,
                                                          "durationMs": (record.ended_at or 0) - record.started_at}}}

    async def agent_wait(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("agent.wait", params)
        timeout_ms = p.get("timeoutMs")
        record = await agent.wait(require_str("agent.wait", p, "runId"),
                                  timeout_ms / 1000 if isinstance(timeout_ms, int) else None)
        if record.result is None:
            return {"status": "timeout", "startedAt": record.started_at}
        out = {"status": "ok" if record.result.status == "ok" else "error", "startedAt": record.started_at,
               "endedAt": record.ended_at}
        if record.result.error_message:
            out["error"] = record.result.error_message
        return out

    reg.add("chat.send", S.WRITE, chat_send)
    reg.add("chat.history", S.READ, chat_history)
    reg.add("chat.abort", S.WRITE, chat_abort)
    reg.add("agent", S.WRITE, agent_method)
    reg.add("agent.wait", S.WRITE, agent_wait)
