"""Paired devices and pending requests: an in-memory view written through to SQLite.

Reads (every handshake) hit memory; each mutation is committed to SQLite before the
method returns, so an approval survives a crash the moment the RPC answers.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

from openclaw_desktop.errors import invalid_request
from openclaw_desktop.protocol.auth import secrets_equal
from openclaw_desktop.protocol.constants import DEVICE_PAIRING_PENDING_TTL_MS
from openclaw_desktop.protocol.scopes import ROLE_OPERATOR, operator_scopes_only
from openclaw_desktop.storage.sqlite import Database

from .bootstrap_store import BootstrapStore
from .join_codes import JoinCodeStore
from .records import (
    DeviceToken,
    PairedDevice,
    PendingRequest,
    new_token,
    pending_from_json,
)


class PairingStore:
    """Pairing state. Call :meth:`load` once after the database is open."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._paired: dict[str, PairedDevice] = {}
        self._pending: dict[str, PendingRequest] = {}
        self.bootstrap = BootstrapStore(db)
        """Setup-code bootstrap tokens (same database, not cached: see its docstring)."""
        self.join_codes = JoinCodeStore()
        """Join-URL shortcodes of this gateway process (in memory: see its docstring)."""

    async def load(self) -> None:
        for (text,) in await self._db.fetch_all("SELECT record_json FROM paired_devices"):
            dev = PairedDevice.from_json(json.loads(text))
            self._paired[dev.device_id] = dev
        for (text,) in await self._db.fetch_all("SELECT record_json FROM pairing_pending"):
            req = pending_from_json(json.loads(text))
            self._pending[req.request_id] = req

    # ---- reads -------------------------------------------------------------------
    def paired(self, device_id: str) -> PairedDevice | None:
        return self._paired.get(device_id)

    def all_paired(self) -> list[PairedDevice]:
        return sorted(self._paired.values(), key=lambda d: d.approved_at_ms)

    def pending(self, now_ms: int) -> list[PendingRequest]:
        """Live pending requests (expired ones are hidden; purged on the next write)."""
        return sorted((r for r in self._pending.values() if not self._expired(r, now_ms)), key=lambda r: r.ts)

    @staticmethod
    def _expired(req: PendingRequest, now_ms: int) -> bool:
        return now_ms - (req.refreshed_at_ms or req.ts) > DEVICE_PAIRING_PENDING_TTL_MS

    def check_device_token(self, device_id: str, public_key: str, role: str, token: str) -> DeviceToken | None:
        """The live token for (device, role) if ``token`` matches it (constant time)."""
        dev = self._paired.get(device_id)
        if dev is None or dev.public_key != public_key or role not in dev.roles:
            return None
        tok = dev.live_token(role)
        if tok is None or not secrets_equal(token, tok.token):
            return None
        return tok

    # ---- writes ------------------------------------------------------------------
    async def _save_device(self, dev: PairedDevice, drop_pending: list[str] = ()) -> None:
        stmts = [("INSERT OR REPLACE INTO paired_devices VALUES (?, ?)", (dev.device_id, json.dumps(dev.to_json())))]
        stmts += [("DELETE FROM pairing_pending WHERE request_id = ?", (rid,)) for rid in drop_pending]
        await self._db.write(stmts)
        self._paired[dev.device_id] = dev
        for rid in drop_pending:
            self._pending.pop(rid, None)

    async def upsert_pending(self, req: PendingRequest, now_ms: int) -> tuple[PendingRequest, bool, list[PendingRequest]]:
        """Create or refresh the pending request for ``req.device_id``.

        Returns (request, created, superseded). A compatible request (same key, role and
        scopes) is refreshed and keeps its id; an incompatible one replaces it.
        """
        expired = [r for r in self._pending.values() if self._expired(r, now_ms)]
        same_device = [r for r in self._pending.values()
                       if r.device_id == req.device_id and not self._expired(r, now_ms)]
        for old in same_device:
            if old.public_key == req.public_key and old.role == req.role and old.scopes == req.scopes:
                refreshed = replace(old, refreshed_at_ms=now_ms, remote_ip=req.remote_ip or old.remote_ip)
                await self._db.write([("UPDATE pairing_pending SET record_json = ? WHERE request_id = ?",
                                       (json.dumps(refreshed.__dict__), old.request_id))])
                self._pending[old.request_id] = refreshed
                return refreshed, False, []
        created = replace(req, request_id=str(uuid.uuid4()))
        stmts = [("DELETE FROM pairing_pending WHERE request_id = ?", (r.request_id,)) for r in same_device + expired]
        stmts.append(("INSERT INTO pairing_pending VALUES (?, ?, ?)",
                      (created.request_id, created.device_id, json.dumps(created.__dict__))))
        await self._db.write(stmts)
        for r in same_device + expired:
            self._pending.pop(r.request_id, None)
        self._pending[created.request_id] = created
        return created, True, same_device

    async def approve(self, request_id: str, now_ms: int, via: str) -> tuple[PendingRequest, PairedDevice]:
        """Approve a pending request: merge roles and scopes, mint tokens per role."""
        req = self._pending.get(request_id)
        if req is None or self._expired(req, now_ms):
            raise invalid_request("unknown requestId")
        dev = self._merge(req, now_ms, via)
        await self._save_device(dev, drop_pending=[request_id])
        return req, dev

    async def approve_silently(self, req: PendingRequest, now_ms: int, via: str = "silent") -> PairedDevice:
        """Pair without a pending request (local silent approval, bootstrap)."""
        dev = self._merge(req, now_ms, via)
        stale = [r.request_id for r in self._pending.values() if r.device_id == req.device_id]
        await self._save_device(dev, drop_pending=stale)
        return dev

    def _merge(self, req: PendingRequest, now_ms: int, via: str) -> PairedDevice:
        old = self._paired.get(req.device_id)
        if old is not None and old.public_key != req.public_key:
            old = None  # a new key for the same id cannot inherit grants
        roles = tuple(dict.fromkeys((*(old.roles if old else ()), *req.roles, req.role)))
        scopes = tuple(dict.fromkeys((*(old.scopes if old else ()), *operator_scopes_only(req.scopes))))
        tokens = dict(old.tokens) if old else {}
        for role in roles:
            tok_scopes = scopes if role == ROLE_OPERATOR else ()
            current = tokens.get(role)
            if current is None or current.revoked_at_ms is not None:
                tokens[role] = DeviceToken(new_token(), role, tok_scopes, now_ms)
            elif current.scopes != tok_scopes:
                tokens[role] = replace(current, scopes=tok_scopes)
        return PairedDevice(
            device_id=req.device_id, public_key=req.public_key, roles=roles, scopes=scopes,
            created_at_ms=old.created_at_ms if old else now_ms, approved_at_ms=now_ms, approved_via=via,
            tokens=tokens, display_name=req.display_name or (old.display_name if old else None),
            operator_label=old.operator_label if old else None, platform=req.platform,
            device_family=req.device_family, client_id=req.client_id, client_mode=req.client_mode,
            remote_ip=req.remote_ip,
        )

    async def reject(self, request_id: str, now_ms: int) -> PendingRequest:
        req = self._pending.get(request_id)
        if req is None or self._expired(req, now_ms):
            raise invalid_request("unknown requestId")
        await self._db.write([("DELETE FROM pairing_pending WHERE request_id = ?", (request_id,))])
        del self._pending[request_id]
        return req

    async def remove(self, device_id: str) -> PairedDevice:
        dev = self._paired.get(device_id)
        if dev is None:
            raise invalid_request("unknown deviceId")
        stale = [r.request_id for r in self._pending.values() if r.device_id == device_id]
        stmts = [("DELETE FROM paired_devices WHERE device_id = ?", (device_id,))]
        stmts += [("DELETE FROM pairing_pending WHERE request_id = ?", (rid,)) for rid in stale]
        await self._db.write(stmts)
        del self._paired[device_id]
        for rid in stale:
            del self._pending[rid]
        return dev

    async def rename(self, device_id: str, label: str) -> PairedDevice:
        dev = self._require(device_id)
        dev = replace(dev, operator_label=label)
        await self._save_device(dev)
        return dev

    async def rotate_token(self, device_id: str, role: str, scopes: tuple[str, ...] | None,
                           now_ms: int) -> DeviceToken:
        dev = self._require(device_id)
        if role not in dev.roles:
            raise invalid_request(f"device is not approved for role: {role}")
        new_scopes = dev.scopes if scopes is None else tuple(operator_scopes_only(scopes))
        if role == ROLE_OPERATOR and not set(new_scopes) <= set(dev.scopes):
            raise invalid_request("scopes exceed the device's approved scopes")
        old = dev.tokens.get(role)
        tok = DeviceToken(new_token(), role, new_scopes if role == ROLE_OPERATOR else (),
                          old.created_at_ms if old else now_ms, rotated_at_ms=now_ms)
        await self._save_device(replace(dev, tokens={**dev.tokens, role: tok}))
        return tok

    async def revoke_token(self, device_id: str, role: str, now_ms: int) -> DeviceToken:
        dev = self._require(device_id)
        old = dev.tokens.get(role)
        if old is None:
            raise invalid_request(f"no token for role: {role}")
        tok = replace(old, revoked_at_ms=now_ms)
        await self._save_device(replace(dev, tokens={**dev.tokens, role: tok}))
        return tok

    async def ensure_token(self, device_id: str, role: str, now_ms: int) -> DeviceToken:
        """The live token for (device, role), minted if absent or revoked."""
        dev = self._require(device_id)
        tok = dev.live_token(role)
        if tok is not None:
            return tok
        tok = DeviceToken(new_token(), role, dev.scopes if role == ROLE_OPERATOR else (), now_ms)
        await self._save_device(replace(dev, tokens={**dev.tokens, role: tok}))
        return tok

    def _require(self, device_id: str) -> PairedDevice:
        dev = self._paired.get(device_id)
        if dev is None:
            raise invalid_request("unknown deviceId")
        return dev
