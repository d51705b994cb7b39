"""Which file a command name runs, and whether its location can be trusted.

The policy core resolves executables through a :data:`Resolver` callable passed in by
the caller, so tests use a fake mapping and the decision logic stays pure. The default
:class:`PathResolver` does what a shell's PATH search does (the first executable regular
file along ``path_env``) and stats the result; that is the only file-system access in
the approvals core.

A location is *untrusted* when someone other than an administrator may be able to
replace the file between the decision and the run: a temporary directory, a
world-writable file or directory, or a PATH entry relative to the working directory.
Untrusted executables never match an allowlist entry or count as safe bins.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: Temporary directories on Linux and macOS (``/tmp`` is ``/private/tmp`` there).
TEMP_ROOTS = ("/tmp", "/var/tmp", "/dev/shm", "/private/tmp", "/private/var/tmp")


@dataclass(frozen=True, slots=True)
class ResolvedExecutable:
    """An executable found for a command name.

    ``path`` is the absolute, normalised path where it was found; ``real_path`` the same
    with symlinks resolved. ``untrusted`` says why the location cannot be trusted
    (``None`` when it can, as far as the resolver could tell).
    """

    path: str
    real_path: str
    untrusted: str | None = None


Resolver = Callable[[str, str, str], ResolvedExecutable | None]
"""``resolver(argv0, cwd, path_env)``: the executable ``argv0`` names, or ``None``.

``argv0`` containing ``/`` is a path (relative ones are relative to ``cwd``); otherwise
it is searched along ``path_env`` (``os.pathsep``-separated).
"""


def temp_roots(tmpdir: str | None = None, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The temporary directories to distrust: :data:`TEMP_ROOTS`, ``$TMPDIR`` and ``extra``."""
    roots = list(TEMP_ROOTS)
    for root in (tmpdir, *extra):
        if root and os.path.isabs(root):
            normalised = os.path.normpath(root)
            roots.append(normalised)
            if normalised.startswith("/var/"):  # macOS: /var → /private/var
                roots.append("/private" + normalised)
    return tuple(dict.fromkeys(roots))


def temp_location(path: str, roots: Iterable[str]) -> str | None:
    """Why ``path`` is in a temporary directory, or ``None``. Pure string logic."""
    normalised = os.path.normpath(path)
    for root in roots:
        if normalised == root or normalised.startswith(root.rstrip("/") + "/"):
            return f"{path} is in the temporary directory {root}"
    return None


def _is_executable_file(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode) and os.access(path, os.X_OK)
    except (OSError, ValueError):  # ValueError: embedded NUL byte
        return False


def world_writable_reason(path: str) -> str | None:
    """Why the file at ``path`` could be swapped by another user, or ``None``.

    The file itself and its directory must not be world-writable (a sticky bit does not
    help: the directory owner's other files may still be planted there), and no
    ancestor may be world-writable without the sticky bit (then the directory itself
    could be renamed away and replaced).
    """
    try:
        if os.stat(path).st_mode & stat.S_IWOTH:
            return f"{path} is world-writable"
        directory = os.path.dirname(path)
        if os.stat(directory).st_mode & stat.S_IWOTH:
            return f"{path} is in the world-writable directory {directory}"
        ancestor = os.path.dirname(directory)
        while True:
            mode = os.stat(ancestor).st_mode
            if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
                return f"{path} is below the world-writable directory {ancestor}"
            parent = os.path.dirname(ancestor)
            if parent == ancestor:
                return None
            ancestor = parent
    except (OSError, ValueError) as exc:
        return f"{path} could not be inspected ({getattr(exc, 'strerror', None) or exc})"


class PathResolver:
    """The default :data:`Resolver`: a shell-like PATH search plus trust checks on disk."""

    def __call__(self, argv0: str, cwd: str, path_env: str) -> ResolvedExecutable | None:
        if not argv0 or "\x00" in argv0:
            return None
        if "/" in argv0:
            candidate = os.path.normpath(os.path.join(cwd, argv0))
            return self._inspect(candidate, None) if _is_executable_file(candidate) else None
        for entry in path_env.split(os.pathsep):
            # POSIX: an empty entry (or ".") means the working directory; any relative
            # entry makes the result depend on where the command happens to run.
            relative = not os.path.isabs(entry)
            candidate = os.path.normpath(os.path.join(cwd, entry, argv0))
            if _is_executable_file(candidate):
                return self._inspect(candidate, f"PATH entry {entry or '(empty)'!r} is relative" if relative else None)
        return None

    @staticmethod
    def _inspect(path: str, reason: str | None) -> ResolvedExecutable:
        real = os.path.realpath(path)
        reason = reason or world_writable_reason(path) or (world_writable_reason(real) if real != path else None)
        return ResolvedExecutable(path, real, reason)
