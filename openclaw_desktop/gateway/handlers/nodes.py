"""Node RPCs: the node side (``node.event``, ``node.invoke.result``, progress) and the
operator side (``node.list``, ``node.describe``, ``node.invoke``, ``node.pair.*``,
``node.rename``), plus the connect/disconnect reconciliation of node surfaces."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from openclaw_desktop.agent.session_keys import normalize_session_key
from openclaw_desktop.errors import ErrorCode, GatewayError, invalid_request
from openclaw_desktop.nodes.policy import (
    ADMIN_ONLY,
    check_invoke,
    platform_id,
    required_approve_scopes,
)
from openclaw_desktop.nodes.relay import NodeRelay, NodeSession, OnProgress
from openclaw_desktop.nodes.surfaces import NodeInfo, Surface, SurfaceStore
from openclaw_desktop.protocol import scopes as S
from openclaw_desktop.protocol.frames import encode_event

from ..connection import Connection
from ..dispatcher import MethodRegistry, require_object, require_str
from ..services import GatewayServices

MAX_PROGRESS_CHUNK_BYTES = 16 * 1024
"""Largest ``node.invoke.progress`` chunk (UTF-8 bytes), as in the reference."""


class NodesFeature:
    """Glue between connections and the node relay/surface store."""

    def __init__(self, svc: GatewayServices, relay: NodeRelay, surfaces: SurfaceStore,
                 command_policy: Callable[[], tuple[list[str], list[str]]]) -> None:
        self.svc, self.relay, self.surfaces = svc, relay, surfaces
        self.command_policy = command_policy  # () -> (allow, deny) from config, read at call time
        self._tasks: set[asyncio.Task[Any]] = set()
        # (text, session key) -> ack; wired to the agent so a phone's voice transcript or
        # deep-link request starts a turn.
        self.agent_request: Callable[[str, str], dict[str, Any]] | None = None

    @staticmethod
    def info_of(conn: Connection) -> NodeInfo:
        c = conn.client
        assert c is not None and conn.device_id is not None
        return NodeInfo(conn.device_id, c.display_name, c.platform, c.device_family, c.version or None, c.id, c.mode,
                        c.model_identifier, conn.remote_ip)

    async def on_connected(self, conn: Connection) -> None:
        """A node finished its handshake: register it and reconcile its declared surface."""
        if conn.role != S.ROLE_NODE or conn.device_id is None:
            return
        now = self.svc.clock_ms()
        info = self.info_of(conn)
        declared = Surface(conn.caps, conn.commands, dict(conn.permissions))

        async def send(event: str, payload: dict[str, Any]) -> None:
            await conn.send_text(encode_event(event, payload))  # node-directed: no seq

        old = self.relay.connect(NodeSession(conn.conn_id, info, declared, platform_id(info.platform,
                                             info.device_family), now, send, conn.path_env))
        if old is not None and old.conn_id != conn.conn_id:
            pass  # the newest socket wins; the old one's invokes keep their own deadlines
        approved = self.surfaces.approved.get(conn.device_id)
        if approved is None and conn.auth_method == "bootstrap-token":
            await self.surfaces.approve_directly(info, declared, now)  # setup-code pairing
        elif approved is None or not approved.surface.covers(declared):
            req, created = await self.surfaces.request(info, declared, now)
            if created:
                self.svc.hub.broadcast("node.pair.requested", req.to_wire())
        else:
            await self.surfaces.touch(conn.device_id, now, connected=True, info=info)
        self.svc.hub.broadcast("node.presence", {"nodeId": conn.device_id, "connected": True, "ts": now})

    def on_disconnected(self, conn: Connection) -> None:
        if conn.role != S.ROLE_NODE or conn.device_id is None:
            return
        if self.relay.disconnect(conn.device_id, conn.conn_id):
            task = asyncio.get_running_loop().create_task(
                self.surfaces.touch(conn.device_id, self.svc.clock_ms(), connected=False))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            self.svc.hub.broadcast("node.presence", {"nodeId": conn.device_id, "connected": False,
                                                     "ts": self.svc.clock_ms()})

    def known_node(self, node_id: str, *, with_pending: bool) -> dict[str, Any] | None:
        live = self.relay.sessions.get(node_id)
        approved = self.surfaces.approved.get(node_id)
        pending = self.surfaces.pending_for(node_id)
        if live is None and approved is None:
            return None
        info = live.info if live else approved.info  # type: ignore[union-attr]
        out: dict[str, Any] = {"nodeId": node_id}
        for key, value in (("displayName", (approved.info.display_name if approved else None) or info.display_name),
                           ("platform", info.platform), ("version", info.version), ("clientId", info.client_id),
                           ("clientMode", info.client_mode), ("deviceFamily", info.device_family),
                           ("modelIdentifier", info.model_identifier), ("remoteIp", info.remote_ip)):
            if value:
                out[key] = value
        allowed = set(approved.surface.commands) if approved else set()
        if live is not None:
            out["caps"] = [c for c in live.declared.caps if approved and c in approved.surface.caps]
            out["commands"] = [c for c in live.declared.commands if c in allowed]
            out["permissions"] = live.declared.permissions
            out["connectedAtMs"] = live.connected_at_ms
            if live.path_env:
                out["pathEnv"] = live.path_env
            if live.host_stats:
                out["hostStats"] = live.host_stats
        else:
            out["caps"], out["commands"] = list(approved.surface.caps), list(approved.surface.commands)  # type: ignore
        if approved is not None:
            out["approvedAtMs"] = approved.approved_at_ms
            if approved.last_connected_at_ms:
                out["lastConnectedAtMs"] = approved.last_connected_at_ms
        out["approvalState"] = ("pending-reapproval" if approved else "pending-approval") if pending \
            else ("approved" if approved else "unapproved")
        if pending and with_pending:
            out["pendingRequestId"] = pending.request_id
        out["paired"] = approved is not None
        out["connected"] = live is not None
        return out

    def list_nodes(self, with_pending: bool) -> list[dict[str, Any]]:
        ids = set(self.relay.sessions) | set(self.surfaces.approved)
        nodes = [n for n in (self.known_node(i, with_pending=with_pending) for i in ids) if n]
        return sorted(nodes, key=lambda n: (not n["connected"], n.get("displayName") or n["nodeId"]))

    async def invoke(self, node_id: str, command: str, params: Any, *, timeout_ms: int | None = None,
                     idempotency_key: str | None = None, session_key: str | None = None,
                     caller_scopes: tuple[str, ...] = (S.ADMIN,),
                     on_progress: OnProgress | None = None) -> dict[str, Any]:
        """Policy check then relay (used by the RPC and by the agent's node tools)."""
        live = self.relay.sessions.get(node_id)
        if live is None:
            raise GatewayError(ErrorCode.UNAVAILABLE, "node not connected", {"code": "NOT_CONNECTED", "nodeId": node_id})
        if command in ADMIN_ONLY and not S.scope_satisfied(S.ADMIN, caller_scopes):
            raise GatewayError(ErrorCode.FORBIDDEN, "missing scope: operator.admin",
                               {"code": "MISSING_SCOPE", "missingScope": S.ADMIN, "requiredScopes": [S.ADMIN]})
        approved = self.surfaces.approved.get(node_id)
        allow, deny = self.command_policy()
        problem = check_invoke(command, platform=live.platform, declared=live.declared.commands,
                               approved=approved.surface.commands if approved else None, allow=allow, deny=deny)
        if problem:
            raise invalid_request(problem)
        return await self.relay.invoke(node_id, command, params, timeout_ms=timeout_ms,
                                       idempotency_key=idempotency_key, session_key=session_key,
                                       on_progress=on_progress)

    def resolve_node(self, ref: str) -> str:
        """A node id from an id, a unique id prefix or a display name."""
        nodes = self.list_nodes(with_pending=False)
        for node in nodes:
            if ref == node["nodeId"]:
                return ref
        matches = [n["nodeId"] for n in nodes if n["nodeId"].startswith(ref) or n.get("displayName") == ref]
        if len(matches) == 1:
            return matches[0]
        raise invalid_request("unknown nodeId" if not matches else f"ambiguous node: {ref}")


def register(reg: MethodRegistry, svc: GatewayServices, feature: NodesFeature) -> None:
    relay, surfaces = feature.relay, feature.surfaces

    async def node_event(conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("node.event", params)
        event = require_str("node.event", p, "event", max_len=256)
        payload = p.get("payload")
        if isinstance(p.get("payloadJSON"), str):
            try:
                payload = json.loads(p["payloadJSON"])
            except ValueError:
                raise invalid_request("invalid node.event params: payloadJSON is not JSON") from None
        if event == "node.host.stats" and isinstance(payload, dict) and conn.device_id in relay.sessions:
            stats = {**payload, "updatedAtMs": svc.clock_ms()}
            relay.sessions[conn.device_id].host_stats = stats
            svc.hub.broadcast("node.hostStats", {"nodeId": conn.device_id, "hostStats": stats})
            return {"ok": True, "event": event, "handled": True}
        if event in ("voice.transcript", "agent.request") and isinstance(payload, dict) and feature.agent_request:
            text = payload.get("text") if event == "voice.transcript" else payload.get("message")
            if not isinstance(text, str) or not text.strip() or len(text) > 20_000:
                raise invalid_request(f"invalid node.event params: {event} needs text (1..20000 characters)")
            key = normalize_session_key(payload.get("sessionKey") if isinstance(payload.get("sessionKey"), str)
                                        else None)
            ack = feature.agent_request(text.strip(), key)
            return {"ok": True, "event": event, "handled": True, "runId": ack.get("runId")}
        return {"ok": True, "event": event, "handled": False}

    async def invoke_result(conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("node.invoke.result", params)
        require_str("node.invoke.result", p, "id")
        if p.get("nodeId") not in (None, conn.device_id):
            raise invalid_request("nodeId mismatch")
        handled = relay.result(conn.device_id or "", p)
        return {"ok": True} if handled else {"ok": True, "ignored": True}

    async def invoke_progress(conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("node.invoke.progress", params)
        invoke_id = require_str("node.invoke.progress", p, "invokeId")
        node_id = require_str("node.invoke.progress", p, "nodeId")
        seq, chunk = p.get("seq"), p.get("chunk")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
            raise invalid_request("invalid node.invoke.progress params: seq must be an integer >= 0")
        if not isinstance(chunk, str):
            raise invalid_request("invalid node.invoke.progress params: chunk must be a string")
        if node_id != conn.device_id:
            raise invalid_request("nodeId mismatch")
        if len(chunk.encode("utf-8")) > MAX_PROGRESS_CHUNK_BYTES:
            raise invalid_request("progress chunk too large")
        handled = relay.progress(node_id, invoke_id, seq, chunk)
        return {"ok": True} if handled else {"ok": True, "ignored": True}

    async def node_list(conn: Connection, _params: Any) -> dict[str, Any]:
        return {"ts": svc.clock_ms(), "nodes": feature.list_nodes(S.scope_satisfied(S.PAIRING, conn.scopes))}

    async def node_describe(conn: Connection, params: Any) -> dict[str, Any]:
        node_id = require_str("node.describe", require_object("node.describe", params), "nodeId")
        node = feature.known_node(node_id, with_pending=S.scope_satisfied(S.PAIRING, conn.scopes))
        if node is None:
            raise invalid_request("unknown nodeId")
        return {"ts": svc.clock_ms(), **node}

    async def node_invoke(conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("node.invoke", params)
        node_id = feature.resolve_node(require_str("node.invoke", p, "nodeId"))
        command = require_str("node.invoke", p, "command", max_len=256)
        require_str("node.invoke", p, "idempotencyKey")
        timeout = p.get("timeoutMs")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0):
            raise invalid_request("invalid node.invoke params: timeoutMs must be an integer >= 0")
        key = p["idempotencyKey"]

        def relay_progress(chunk: dict[str, Any]) -> None:
            # Only the calling connection hears its invoke's output (a direct push, not
            # a broadcast); the idempotency key lets it match chunks to its call.
            conn.push_event("node.invoke.progress", {**chunk, "idempotencyKey": key})

        return await feature.invoke(node_id, command, p.get("params"), timeout_ms=timeout,
                                    idempotency_key=key,
                                    session_key=p.get("sessionKey") if isinstance(p.get("sessionKey"), str) else None,
                                    caller_scopes=conn.scopes, on_progress=relay_progress)

    async def pair_list(_conn: Connection, _params: Any) -> dict[str, Any]:
        return {"pending": [r.to_wire() for r in sorted(surfaces.pending.values(), key=lambda r: r.ts)],
                "paired": [a.to_wire() for a in surfaces.approved.values()]}

    async def pair_approve(conn: Connection, params: Any) -> dict[str, Any]:
        request_id = require_str("node.pair.approve", require_object("node.pair.approve", params), "requestId")
        req = surfaces.pending.get(request_id)
        if req is None:
            raise invalid_request("unknown requestId")
        for scope in required_approve_scopes(req.surface.commands):
            if not S.scope_satisfied(scope, conn.scopes):
                raise GatewayError(ErrorCode.FORBIDDEN, f"missing scope: {scope}",
                                   {"code": "MISSING_SCOPE", "missingScope": scope,
                                    "requiredScopes": required_approve_scopes(req.surface.commands)})
        now = svc.clock_ms()
        approved = await surfaces.approve(request_id, now)
        resolved = {"requestId": request_id, "nodeId": approved.info.node_id, "decision": "approved", "ts": now}
        svc.hub.broadcast("node.pair.resolved", resolved)
        live = relay.sessions.get(approved.info.node_id)
        if live is not None:
            await live.send("node.pair.resolved", resolved)
        return {"requestId": request_id, "node": approved.to_wire()}

    async def pair_reject(_conn: Connection, params: Any) -> dict[str, Any]:
        request_id = require_str("node.pair.reject", require_object("node.pair.reject", params), "requestId")
        req = await surfaces.reject(request_id)
        svc.hub.broadcast("node.pair.resolved", {"requestId": request_id, "nodeId": req.info.node_id,
                                                 "decision": "rejected", "ts": svc.clock_ms()})
        return req.to_wire()

    async def pair_remove(_conn: Connection, params: Any) -> dict[str, Any]:
        node_id = require_str("node.pair.remove", require_object("node.pair.remove", params), "nodeId")
        if not await surfaces.remove(node_id):
            raise invalid_request("unknown nodeId")
        for c in svc.hub.by_device(node_id):
            if c.role == S.ROLE_NODE:
                c.spawn(c.ws.close(4001, "client invalidated: node removed"))
        return {"nodeId": node_id}

    async def rename(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("node.rename", params)
        node_id = feature.resolve_node(require_str("node.rename", p, "nodeId"))
        name = require_str("node.rename", p, "displayName", max_len=64).strip()
        return (await surfaces.rename(node_id, name, svc.clock_ms())).to_wire()

    reg.add("node.event", S.NODE_ONLY, node_event)
    reg.add("node.invoke.result", S.NODE_ONLY, invoke_result)
    reg.add("node.invoke.progress", S.NODE_ONLY, invoke_progress)
    reg.add("node.list", S.READ, node_list)
    reg.add("node.describe", S.READ, node_describe)
    reg.add("node.invoke", S.WRITE, node_invoke)
    reg.add("node.pair.list", S.PAIRING, pair_list)
    reg.add("node.pair.approve", S.PAIRING, pair_approve)
    reg.add("node.pair.reject", S.PAIRING, pair_reject)
    reg.add("node.pair.remove", S.PAIRING, pair_remove)
    reg.add("node.rename", S.PAIRING, rename)
