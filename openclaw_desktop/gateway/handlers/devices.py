"""Device pairing RPCs: ``device.pair.*`` and ``device.token.*`` (scope operator.pairing).

Callers that proved the shared secret act as the owner. A caller authenticated only by
its own device token and lacking ``operator.admin`` may approve operator-role requests
within its own scopes, and manage only its own device's operator token.
"""

from __future__ import annotations

from typing import Any

from openclaw_desktop.errors import invalid_request
from openclaw_desktop.protocol import scopes as S
from openclaw_desktop.protocol.constants import CLOSE_AUTH_CHANGED

from ..connection import Connection
from ..dispatcher import MethodRegistry, require_object, require_str
from ..services import GatewayServices


def _is_owner(conn: Connection) -> bool:
    return conn.auth_method != "device-token" or S.scope_satisfied(S.ADMIN, conn.scopes)


def register(reg: MethodRegistry, svc: GatewayServices) -> None:
    def connected_ids() -> set[str]:
        return {c.device_id for c in svc.hub.authenticated() if c.device_id}

    def disconnect(device_id: str, reason: str, role: str | None = None) -> None:
        for conn in svc.hub.by_device(device_id):
            if role is None or conn.role == role:
                conn.spawn(conn.ws.close(CLOSE_AUTH_CHANGED, f"client invalidated: {reason}"))

    async def pair_list(conn: Connection, _params: Any) -> dict[str, Any]:
        live = connected_ids()
        pending = svc.pairing.pending(svc.clock_ms())
        paired = svc.pairing.all_paired()
        if not _is_owner(conn):
            pending = [r for r in pending if r.device_id == conn.device_id]
            paired = [d for d in paired if d.device_id == conn.device_id]
        return {"pending": [r.to_wire() for r in pending],
                "paired": [d.to_wire(d.device_id in live) for d in paired]}

    async def pair_approve(conn: Connection, params: Any) -> dict[str, Any]:
        request_id = require_str("device.pair.approve", require_object("device.pair.approve", params), "requestId")
        now = svc.clock_ms()
        if not _is_owner(conn):
            req = next((r for r in svc.pairing.pending(now) if r.request_id == request_id), None)
            if req is None:
                raise invalid_request("unknown requestId")
            if set(req.roles) != {S.ROLE_OPERATOR} or not S.scopes_cover(req.scopes, conn.scopes):
                raise invalid_request("device pairing approval denied")
        req, dev = await svc.pairing.approve(request_id, now, "owner")
        svc.hub.broadcast("device.pair.resolved", {"requestId": request_id, "deviceId": dev.device_id,
                                                   "decision": "approved", "ts": now})
        svc.hub.broadcast("device.pair.changed", {})
        return {"requestId": request_id, "device": dev.to_wire(dev.device_id in connected_ids())}

    async def pair_reject(_conn: Connection, params: Any) -> dict[str, Any]:
        request_id = require_str("device.pair.reject", require_object("device.pair.reject", params), "requestId")
        now = svc.clock_ms()
        req = await svc.pairing.reject(request_id, now)
        svc.hub.broadcast("device.pair.resolved", {"requestId": request_id, "deviceId": req.device_id,
                                                   "decision": "rejected", "ts": now})
        return req.to_wire()

    async def pair_remove(conn: Connection, params: Any) -> dict[str, Any]:
        device_id = require_str("device.pair.remove", require_object("device.pair.remove", params), "deviceId")
        if not _is_owner(conn) and device_id != conn.device_id:
            raise invalid_request("device pairing removal denied")
        dev = await svc.pairing.remove(device_id)
        disconnect(device_id, "device removed")
        svc.hub.broadcast("device.pair.changed", {})
        return {"deviceId": dev.device_id, "removed": True, "roles": list(dev.roles)}

    async def pair_rename(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("device.pair.rename", params)
        device_id = require_str("device.pair.rename", p, "deviceId")
        label = require_str("device.pair.rename", p, "label", max_len=64).strip()
        await svc.pairing.rename(device_id, label)
        svc.hub.broadcast("device.pair.changed", {})
        return {"deviceId": device_id, "label": label}

    def token_target(method: str, conn: Connection, p: dict[str, Any]) -> tuple[str, str]:
        device_id = require_str(method, p, "deviceId")
        role = require_str(method, p, "role")
        if role not in S.ROLES:
            raise invalid_request(f"invalid {method} params: role must be operator or node")
        if not _is_owner(conn) and (device_id != conn.device_id or role != S.ROLE_OPERATOR):
            raise invalid_request("device token management denied")
        return device_id, role

    async def token_rotate(conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("device.token.rotate", params)
        device_id, role = token_target("device.token.rotate", conn, p)
        scopes = p.get("scopes")
        if scopes is not None:
            scopes = tuple(S.normalize_scopes(scopes))
            if not _is_owner(conn) and not S.scopes_cover(scopes, conn.scopes):
                raise invalid_request("cannot widen scopes beyond your own")
        tok = await svc.pairing.rotate_token(device_id, role, scopes, svc.clock_ms())
        same_device = conn.device_id == device_id and conn.auth_method == "device-token"
        out: dict[str, Any] = {"deviceId": device_id, "role": role, "scopes": list(tok.scopes),
                               "rotatedAtMs": tok.rotated_at_ms,
                               "tokenDelivery": "in-band" if same_device else "withheld-cross-device"}
        if same_device:
            out["token"] = tok.token
        else:
            disconnect(device_id, "device token rotated", role)
        svc.hub.broadcast("device.pair.changed", {})
        return out

    async def token_revoke(conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("device.token.revoke", params)
        device_id, role = token_target("device.token.revoke", conn, p)
        tok = await svc.pairing.revoke_token(device_id, role, svc.clock_ms())
        disconnect(device_id, "device token revoked", role)
        svc.hub.broadcast("device.pair.changed", {})
        return {"deviceId": device_id, "role": role, "revokedAtMs": tok.revoked_at_ms}

    reg.add("device.pair.list", S.PAIRING, pair_list)
    reg.add("device.pair.approve", S.PAIRING, pair_approve)
    reg.add("device.pair.reject", S.PAIRING, pair_reject)
    reg.add("device.pair.remove", S.PAIRING, pair_remove)
    reg.add("device.pair.rename", S.PAIRING, pair_rename)
    reg.add("device.token.rotate", S.PAIRING, token_rotate)
    reg.add("device.token.revoke", S.PAIRING, token_revoke)
