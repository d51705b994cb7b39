"""Approved and pending node command surfaces, kept in the ``kv`` table (in memory,
written through to SQLite before a method returns)."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from openclaw_desktop.errors import invalid_request
from openclaw_desktop.storage.sqlite import Database

from .policy import required_approve_scopes

_APPROVED, _PENDING = "node.surface.", "node.pending."


@dataclass(frozen=True)
class Surface:
    """What a node declared at connect (or what was approved of it)."""

    caps: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    permissions: dict[str, bool] = field(default_factory=dict)

    def covers(self, other: Surface) -> bool:
        return set(other.caps) <= set(self.caps) and set(other.commands) <= set(self.commands)


@dataclass(frozen=True)
class NodeInfo:
    """Descriptive facts about a node (display only)."""

    node_id: str
    display_name: str | None = None
    platform: str | None = None
    device_family: str | None = None
    version: str | None = None
    client_id: str | None = None
    client_mode: str | None = None
    model_identifier: str | None = None
    remote_ip: str | None = None


@dataclass(frozen=True)
class ApprovedSurface:
    info: NodeInfo
    surface: Surface
    created_at_ms: int
    approved_at_ms: int
    last_connected_at_ms: int | None = None
    last_disconnected_at_ms: int | None = None

    def to_wire(self) -> dict[str, Any]:
        return {**_info_wire(self.info), "caps": list(self.surface.caps), "commands": list(self.surface.commands),
                "permissions": self.surface.permissions, "createdAtMs": self.created_at_ms,
                "approvedAtMs": self.approved_at_ms,
                **({"lastConnectedAtMs": self.last_connected_at_ms} if self.last_connected_at_ms else {}),
                **({"lastDisconnectedAtMs": self.last_disconnected_at_ms} if self.last_disconnected_at_ms else {})}


@dataclass(frozen=True)
class PendingSurface:
    request_id: str
    info: NodeInfo
    surface: Surface
    ts: int

    def to_wire(self) -> dict[str, Any]:
        return {"requestId": self.request_id, **_info_wire(self.info), "caps": list(self.surface.caps),
                "commands": list(self.surface.commands), "permissions": self.surface.permissions,
                "requiredApproveScopes": required_approve_scopes(self.surface.commands), "silent": False,
                "ts": self.ts}


def _info_wire(info: NodeInfo) -> dict[str, Any]:
    out: dict[str, Any] = {"nodeId": info.node_id}
    for key, value in (("displayName", info.display_name), ("platform", info.platform),
                       ("deviceFamily", info.device_family), ("version", info.version), ("clientId", info.client_id),
                       ("clientMode", info.client_mode), ("modelIdentifier", info.model_identifier),
                       ("remoteIp", info.remote_ip)):
        if value:
            out[key] = value
    return out


def _surface(data: dict[str, Any]) -> Surface:
    return Surface(tuple(data.get("caps", ())), tuple(data.get("commands", ())), dict(data.get("permissions", {})))


class SurfaceStore:
    """Node surfaces by node id (= device id)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.approved: dict[str, ApprovedSurface] = {}
        self.pending: dict[str, PendingSurface] = {}

    async def load(self) -> None:
        rows = await self._db.fetch_all("SELECT key, value_json FROM kv WHERE key LIKE 'node.%'")
        for key, text in rows:
            data = json.loads(text)
            info = NodeInfo(**data["info"])
            if key.startswith(_APPROVED):
                self.approved[info.node_id] = ApprovedSurface(
                    info, _surface(data["surface"]), data["created_at_ms"], data["approved_at_ms"],
                    data.get("last_connected_at_ms"), data.get("last_disconnected_at_ms"))
            elif key.startswith(_PENDING):
                self.pending[data["request_id"]] = PendingSurface(data["request_id"], info, _surface(data["surface"]),
                                                                  data["ts"])

    async def _put(self, key: str, value: Any, now: int) -> None:
        await self._db.write([("INSERT OR REPLACE INTO kv VALUES (?, ?, ?)", (key, json.dumps(asdict(value)), now))])

    async def _delete(self, *keys: str) -> None:
        await self._db.write([("DELETE FROM kv WHERE key = ?", (k,)) for k in keys])

    def pending_for(self, node_id: str) -> PendingSurface | None:
        return next((p for p in self.pending.values() if p.info.node_id == node_id), None)

    async def request(self, info: NodeInfo, surface: Surface, now: int) -> tuple[PendingSurface, bool]:
        """Create (or keep) the pending request for a wider surface; returns (request, created)."""
        old = self.pending_for(info.node_id)
        if old is not None and old.surface == surface:
            return old, False
        if old is not None:
            await self._delete(_PENDING + old.request_id)
            del self.pending[old.request_id]
        req = PendingSurface(str(uuid.uuid4()), info, surface, now)
        await self._put(_PENDING + req.request_id, req, now)
        self.pending[req.request_id] = req
        return req, True

    async def approve(self, request_id: str, now: int) -> ApprovedSurface:
        req = self.pending.get(request_id)
        if req is None:
            raise invalid_request("unknown requestId")
        old = self.approved.get(req.info.node_id)
        approved = ApprovedSurface(req.info, req.surface, old.created_at_ms if old else now, now,
                                   old.last_connected_at_ms if old else None)
        await self._db.write([
            ("INSERT OR REPLACE INTO kv VALUES (?, ?, ?)",
             (_APPROVED + req.info.node_id, json.dumps(asdict(approved)), now)),
            ("DELETE FROM kv WHERE key = ?", (_PENDING + request_id,))])
        self.approved[req.info.node_id] = approved
        del self.pending[request_id]
        return approved

    async def approve_directly(self, info: NodeInfo, surface: Surface, now: int) -> ApprovedSurface:
        """Bootstrap pairings approve the first declared surface without a request."""
        approved = ApprovedSurface(info, surface, now, now, now)
        await self._put(_APPROVED + info.node_id, approved, now)
        self.approved[info.node_id] = approved
        return approved

    async def reject(self, request_id: str) -> PendingSurface:
        req = self.pending.get(request_id)
        if req is None:
            raise invalid_request("unknown requestId")
        await self._delete(_PENDING + request_id)
        del self.pending[request_id]
        return req

    async def remove(self, node_id: str) -> bool:
        keys = [_APPROVED + node_id] + [_PENDING + p.request_id for p in self.pending.values()
                                        if p.info.node_id == node_id]
        found = node_id in self.approved or len(keys) > 1
        await self._delete(*keys)
        self.approved.pop(node_id, None)
        self.pending = {k: v for k, v in self.pending.items() if v.info.node_id != node_id}
        return found

    async def touch(self, node_id: str, now: int, *, connected: bool, info: NodeInfo | None = None) -> None:
        old = self.approved.get(node_id)
        if old is None:
            return
        changes: dict[str, Any] = {"last_connected_at_ms": now} if connected else {"last_disconnected_at_ms": now}
        if info is not None:
            # Refresh version/IP from the latest connect; a name the operator set wins.
            changes["info"] = replace(info, display_name=old.info.display_name or info.display_name)
        new = replace(old, **changes)
        await self._put(_APPROVED + node_id, new, now)
        self.approved[node_id] = new

    async def rename(self, node_id: str, name: str, now: int) -> ApprovedSurface:
        old = self.approved.get(node_id)
        if old is None:
            raise invalid_request("unknown nodeId")
        new = replace(old, info=replace(old.info, display_name=name))
        await self._put(_APPROVED + node_id, new, now)
        self.approved[node_id] = new
        return new
