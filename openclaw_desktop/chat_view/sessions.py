"""The session picker's model, the link banner and which controls are enabled.

Pure: ``sessions.list`` rows in, choices out; the clock is passed in. A new session is
only a fresh key until its first message (the gateway creates sessions on ``chat.send``),
so the picker keeps keys it made itself until the list contains them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openclaw_desktop.agent.session_keys import normalize_session_key

from .summaries import one_line

MAIN_KEY = normalize_session_key("main")
TITLE_LIMIT = 48


@dataclass(frozen=True)
class SessionChoice:
    """One entry of the picker."""

    key: str
    title: str
    running: bool = False
    preview: str | None = None
    updated_at: int = 0


def session_title(key: str, label: Any = None) -> str:
    """The label when there is one, else the key without its ``agent:<id>:`` prefix."""
    if isinstance(label, str) and label.strip():
        return one_line(label, TITLE_LIMIT)
    parts = key.split(":", 2)
    rest = parts[2] if len(parts) == 3 and parts[0] == "agent" else key
    agent = parts[1] if len(parts) == 3 else "main"
    return rest if agent == "main" else f"{rest} ({agent})"


def session_choices(result: Any, current: str, made_here: Iterable[str] = ()) -> list[SessionChoice]:
    """Choices from a ``sessions.list`` result: main first, then newest first; the current
    key and keys made here that the gateway does not know yet are kept."""
    rows = result.get("sessions") if isinstance(result, dict) else None
    seen: dict[str, SessionChoice] = {}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not isinstance(row.get("key"), str):
            continue
        key = row["key"]
        preview = row.get("lastMessagePreview")
        updated = row.get("updatedAt")
        seen[key] = SessionChoice(key, session_title(key, row.get("label")), bool(row.get("hasActiveRun")),
                                  one_line(preview, 200) if isinstance(preview, str) else None,
                                  updated if isinstance(updated, int) and not isinstance(updated, bool) else 0)
    for key in (MAIN_KEY, current, *made_here):
        if key not in seen:
            seen[key] = SessionChoice(key, session_title(key))
    return sorted(seen.values(), key=lambda c: (c.key != MAIN_KEY, -c.updated_at, c.key))


def new_session_key(now_ms: int, taken: Iterable[str], agent_id: str = "main") -> str:
    """``agent:<id>:chat-YYYYMMDD-HHMMSS`` (UTC), with ``-2``, ``-3``… if that is taken."""
    stamp = datetime.fromtimestamp(now_ms / 1000, UTC).strftime("%Y%m%d-%H%M%S")
    base = f"agent:{agent_id}:chat-{stamp}"
    used = set(taken)
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base}-{n}"
    return key


@dataclass(frozen=True)
class Controls:
    """What the window enables and the banner it shows (None: no banner)."""

    send: bool
    abort: bool
    banner: str | None


def controls(link_state: str, last_error: str | None, running: bool, has_text: bool,
             loading: bool = False) -> Controls:
    """Send needs a live link, some text and no history load going; abort needs a live
    link and a run going."""
    connected = link_state == "connected"
    if connected:
        banner = "loading…" if loading else None
    elif link_state == "stopped":
        banner = "not connected — the connection was closed"
    elif link_state == "connecting" and not last_error:
        banner = "connecting to the gateway…"  # the first attempt; later ones are "retrying"
    else:
        banner = "not connected — retrying" + (f" ({one_line(last_error, 120)})" if last_error else "")
    # Sending waits for a history load: the load replaces the rows a message would add.
    return Controls(send=connected and has_text and not loading, abort=connected and running, banner=banner)
