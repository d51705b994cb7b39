"""Allow-always grants: how far one human "allow always" reaches.

Four scopes (names shared with the broker's ``GrantChoice``):

* ``exact`` — this executable with exactly these arguments, in this folder;
* ``executable-in-folder`` — this executable with any arguments, in this folder;
* ``session`` — this executable with any arguments, for one session key;
* ``timed`` — this executable with any arguments until ``expires_at_ms``.

Grants bind the *resolved real path*, never the name typed, so a grant for
``/usr/bin/git`` does not cover a ``git`` planted earlier in PATH. A grant only ever
covers a :attr:`~.policy.SegmentDecision.grantable` segment (resolved, trusted location,
static words, no hazard of its own); :func:`grants_cover` additionally requires the
whole command to be hazard-free, so inline code and wrappers are never auto-allowed.
The first two scopes persist as allowlist entries (:func:`grant_to_entry`); session and
timed grants live only in memory. Pure: the clock comes in as ``now_ms``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .allowlist import GENERATED_SOURCE, AllowlistEntry, exact_token, folder_token
from .policy import Decision, DecisionKind, SegmentDecision


class GrantScope(StrEnum):
    EXACT = "exact"
    EXECUTABLE_IN_FOLDER = "executable-in-folder"
    SESSION = "session"
    TIMED = "timed"


@dataclass(frozen=True, slots=True)
class Grant:
    """One grant; which optional fields are set depends on ``scope`` (use the constructors)."""

    scope: GrantScope
    executable: str
    cwd: str | None = None
    args: tuple[str, ...] | None = None
    session_key: str | None = None
    expires_at_ms: int | None = None

    @classmethod
    def exact(cls, executable: str, args: Iterable[str], cwd: str) -> Grant:
        return cls(GrantScope.EXACT, executable, os.path.normpath(cwd), tuple(args))

    @classmethod
    def in_folder(cls, executable: str, cwd: str) -> Grant:
        return cls(GrantScope.EXECUTABLE_IN_FOLDER, executable, os.path.normpath(cwd))

    @classmethod
    def session(cls, executable: str, session_key: str) -> Grant:
        return cls(GrantScope.SESSION, executable, session_key=session_key)

    @classmethod
    def timed(cls, executable: str, *, now_ms: int, minutes: int) -> Grant:
        return cls(GrantScope.TIMED, executable, expires_at_ms=now_ms + minutes * 60_000)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scope": str(self.scope), "executable": self.executable}
        for key, value in (("cwd", self.cwd), ("args", list(self.args) if self.args is not None else None),
                           ("sessionKey", self.session_key), ("expiresAtMs", self.expires_at_ms)):
            if value is not None:
                out[key] = value
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Grant:
        """Parse a stored grant; raise ``ValueError`` when it is malformed."""
        scope = GrantScope(str(raw.get("scope")))
        executable, args, expires = raw.get("executable"), raw.get("args"), raw.get("expiresAtMs")
        if not isinstance(executable, str) or not executable.startswith("/"):
            raise ValueError("grant executable must be an absolute path")
        if args is not None and (not isinstance(args, list) or not all(isinstance(a, str) for a in args)):
            raise ValueError("grant args must be an array of strings")
        if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int)):
            raise ValueError("grant expiresAtMs must be an integer")
        cwd, key = raw.get("cwd"), raw.get("sessionKey")
        return cls(scope, executable, cwd if isinstance(cwd, str) else None,
                   tuple(args) if args is not None else None, key if isinstance(key, str) else None, expires)


def grant_for(scope: GrantScope | str, segment: SegmentDecision, *, cwd: str, session_key: str | None = None,
              now_ms: int = 0, minutes: int | None = None) -> Grant | None:
    """The grant an allow-always with ``scope`` mints for ``segment``; ``None`` when none may be."""
    if not segment.grantable or segment.executable is None:
        return None
    scope, exe = GrantScope(scope), segment.executable
    if scope == GrantScope.EXACT:
        return Grant.exact(exe, segment.argv[1:], cwd)
    if scope == GrantScope.EXECUTABLE_IN_FOLDER:
        return Grant.in_folder(exe, cwd)
    if scope == GrantScope.SESSION:
        return Grant.session(exe, session_key) if session_key else None
    return Grant.timed(exe, now_ms=now_ms, minutes=minutes) if minutes and minutes > 0 else None


def grant_matches(grant: Grant, segment: SegmentDecision, cwd: str, session_key: str | None, now_ms: int) -> bool:
    """Whether ``grant`` covers ``segment`` run in ``cwd`` for ``session_key`` at ``now_ms``."""
    if not segment.grantable or segment.executable != grant.executable:
        return False
    if grant.expires_at_ms is not None and now_ms >= grant.expires_at_ms:
        return False
    here = os.path.normpath(cwd)
    if grant.scope == GrantScope.EXACT:
        return grant.cwd == here and grant.args == segment.argv[1:]
    if grant.scope == GrantScope.EXECUTABLE_IN_FOLDER:
        return grant.cwd == here
    if grant.scope == GrantScope.SESSION:
        return bool(grant.session_key) and grant.session_key == session_key
    return grant.expires_at_ms is not None  # timed: unexpired (checked above)


def grants_cover(grants: Iterable[Grant], decision: Decision, cwd: str, session_key: str | None,
                 now_ms: int) -> bool:
    """Whether the grants cover every segment of a hazard-free command that would otherwise ask."""
    grants = tuple(grants)
    if decision.kind != DecisionKind.ASK or decision.hazards or not decision.segments:
        return False
    return all(s.allowlisted or any(grant_matches(g, s, cwd, session_key, now_ms) for g in grants)
               for s in decision.segments)


def grant_to_entry(grant: Grant, entry_id: str | None = None) -> AllowlistEntry | None:
    """The allowlist entry that persists ``grant``; ``None`` for session and timed grants.

    Also ``None`` when the path contains glob characters, which our pattern syntax cannot
    escape (the entry would match more than the one file).
    """
    if any(c in grant.executable for c in "*?") or not grant.executable.startswith("/") or grant.cwd is None:
        return None
    if grant.scope == GrantScope.EXACT and grant.args is not None:
        token = exact_token(grant.cwd, grant.args)
    elif grant.scope == GrantScope.EXECUTABLE_IN_FOLDER:
        token = folder_token(grant.cwd)
    else:
        return None
    return AllowlistEntry(pattern=grant.executable, arg_pattern=token, id=entry_id, source=GENERATED_SOURCE)
