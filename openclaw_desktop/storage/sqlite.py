"""SQLite database lifecycle: open with WAL, apply numbered migrations, close cleanly.

This is the only module that imports aiosqlite. Every write commits before the awaiting
call returns, so a crash after an RPC answered never loses that RPC's effect.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

# Each entry runs once, in order; the index+1 is stored in PRAGMA user_version.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE paired_devices (device_id TEXT PRIMARY KEY, record_json TEXT NOT NULL);
    CREATE TABLE pairing_pending (request_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, record_json TEXT NOT NULL);
    CREATE TABLE kv (key TEXT PRIMARY KEY, value_json TEXT NOT NULL, updated_at_ms INTEGER NOT NULL);
    """,
    # Setup-code pairing: bootstrap tokens (keyed by the SHA-256 of the bearer) and the
    # completions that device.pair.setupStatus reports.
    """
    CREATE TABLE bootstrap_tokens (token_hash TEXT PRIMARY KEY, setup_id TEXT NOT NULL UNIQUE,
        access TEXT NOT NULL, roles_json TEXT NOT NULL, scopes_json TEXT NOT NULL,
        issued_at_ms INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL,
        device_id TEXT, public_key TEXT, consumed_at_ms INTEGER);
    CREATE TABLE setup_completions (setup_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, device_name TEXT,
        access TEXT NOT NULL, completed_at_ms INTEGER NOT NULL);
    """,
    # Whether the completing device's hello-ok was delivered ("pending" until the
    # handshake's ready hook knows). Older rows were announced as completed.
    """
    ALTER TABLE setup_completions ADD COLUMN delivery TEXT NOT NULL DEFAULT 'confirmed';
    """,
)


class Database:
    """One SQLite file under the state dir. Use :meth:`open` and :meth:`close`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None

    async def open(self) -> None:
        """Open (creating parent dirs with 0700) and migrate to the newest schema."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._conn = await aiosqlite.connect(self.path)
        os.chmod(self.path, 0o600)  # holds device tokens
        await self._conn.execute("PRAGMA journal_mode=WAL")
        await self._conn.execute("PRAGMA synchronous=FULL")
        version = (await self.fetch_one("PRAGMA user_version"))[0]
        for index, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await self._conn.executescript(f"BEGIN; {script}; PRAGMA user_version={index}; COMMIT;")

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    async def fetch_all(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        async with self.conn.execute(sql, args) as cur:
            return list(await cur.fetchall())

    async def fetch_one(self, sql: str, args: Sequence[Any] = ()) -> tuple[Any, ...]:
        async with self.conn.execute(sql, args) as cur:
            row = await cur.fetchone()
        if row is None:
            raise LookupError(sql)
        return tuple(row)

    async def write(self, statements: Iterable[tuple[str, Sequence[Any]]]) -> None:
        """Run statements in one transaction and commit (durable before returning)."""
        try:
            for sql, args in statements:
                await self.conn.execute(sql, args)
            await self.conn.commit()
        except BaseException:
            await self.conn.rollback()
            raise

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()
