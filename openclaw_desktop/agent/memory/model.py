"""Result types of the memory index. Pure data; imports nothing of ours."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MemoryHit:
    """One search result: a chunk of a memory file.

    ``path`` is workspace-relative with ``/`` separators; lines are 1-based and inclusive,
    ready for ``MemoryIndex.get(path, start_line, end_line - start_line + 1)``. ``score`` is
    the negated FTS5 BM25 rank: higher is better, only comparable within one search.
    """

    path: str
    start_line: int
    end_line: int
    snippet: str
    score: float


@dataclass(frozen=True, slots=True)
class SyncStats:
    """What one ``MemoryIndex.sync`` did."""

    files_seen: int = 0
    files_indexed: int = 0   # new or changed content, (re)chunked
    files_touched: int = 0   # mtime/size changed but the content hash did not
    files_removed: int = 0
    chunks_written: int = 0
    rebuilt: bool = False    # the database was missing, corrupt or of an older schema

    @property
    def changed(self) -> bool:
        return bool(self.files_indexed or self.files_removed or self.rebuilt)
