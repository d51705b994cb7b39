"""Exec approval RPCs: ``exec.approval.*`` (operator.approvals) over the broker, and
``exec.approvals.get|set`` (admin) over the approvals document."""

from __future__ import annotations

from typing import Any

from openclaw_desktop.approvals.broker import (
    ApprovalBroker,
    ApprovalRequest,
    GrantChoice,
)
from openclaw_desktop.approvals.document_store import ApprovalsDocumentStore
from openclaw_desktop.approvals.exec_service import ExecService
from openclaw_desktop.errors import invalid_request
from openclaw_desktop.protocol import scopes as S

from ..connection import Connection
from ..dispatcher import MethodRegistry, require_object, require_str, send_interim
from ..services import GatewayServices

MAX_COMMAND_CHARS = 20_000


def resolver_name(conn: Connection) -> str:
    """Who answered, as shown to other resolvers ("Peter's iPhone", "cli", …)."""
    client = conn.client
    if client is None:
        return conn.conn_id
    return client.display_name or client.id


def _str_list(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid_request("invalid exec.approval.request params: commandArgv must be an array of strings")
    return tuple(value)


def register(reg: MethodRegistry, svc: GatewayServices, broker: ApprovalBroker,
             documents: ApprovalsDocumentStore, exec_service: ExecService) -> None:
    async def request(conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("exec.approval.request", params)
        command = p.get("command")
        if not isinstance(command, str) or not command.strip():
            raise invalid_request("command is required")
        if len(command) > MAX_COMMAND_CHARS:
            raise invalid_request("command exceeds exec approval display limit",
                                  {"reason": "EXEC_APPROVAL_COMMAND_DISPLAY_LIMIT"})
        timeout = p.get("timeoutMs")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1):
            raise invalid_request("invalid exec.approval.request params: timeoutMs must be a positive integer")
        approval_id = p.get("id")
        if approval_id is not None and (not isinstance(approval_id, str) or not 1 <= len(approval_id) <= 128
                                        or approval_id.startswith("plugin:")):
            raise invalid_request("invalid exec.approval.request params: id")
        unavailable = p.get("unavailableDecisions") or []
        req = ApprovalRequest(
            command=command, argv=_str_list(p.get("commandArgv")), cwd=p.get("cwd") if isinstance(p.get("cwd"), str) else None,
            agent_id=p.get("agentId") if isinstance(p.get("agentId"), str) else "main",
            session_key=p.get("sessionKey") if isinstance(p.get("sessionKey"), str) else None,
            resolved_path=p.get("resolvedPath") if isinstance(p.get("resolvedPath"), str) else None,
            reasons=(p["warningText"],) if isinstance(p.get("warningText"), str) else (),
            security=p.get("security") if isinstance(p.get("security"), str) else None,
            ask=p.get("ask") if isinstance(p.get("ask"), str) else None,
            allow_always="allow-always" not in unavailable and p.get("ask") != "always",
            run_id=p.get("runId") if isinstance(p.get("runId"), str) else None,
        )
        pending = broker.submit(req, timeout_ms=timeout, approval_id=approval_id, owner=conn.conn_id)
        if p.get("twoPhase") is True:
            await send_interim(conn, {"status": "accepted", "id": pending.id, "deliveryRoute": "approval-client",
                                      "createdAtMs": pending.created_at_ms, "expiresAtMs": pending.expires_at_ms})
        resolution = await pending.future
        return {"id": pending.id, "decision": resolution.decision, "reason": resolution.reason,
                "resolvedBy": resolution.resolved_by, "createdAtMs": pending.created_at_ms,
                "expiresAtMs": pending.expires_at_ms}

    async def resolve(conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("exec.approval.resolve", params)
        approval_id = require_str("exec.approval.resolve", p, "id", max_len=256)
        decision = require_str("exec.approval.resolve", p, "decision", max_len=32)
        pending = broker.resolve(approval_id, decision, resolver_name(conn), GrantChoice.parse(p.get("grant")))
        return {"ok": True, "id": pending.id, "decision": decision}

    async def list_pending(_conn: Connection, _params: Any) -> list[dict[str, Any]]:
        return [p.to_wire() for p in broker.list()]

    async def get(_conn: Connection, params: Any) -> dict[str, Any]:
        pending = broker.lookup(require_str("exec.approval.get", require_object("exec.approval.get", params), "id"))
        r = pending.request
        return {"id": pending.id, "commandText": r.command, "commandPreview": None,
                "allowedDecisions": r.allowed_decisions(), "host": r.host, "nodeId": None, "agentId": r.agent_id,
                "cwd": r.cwd, "reasons": list(r.reasons), "expiresAtMs": pending.expires_at_ms}

    async def wait_decision(_conn: Connection, params: Any) -> dict[str, Any] | None:
        p = require_object("exec.approval.waitDecision", params)
        pending = broker.lookup(require_str("exec.approval.waitDecision", p, "id"))
        resolution = await pending.future
        return {"id": pending.id, "decision": resolution.decision, "reason": resolution.reason}

    async def doc_get(_conn: Connection, _params: Any) -> dict[str, Any]:
        return documents.view()

    async def doc_set(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("exec.approvals.set", params)
        base = p.get("baseHash")
        return documents.save(p.get("file"), base if isinstance(base, str) else None)

    async def grants_list(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("exec.approval.grants.list", params)
        limit = p.get("limit", 500)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 500:
            raise invalid_request("invalid exec.approval.grants.list params: limit must be 1..500")
        return {"grants": exec_service.list_grants()[:limit]}

    async def grants_revoke(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("exec.approval.grants.revoke", params)
        grant_id = require_str("exec.approval.grants.revoke", p, "grantId")
        return {"grantId": grant_id, "outcome": "revoked" if exec_service.revoke_grant(grant_id) else "not-found"}

    reg.add("exec.approval.request", S.APPROVALS, request)
    reg.add("exec.approval.grants.list", S.APPROVALS, grants_list)
    reg.add("exec.approval.grants.revoke", S.APPROVALS, grants_revoke)
    reg.add("exec.approval.resolve", S.APPROVALS, resolve)
    reg.add("exec.approval.list", S.APPROVALS, list_pending)
    reg.add("exec.approval.get", S.APPROVALS, get)
    reg.add("exec.approval.waitDecision", S.APPROVALS, wait_decision)
    reg.add("exec.approvals.get", S.ADMIN, doc_get)
    reg.add("exec.approvals.set", S.ADMIN, doc_set)
