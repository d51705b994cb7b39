"""Bootstrap tokens and setup completions in SQLite.

Unlike the paired-device view, nothing is cached in memory: ``openclaw-desktop pair``
mints tokens from another process against the same database, and the running gateway
must see them at once. Redemption and consumption run under one lock, so two sockets
racing with the same token cannot both consume it (only this gateway process consumes).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from openclaw_desktop.storage.sqlite import Database

from .bootstrap import (
    BOOTSTRAP_TOKEN_TTL_MS,
    PROFILES,
    BootstrapGrant,
    SetupCompletion,
    profile_from_row,
    redeem_problem,
    token_hash,
)
from .records import new_token

# Used or expired tokens and old completions are kept this long (for setupStatus and
# for a helpful log line), then purged on the next mint.
RETAIN_MS = 24 * 60 * 60 * 1000

# The ``access`` column holds the profile name (``voice-node`` included), from which the
# reported access label is derived.
_COLUMNS = ("token_hash, setup_id, access, roles_json, scopes_json, issued_at_ms, expires_at_ms, device_id, "
            "public_key, consumed_at_ms")
_COMPLETION_COLUMNS = "setup_id, device_id, device_name, access, completed_at_ms, delivery"


def _grant(row: tuple[Any, ...]) -> BootstrapGrant:
    th, setup_id, name, roles, scopes, issued, expires, device_id, public_key, consumed = row
    profile = profile_from_row(name, tuple(json.loads(roles)), tuple(json.loads(scopes)))
    return BootstrapGrant(th, setup_id, profile, issued, expires, device_id, public_key, consumed)


class BootstrapStore:
    """Mint, redeem and consume bootstrap tokens; record setup completions."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = asyncio.Lock()
        self.unannounced: dict[str, SetupCompletion] = {}
        """Completions (by connection id) whose ``device.pair.setup.completed`` event
        waits for that connection's hello-ok to be sent (process-local, not persisted)."""

    async def mint(self, profile_name: str, now_ms: int) -> tuple[str, BootstrapGrant]:
        """A fresh token for a profile of :data:`PROFILES` and its grant."""
        profile = PROFILES[profile_name]
        token = new_token()
        grant = BootstrapGrant(token_hash(token), str(uuid.uuid4()), profile, now_ms, now_ms + BOOTSTRAP_TOKEN_TTL_MS)
        stale = now_ms - RETAIN_MS
        await self._db.write([
            ("DELETE FROM bootstrap_tokens WHERE expires_at_ms < ?", (stale,)),
            ("DELETE FROM setup_completions WHERE completed_at_ms < ?", (stale,)),
            (f"INSERT INTO bootstrap_tokens ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)",
             (grant.token_hash, grant.setup_id, profile.name, json.dumps(list(profile.roles)),
              json.dumps(list(profile.scopes)), grant.issued_at_ms, grant.expires_at_ms)),
        ])
        return token, grant

    async def _load(self, th: str) -> BootstrapGrant | None:
        rows = await self._db.fetch_all(f"SELECT {_COLUMNS} FROM bootstrap_tokens WHERE token_hash = ?", (th,))
        return _grant(rows[0]) if rows else None

    async def redeem(self, token: str, device_id: str, public_key: str, role: str, scopes: tuple[str, ...],
                     now_ms: int) -> tuple[BootstrapGrant | None, str | None]:
        """Check a presented token for this device and bind it on first use.

        Returns (grant, None) when the connect may authenticate with it, else
        (None, reason). The token is not consumed here (see :meth:`consume`).
        """
        async with self._lock:
            grant = await self._load(token_hash(token))
            problem = redeem_problem(grant, device_id, public_key, role, scopes, now_ms)
            if problem is not None or grant is None:
                return None, problem
            if grant.device_id is None:
                bind = ("UPDATE bootstrap_tokens SET device_id = ?, public_key = ? "
                        "WHERE token_hash = ? AND device_id IS NULL")
                await self._db.write([(bind, (device_id, public_key, grant.token_hash))])
                grant = await self._load(grant.token_hash)
                if grant is None or grant.device_id != device_id or grant.public_key != public_key:
                    return None, "bound to another device"
            return grant, None

    async def consume(self, grant: BootstrapGrant, now_ms: int) -> bool:
        """Mark the token used; False when it was consumed (or removed) meanwhile."""
        async with self._lock:
            current = await self._load(grant.token_hash)
            if current is None or current.consumed_at_ms is not None:
                return False
            await self._db.write([("UPDATE bootstrap_tokens SET consumed_at_ms = ? WHERE token_hash = ?",
                                   (now_ms, grant.token_hash))])
            return True

    async def record_completion(self, completion: SetupCompletion) -> None:
        """Store a completion (delivery state included), replacing one for the same setup."""
        sql = f"INSERT OR REPLACE INTO setup_completions ({_COMPLETION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
        await self._db.write([(sql, (completion.setup_id, completion.device_id, completion.device_name,
                                     completion.access, completion.ts, completion.delivery))])

    async def set_delivery(self, setup_id: str, delivery: str) -> None:
        """Record whether the completing device's hello-ok was delivered (see bootstrap.DELIVERY_*)."""
        await self._db.write([("UPDATE setup_completions SET delivery = ? WHERE setup_id = ?", (delivery, setup_id))])

    async def completion(self, setup_id: str) -> SetupCompletion | None:
        rows = await self._db.fetch_all(f"SELECT {_COMPLETION_COLUMNS} FROM setup_completions WHERE setup_id = ?",
                                        (setup_id,))
        if not rows:
            return None
        sid, device_id, name, access, ts, delivery = rows[0]
        return SetupCompletion(sid, device_id, access, ts, name, delivery)
