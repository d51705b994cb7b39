"""``MemoryIndex``: BM25 search over the workspace's Markdown memory, plus safe read and append.

The Markdown files are the truth (reference §9.5: ``MEMORY.md`` and ``memory/*.md``); the
SQLite FTS5 database is a disposable cache of their chunks. ``sync`` brings it up to date
by file mtime+size, confirming real changes with a SHA-256 of the content, and drops
deleted files.

``search`` syncs first when something changed. A full scan costs one ``lstat`` per memory
file (a year of daily logs: ~370), too much to pay on every search, so the check is two-tier:
every search probes the memory folders' mtimes (adds, deletes, renames, atomic saves),
``MEMORY.md``, the few most recently modified files (today's log) and the database file;
a full scan runs when that probe sees a change or the last full scan is older than
``rescan_interval_s``. The only change that can go unseen, an in-place rewrite of an old
daily file, is therefore picked up within that interval (1.5 s by default, the reindex
debounce the reference uses). Callers that just wrote a memory file can call ``sync``.

Blocking by design (file and SQLite I/O): the asyncio side calls it through
``asyncio.to_thread``. One lock serialises all calls, so any thread may call any method.
Imports no asyncio, gateway or ui code.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Self, TypeVar

from . import paths, query
from .chunking import chunk_markdown
from .model import MemoryHit, SyncStats
from .store import IndexStore, is_corruption

log = logging.getLogger(__name__)

MAX_LIMIT = 100
HOT_FILES = 8  # recently modified files probed on every search
_T = TypeVar("_T")


class MemoryIndex:
    """The memory of one agent workspace, indexed in the SQLite file ``db_path``.

    Opening never fails on a damaged database: it is replaced by an empty one and the
    next ``sync`` (or ``search``) rebuilds it from the files.
    """

    def __init__(self, workspace: Path, db_path: Path, *, rescan_interval_s: float = 1.5,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._root = Path(workspace).resolve()
        self._store = IndexStore(Path(db_path))
        self._lock = threading.Lock()
        self._rescan_interval_s = rescan_interval_s
        self._clock = clock
        self._fresh = self._store.open()
        self._tree: paths.Tree | None = None  # what the index holds, as of the last sync
        self._hot: list[str] = []
        self._scanned_at = float("-inf")
        self._closed = False

    @property
    def workspace(self) -> Path:
        return self._root

    def sync(self) -> SyncStats:
        """Index new and changed memory files and forget deleted ones, in one transaction."""
        with self._lock:
            self._check_open()
            return self._guarded(lambda: self._sync(self._full_scan()))

    def search(self, text: str, limit: int = 10) -> list[MemoryHit]:
        """The best chunks for ``text`` (any string; never an FTS5 syntax error).

        Chunks holding every term (stopwords aside), best BM25 first. When none holds them
        all, terms found nowhere are dropped; as a last resort, chunks holding any term are
        returned. Syncs first when a memory file or the database changed (see the module
        docstring). Returns ``[]`` for text without a searchable word; ``limit`` is capped
        at 100.
        """
        quoted = query.plan(text)
        limit = min(limit, MAX_LIMIT)
        if not quoted or limit < 1:
            return []
        with self._lock:
            self._check_open()
            return self._guarded(lambda: self._refresh_and_search(quoted, limit))

    def get(self, path: str, start_line: int | None = None, lines: int | None = None) -> str:
        """Text of a memory file, whole or ``lines`` lines from 1-based ``start_line``.

        ``path`` must name ``MEMORY.md`` or a ``memory/…/*.md`` file inside the workspace
        (relative, or absolute within it); anything else, ``..``, hidden parts or a symlink
        raise ``ValueError``. A missing memory file raises ``FileNotFoundError``. Lines past
        the end yield ``""``.
        """
        relative = paths.normalize(path, self._root)
        if start_line is not None and start_line < 1:
            raise ValueError(f"start_line must be 1 or more, got {start_line}")
        if lines is not None and lines < 1:
            raise ValueError(f"lines must be 1 or more, got {lines}")
        text = _read_text(paths.resolve(self._root, relative))
        if start_line is None and lines is None:
            return text
        first = (start_line or 1) - 1
        selected = text.splitlines(keepends=True)[first: None if lines is None else first + lines]
        return "".join(selected)

    def append(self, text: str, *, now: datetime) -> str:
        """Append ``text`` as a bullet (``- HH:MM text``) to ``memory/YYYY-MM-DD.md`` for ``now``.

        A new daily file starts with a ``# YYYY-MM-DD`` heading; extra lines of ``text`` are
        indented so they stay in the same bullet. Returns the workspace-relative path. Raises
        ``ValueError`` for blank text or when ``memory/`` or the file is a symlink. The index
        picks the change up at the next search.
        """
        lines = [line.rstrip() for line in text.strip().splitlines()]
        if not lines:
            raise ValueError("nothing to remember: the text is empty")
        relative = f"{paths.MEMORY_DIR}/{now:%Y-%m-%d}.md"
        entry = "\n".join([f"- {now:%H:%M} {lines[0]}", *(f"  {line}" if line else "" for line in lines[1:])])
        with self._lock:
            target = paths.resolve(self._root, relative)  # refuses a symlinked memory/ or file
            target.parent.mkdir(parents=True, exist_ok=True)
            prefix = _append_prefix(target, f"# {now:%Y-%m-%d}\n\n")
            with open(target, "a", encoding="utf-8", newline="\n") as handle:
                handle.write(f"{prefix}{entry}\n")
        return relative

    def close(self) -> None:
        """Close the database. Further calls other than ``get``/``append`` raise ``RuntimeError``."""
        with self._lock:
            self._closed = True
            self._store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals (called with the lock held) --------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the memory index is closed")

    def _refresh_and_search(self, quoted: tuple[str, ...], limit: int) -> list[MemoryHit]:
        current = self._store.is_current()
        stale = self._clock() - self._scanned_at >= self._rescan_interval_s
        if self._tree is None or not current or stale or not paths.unchanged(self._root, self._tree, self._hot):
            tree = self._full_scan()
            if tree != self._tree or not current:
                self._sync(tree)
        return self._search(quoted, limit)

    def _full_scan(self) -> paths.Tree:
        self._scanned_at = self._clock()
        return paths.scan(self._root)

    def _sync(self, tree: paths.Tree) -> SyncStats:
        if not self._store.is_current():
            # Deleted or replaced under us: the old connection would keep using the
            # unlinked file, so open the path again (empty) and rebuild into it.
            log.warning("memory index %s disappeared; rebuilding", self._store.db_path)
            self._store.reset()
            self._fresh = True
        scan = tree.files
        known = self._store.known_files()
        indexed = touched = removed = chunks = 0
        with self._store.transaction():
            for relative in known.keys() - scan.keys():
                self._store.remove_file(relative)
                removed += 1
            for relative, (mtime_ns, size) in sorted(scan.items()):  # stable chunk ids by date
                old = known.get(relative)
                if old is not None and old[:2] == (mtime_ns, size):
                    continue
                try:
                    data = _read_bytes(self._root / relative)
                except OSError:  # vanished (or became a symlink) since the scan
                    if old is not None:
                        self._store.remove_file(relative)
                        removed += 1
                    continue
                digest = hashlib.sha256(data).hexdigest()
                if old is not None and old[2] == digest:
                    self._store.touch_file(relative, mtime_ns, size)
                    touched += 1
                    continue
                pieces = chunk_markdown(data.decode("utf-8", errors="replace"))
                chunks += self._store.replace_file(relative, mtime_ns, size, digest, pieces)
                indexed += 1
        stats = SyncStats(files_seen=len(scan), files_indexed=indexed, files_touched=touched,
                          files_removed=removed, chunks_written=chunks, rebuilt=self._fresh)
        self._fresh = False
        self._tree, self._hot = tree, tree.newest(HOT_FILES)
        return stats

    def _search(self, quoted: tuple[str, ...], limit: int) -> list[MemoryHit]:
        ranked = self._store.rank(query.all_of(quoted), limit)
        if not ranked and len(quoted) > 1:
            # Nothing holds every term. The usual culprit is a term that occurs nowhere (a
            # typo, "say", an unknown ticket number): drop those and require the rest. Only
            # when the remaining terms never meet, settle for chunks holding any of them.
            present = tuple(term for term in quoted if self._store.matches_any(term))
            if 0 < len(present) < len(quoted):
                ranked = self._store.rank(query.all_of(present), limit)
            if not ranked and len(present) > 1:
                ranked = self._store.rank(query.any_of(present), limit)
        words = [term[1:-1].replace('""', '"') for term in quoted]
        hits = []
        for chunk_id, bm25 in ranked:
            row = self._store.fetch(chunk_id)
            if row is not None:
                path, start, end, text = row
                hits.append(MemoryHit(path=path, start_line=start, end_line=end,
                                      snippet=query.snippet(text, words), score=-bm25))
        return hits

    def _guarded(self, action: Callable[[], _T]) -> _T:
        """Run ``action``; on database corruption start a fresh database and run it once more.

        Every guarded action syncs before it reads (``_tree`` is cleared here), so the
        retry rebuilds the index from the files before answering.
        """
        try:
            return action()
        except Exception as error:
            if not is_corruption(error):
                raise
            log.warning("memory index %s is corrupt (%s); rebuilding", self._store.db_path, error)
            self._store.reset()
            self._fresh = True
            self._tree = None
            return action()


def _read_bytes(path: Path) -> bytes:
    # O_NOFOLLOW: the scan skipped symlinks; do not follow one swapped in since then.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def _read_text(path: Path) -> str:
    return _read_bytes(path).decode("utf-8", errors="replace")


def _append_prefix(target: Path, heading: str) -> str:
    """What must precede a new entry: a heading for a new file, a newline after an unterminated last line."""
    try:
        size = os.lstat(target).st_size
    except FileNotFoundError:
        return heading
    if size == 0:
        return heading
    with open(target, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return "" if handle.read(1) == b"\n" else "\n"
