"""Which workspace files are memory, and confinement of caller-supplied memory paths.

Memory is ``MEMORY.md`` and ``memory/**/*.md`` inside the agent workspace (reference
§9.5). Paths come from the model (``memory_get``), so they are checked twice: lexically
(``normalize``: no ``..``, no hidden parts, only those names) and on disk (``resolve``: no
symlink anywhere below the workspace, so the result cannot leave it). Symlinked memory
files are never indexed either, which keeps search and get consistent.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MEMORY_FILE = "MEMORY.md"
MEMORY_DIR = "memory"
_ALLOWED = f"only {MEMORY_FILE} and {MEMORY_DIR}/…/*.md inside the workspace are memory files"


def normalize(path: str, root: Path) -> str:
    """The canonical workspace-relative form of ``path``; ``ValueError`` if it is not a memory file.

    Accepts ``/`` or ``\\`` separators, ``./`` prefixes and absolute paths that lie inside
    ``root`` (the resolved workspace). Pure: it does not touch the disk.
    """
    if not isinstance(path, str) or not path.strip() or "\x00" in path:
        raise ValueError(f"invalid memory path {path!r}: {_ALLOWED}")
    text = path.strip().replace("\\", "/")
    if PurePosixPath(text).is_absolute() or (len(text) > 1 and text[1] == ":"):
        try:
            text = Path(text).relative_to(root).as_posix()
        except ValueError:
            raise ValueError(f"memory path {path!r} is outside the workspace: {_ALLOWED}") from None
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ValueError(f"memory path {path!r} must not contain '..': {_ALLOWED}")
    if any(part.startswith(".") for part in parts):
        raise ValueError(f"memory path {path!r} names a hidden file or folder: {_ALLOWED}")
    if parts == [MEMORY_FILE] or (len(parts) >= 2 and parts[0] == MEMORY_DIR and parts[-1].endswith(".md")):
        return "/".join(parts)
    raise ValueError(f"memory path {path!r} is not a memory file: {_ALLOWED}")


def resolve(root: Path, relative: str) -> Path:
    """``root / relative`` after checking that no part below ``root`` is a symlink.

    ``relative`` must come from ``normalize``. Raises ``ValueError`` for a symlink (it could
    point anywhere); a missing file is not checked here.
    """
    full = root.joinpath(*relative.split("/"))
    current = root
    for part in relative.split("/"):
        current = current / part
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                raise ValueError(f"memory path {relative!r} goes through a symlink; {_ALLOWED}")
        except FileNotFoundError:
            break
    return full


@dataclass(frozen=True, slots=True)
class Tree:
    """One scan of the memory files: ``{relative path: (mtime_ns, size)}`` and folder mtimes."""

    files: dict[str, tuple[int, int]]
    dirs: dict[str, int]  # "memory", "memory/sub", …; empty when there is no real memory/ folder

    def newest(self, count: int) -> list[str]:
        """The ``count`` most recently modified files: where edits usually happen next."""
        return sorted(self.files, key=lambda rel: self.files[rel][0], reverse=True)[:count]


def scan(root: Path) -> Tree:
    """Every memory file and folder below ``root``; symlinks and hidden entries are skipped.

    One ``lstat`` per entry, no reads.
    """
    files: dict[str, tuple[int, int]] = {}
    dirs: dict[str, int] = {}
    info = lstat_or_none(root / MEMORY_FILE)
    if info is not None and stat.S_ISREG(info.st_mode):
        files[MEMORY_FILE] = (info.st_mtime_ns, info.st_size)
    info = lstat_or_none(root / MEMORY_DIR)
    pending: list[tuple[str, str]] = []
    # scandir would follow a symlinked memory/ out of the workspace; only a real folder counts.
    if info is not None and stat.S_ISDIR(info.st_mode):
        dirs[MEMORY_DIR] = info.st_mtime_ns
        pending.append((str(root / MEMORY_DIR), MEMORY_DIR))
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as entries:
                items = list(entries)
        except OSError:
            continue  # vanished or unreadable: nothing to index there
        for entry in items:
            name = entry.name
            if name[0] == ".":
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    relative = f"{prefix}/{name}"
                    dirs[relative] = entry.stat(follow_symlinks=False).st_mtime_ns
                    pending.append((entry.path, relative))
                elif name.endswith(".md") and entry.is_file(follow_symlinks=False):
                    info = entry.stat(follow_symlinks=False)
                    files[f"{prefix}/{name}"] = (info.st_mtime_ns, info.st_size)
            except OSError:
                continue  # deleted between listing and stat
    return Tree(files, dirs)


def unchanged(root: Path, tree: Tree, hot: list[str]) -> bool:
    """Cheap probe: do ``MEMORY.md``, every memory folder and the ``hot`` files still look as in ``tree``?

    A folder's mtime moves when an entry is added, removed or renamed into it (which is how
    many editors save), so this catches every change except an in-place rewrite of a file
    outside ``hot`` — the caller bounds that gap with a periodic full ``scan``.
    """
    info = lstat_or_none(root / MEMORY_DIR)
    memory_dir = info.st_mtime_ns if info is not None and stat.S_ISDIR(info.st_mode) else None
    if memory_dir != tree.dirs.get(MEMORY_DIR):
        return False
    for relative, mtime_ns in tree.dirs.items():
        info = lstat_or_none(root / relative)
        if info is None or info.st_mtime_ns != mtime_ns:
            return False
    for relative in (MEMORY_FILE, *hot):
        info = lstat_or_none(root / relative)
        now = (info.st_mtime_ns, info.st_size) if info is not None and stat.S_ISREG(info.st_mode) else None
        if now != tree.files.get(relative):
            return False
    return True


def lstat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None
