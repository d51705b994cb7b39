"""Allowlist entries and how they match one resolved simple command (§6.3).

Pattern kinds, as documented for OpenClaw's exec approvals:

* **path glob** (contains ``/``, ``\\`` or starts with ``~``): ``~`` is the home directory;
  the glob must match the whole absolute path where the executable was found or its
  symlink-resolved real path. ``**`` matches anything, ``*`` any run without ``/``,
  ``?`` one character other than ``/``; everything else is literal (no ``[…]`` classes).
  This is ``fnmatch`` made stricter: ``/usr/*`` does not reach into subdirectories.
* **bare name** (no separator): matches the executable's basename, only when the command
  was invoked through PATH *and* our resolution is the very file that the same name
  resolves to on the trusted system PATH. A ``git`` entry therefore never covers a
  ``git`` planted earlier in the user's PATH (our rule; stricter than the reference).
* ``*`` alone (no ``argPattern``, not generated) matches any command that resolved.

``argPattern`` on a manual entry is a regular expression searched in the arguments
joined with single spaces (anchor it yourself). Generated entries (``source:
"allow-always"``) carry our own token instead — a hash binding the working directory
and optionally the exact arguments — and path-only generated entries are ignored. The
token format is ours; OpenClaw's generated entries are inert here (they never match).

The caller must already have rejected relative, unresolved and untrusted executables:
:func:`find_match` assumes the resolution it is given is trustworthy. Pure.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from .resolution import ResolvedExecutable

GENERATED_SOURCE = "allow-always"
_EXACT_PREFIX = "ocd-v1:argv:"
_FOLDER_PREFIX = "ocd-v1:cwd:"


@dataclass(frozen=True, slots=True)
class AllowlistEntry:
    """One ``allowlist[]`` entry of the exec approvals document."""

    pattern: str
    arg_pattern: str | None = None
    id: str | None = None
    source: str | None = None
    last_used_at: int | None = None
    last_used_command: str | None = None
    last_resolved_path: str | None = None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> AllowlistEntry:
        """Lenient: unknown keys and legacy ``commandText`` are dropped, ``lastUsedAt: null`` tolerated."""
        def text(key: str) -> str | None:
            value = raw.get(key)
            return value if isinstance(value, str) and value else None

        used = raw.get("lastUsedAt")
        return cls(
            pattern=str(raw.get("pattern", "")).strip(), arg_pattern=text("argPattern"), id=text("id"),
            source=text("source"), last_used_at=used if isinstance(used, int) and not isinstance(used, bool) else None,
            last_used_command=text("lastUsedCommand"), last_resolved_path=text("lastResolvedPath"),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in (("id", self.id), ("pattern", self.pattern), ("argPattern", self.arg_pattern),
                           ("source", self.source), ("lastUsedAt", self.last_used_at),
                           ("lastUsedCommand", self.last_used_command),
                           ("lastResolvedPath", self.last_resolved_path)):
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True, slots=True)
class MatchContext:
    """What matching needs to know about one simple command.

    ``trusted`` is the same name resolved on the trusted system PATH (``None`` when the
    command was not invoked through PATH or the name is not found there).
    """

    argv: tuple[str, ...]
    static: bool
    resolved: ResolvedExecutable
    via_path: bool
    trusted: ResolvedExecutable | None
    cwd: str
    home: str | None


def exact_token(cwd: str, args: Iterable[str]) -> str:
    """Generated ``argPattern`` binding the exact arguments (``argv[1:]``) and the folder."""
    payload = json.dumps([os.path.normpath(cwd), list(args)], ensure_ascii=False, separators=(",", ":"))
    return _EXACT_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()


def folder_token(cwd: str) -> str:
    """Generated ``argPattern`` binding only the folder (any arguments)."""
    return _FOLDER_PREFIX + hashlib.sha256(os.path.normpath(cwd).encode("utf-8")).hexdigest()


@lru_cache(maxsize=512)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile an allowlist glob to an anchored regex (see the module docstring)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def _path_matches(pattern: str, ctx: MatchContext) -> bool:
    if pattern == "~" or pattern.startswith("~/"):
        if not ctx.home:
            return False
        pattern = ctx.home.rstrip("/") + pattern[1:]
    elif pattern.startswith("~"):
        return False  # ~user forms are not supported: fail closed
    regex = glob_regex(pattern)
    return bool(regex.fullmatch(ctx.resolved.path) or regex.fullmatch(ctx.resolved.real_path))


def _name_matches(pattern: str, ctx: MatchContext) -> bool:
    if not ctx.via_path or ctx.trusted is None or ctx.trusted.real_path != ctx.resolved.real_path:
        return False
    return bool(glob_regex(pattern).fullmatch(ctx.argv[0]))


def _generated_args_match(token: str, ctx: MatchContext) -> bool:
    if token.startswith(_EXACT_PREFIX):
        return ctx.static and token == exact_token(ctx.cwd, ctx.argv[1:])
    if token.startswith(_FOLDER_PREFIX):
        return token == folder_token(ctx.cwd)
    return False  # someone else's encoding (e.g. OpenClaw's): inert


def _manual_args_match(arg_pattern: str, ctx: MatchContext) -> bool:
    if not ctx.static:
        return False
    try:
        return re.search(arg_pattern, " ".join(ctx.argv[1:])) is not None
    except re.error:
        return False  # a broken rule allows nothing


def entry_matches(entry: AllowlistEntry, ctx: MatchContext) -> bool:
    """Whether ``entry`` allows the command described by ``ctx``."""
    pattern = entry.pattern.strip()
    if not pattern or not ctx.argv:
        return False
    generated = entry.source == GENERATED_SOURCE
    if generated and not entry.arg_pattern:
        return False
    if pattern == "*" and not entry.arg_pattern and not generated:
        return True
    if any(sep in pattern for sep in "/\\~"):
        if not _path_matches(pattern, ctx):
            return False
    elif not _name_matches(pattern, ctx):
        return False
    if entry.arg_pattern is None:
        return True
    return _generated_args_match(entry.arg_pattern, ctx) if generated else _manual_args_match(entry.arg_pattern, ctx)


def find_match(entries: Iterable[AllowlistEntry], ctx: MatchContext) -> AllowlistEntry | None:
    """The first entry that matches, preferring entries with ``argPattern`` (more specific)."""
    ordered = sorted(entries, key=lambda e: e.arg_pattern is None)  # stable: keeps document order
    return next((e for e in ordered if entry_matches(e, ctx)), None)


def record_hit(entry: AllowlistEntry, *, resolved_path: str, command: str, now_ms: int) -> AllowlistEntry:
    """The entry updated after a hit (``lastUsedCommand`` is not kept for generated entries)."""
    return replace(entry, last_used_at=now_ms, last_resolved_path=resolved_path,
                   last_used_command=None if entry.source == GENERATED_SOURCE else command)
