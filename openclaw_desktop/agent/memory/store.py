"""The SQLite side of the memory index: schema, corruption recovery, writes and FTS5 queries.

The database is a cache of the Markdown files, never the source of truth, so every
problem with it is answered by starting over: a missing file, a file that is not a
database, a corrupt page or an older schema all end in a fresh, empty database that the
next sync fills again. Only errors that mean corruption trigger that (``SQLITE_CORRUPT``,
``SQLITE_NOTADB``); a busy or locked database is re-raised to the caller.

Synchronous stdlib ``sqlite3``. The connection is made with ``check_same_thread=False``
because the caller runs each call in whatever worker thread is free; ``MemoryIndex``
serialises access with a lock. Tables carry a ``memory_`` prefix so the file could be
shared with other per-agent tables.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from .chunking import Chunk

# Bump whenever the schema, the tokenizer or the chunking rules change: a different value
# in an existing database makes it rebuild from the files.
SCHEMA_VERSION = "1"
_CORRUPTION_CODES = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB (primary codes)

_SCHEMA = (
    "CREATE TABLE memory_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ("CREATE TABLE memory_files (path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, "
     "size INTEGER NOT NULL, hash TEXT NOT NULL)"),
    ("CREATE TABLE memory_chunks (id INTEGER PRIMARY KEY, path TEXT NOT NULL, "
     "start_line INTEGER NOT NULL, end_line INTEGER NOT NULL)"),
    "CREATE INDEX memory_chunks_path ON memory_chunks (path)",
    # The FTS rowid is memory_chunks.id. Porter stemming lets "meetings" find "meeting";
    # remove_diacritics 2 lets "cafe" find "café".
    # The heading column is searched too, with a lower BM25 weight (see _RANK).
    ("CREATE VIRTUAL TABLE memory_chunks_fts USING fts5(text, heading, "
     "tokenize = 'porter unicode61 remove_diacritics 2')"),
)
_TABLES = ("memory_chunks_fts", "memory_chunks", "memory_files", "memory_meta")

# Rank first, fetch later: asking for the chunk text or a snippet() in the ranking query
# makes SQLite compute it for every candidate row, not just the winners.
_RANK = ("SELECT rowid, bm25(memory_chunks_fts, 1.0, 0.3) AS score FROM memory_chunks_fts "
         "WHERE memory_chunks_fts MATCH ? ORDER BY score LIMIT ?")
_FETCH = ("SELECT c.path, c.start_line, c.end_line, f.text FROM memory_chunks AS c "
          "JOIN memory_chunks_fts AS f ON f.rowid = c.id WHERE c.id = ?")
_EXISTS = "SELECT 1 FROM memory_chunks_fts WHERE memory_chunks_fts MATCH ? LIMIT 1"


def is_corruption(error: BaseException) -> bool:
    """True for errors that mean the database file is damaged or not a database."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.DatabaseError) and code is not None and code & 0xFF in _CORRUPTION_CODES


class IndexStore:
    """One open index database. Not thread-safe by itself; callers hold a lock."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None

    def open(self) -> bool:
        """Open (creating or repairing as needed); True when the database starts empty."""
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            if not is_corruption(error):
                raise
            self.reset()
            return True

    def reset(self) -> None:
        """Throw the database away and start an empty one."""
        self.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.db_path}{suffix}")
        self._connect()

    def is_current(self) -> bool:
        """False when the file we hold open was deleted or replaced behind our back."""
        try:
            info = os.stat(self.db_path)
        except FileNotFoundError:
            return False
        return self._conn is not None and (info.st_dev, info.st_ino) == self._identity

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        conn = self._db()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            # A failed ROLLBACK must not hide the original error (it may be the corruption
            # report that makes the caller rebuild).
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def known_files(self) -> dict[str, tuple[int, int, str]]:
        rows = self._db().execute("SELECT path, mtime_ns, size, hash FROM memory_files")
        return {path: (mtime, size, digest) for path, mtime, size, digest in rows}

    def remove_file(self, path: str) -> None:
        conn = self._db()
        conn.execute("DELETE FROM memory_chunks_fts WHERE rowid IN (SELECT id FROM memory_chunks WHERE path = ?)",
                     (path,))
        conn.execute("DELETE FROM memory_chunks WHERE path = ?", (path,))
        conn.execute("DELETE FROM memory_files WHERE path = ?", (path,))

    def replace_file(self, path: str, mtime_ns: int, size: int, digest: str, chunks: Iterable[Chunk]) -> int:
        """Swap in the chunks of one file; returns how many were written."""
        self.remove_file(path)
        conn = self._db()
        conn.execute("INSERT INTO memory_files (path, mtime_ns, size, hash) VALUES (?, ?, ?, ?)",
                     (path, mtime_ns, size, digest))
        count = 0
        for chunk in chunks:
            cursor = conn.execute("INSERT INTO memory_chunks (path, start_line, end_line) VALUES (?, ?, ?)",
                                  (path, chunk.start_line, chunk.end_line))
            conn.execute("INSERT INTO memory_chunks_fts (rowid, text, heading) VALUES (?, ?, ?)",
                         (cursor.lastrowid, chunk.text, chunk.heading))
            count += 1
        return count

    def touch_file(self, path: str, mtime_ns: int, size: int) -> None:
        """Record a new mtime/size for a file whose content hash did not change."""
        self._db().execute("UPDATE memory_files SET mtime_ns = ?, size = ? WHERE path = ?", (mtime_ns, size, path))

    def rank(self, match: str, limit: int) -> list[tuple[int, float]]:
        """``(chunk id, bm25)`` of the best ``limit`` chunks; lower bm25 is better."""
        return self._db().execute(_RANK, (match, limit)).fetchall()

    def fetch(self, chunk_id: int) -> tuple[str, int, int, str] | None:
        """``(path, start_line, end_line, text)`` of one chunk."""
        row: tuple[str, int, int, str] | None = self._db().execute(_FETCH, (chunk_id,)).fetchone()
        return row

    def matches_any(self, match: str) -> bool:
        return self._db().execute(_EXISTS, (match,)).fetchone() is not None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("the memory index is closed")
        return self._conn

    def _connect(self) -> bool:
        self.close()
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per sync.
        conn = sqlite3.connect(self.db_path, check_same_thread=False, isolation_level=None)
        try:
            # The index is rebuildable, so a lost tail after a power cut is acceptable.
            conn.execute("PRAGMA synchronous = NORMAL")
            fresh = self._ensure_schema(conn)
        except BaseException:
            conn.close()
            raise
        info = os.stat(self.db_path)
        self._conn, self._identity = conn, (info.st_dev, info.st_ino)
        return fresh

    @staticmethod
    def _ensure_schema(conn: sqlite3.Connection) -> bool:
        try:
            row = conn.execute("SELECT value FROM memory_meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError:
            row = None  # no memory_meta table: a new (or foreign) database
        if row is not None and row[0] == SCHEMA_VERSION:
            return False
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in _TABLES:
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute("INSERT INTO memory_meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return True
