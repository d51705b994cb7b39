"""Markdown memory of an agent workspace, searchable with SQLite FTS5 (reference §9.5).

``MEMORY.md`` (curated facts) and ``memory/YYYY-MM-DD.md`` (daily logs) stay plain files
the user can edit; ``MemoryIndex`` keeps a BM25 full-text index of their chunks in a
SQLite file, answers ``search`` with file and line ranges, reads memory files for
``memory_get`` with path confinement, and appends daily-log bullets.

Synchronous (stdlib ``sqlite3``); run it in a worker thread. Must not import asyncio,
``gateway`` or ``ui``.
"""

from .index import MemoryIndex
from .model import MemoryHit, SyncStats

__all__ = ["MemoryHit", "MemoryIndex", "SyncStats"]
