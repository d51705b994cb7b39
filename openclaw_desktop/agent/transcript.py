"""Append-only JSONL transcripts, one file per session id (reference §9.4 line schema).

Line 1 is the header ``{"type":"session","version":4,"id",…}``; every later line is an
entry ``{"type":"message","id","parentId","timestamp","message":{role, content, …}}``.
Each completed message is written with one ``write`` and fsynced before the caller moves
on, so a process killed mid-turn loses at most the message in flight. Loading ignores
(and reports) a torn last line.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openclaw_desktop.protocol.frames import iso_ms


@dataclass
class LoadedTranscript:
    session_id: str
    messages: list[dict[str, Any]]
    """Stored message objects in order, each with ``__openclaw: {id, seq}``."""
    last_entry_id: str | None
    torn_lines: int = 0
    problems: list[str] = field(default_factory=list)


class Transcript:
    """One session's JSONL file."""

    def __init__(self, path: Path, session_id: str) -> None:
        self.path = path
        self.session_id = session_id
        self._last_id: str | None = None
        self._seq = 0

    @staticmethod
    def create(folder: Path, session_id: str, cwd: str, now_ms: int) -> Transcript:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        t = Transcript(folder / f"{session_id}.jsonl", session_id)
        if not t.path.exists():
            t._append_line({"type": "session", "version": 4, "id": session_id, "timestamp": iso_ms(now_ms), "cwd": cwd})
        return t

    @staticmethod
    def open(path: Path) -> tuple[Transcript, LoadedTranscript]:
        loaded = load(path)
        t = Transcript(path, loaded.session_id)
        t._last_id = loaded.last_entry_id
        t._seq = len(loaded.messages)
        if loaded.torn_lines:
            t._truncate_torn_tail()
        return t, loaded

    def append_message(self, message: dict[str, Any], now_ms: int) -> dict[str, Any]:
        """Durably append one message; returns it with its ``__openclaw`` metadata."""
        entry_id = str(uuid.uuid4())
        stored = {**message, "timestamp": message.get("timestamp", now_ms)}
        self._append_line({"type": "message", "id": entry_id, "parentId": self._last_id, "timestamp": iso_ms(now_ms),
                           "message": stored})
        self._last_id = entry_id
        self._seq += 1
        return {**stored, "__openclaw": {"id": entry_id, "seq": self._seq}}

    def append_reset(self, now_ms: int) -> None:
        entry_id = str(uuid.uuid4())
        self._append_line({"type": "reset", "id": entry_id, "parentId": self._last_id, "timestamp": iso_ms(now_ms)})
        self._last_id = entry_id

    def _append_line(self, obj: dict[str, Any]) -> None:
        data = (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)  # one write per line: a crash tears at most this line
            os.fsync(fd)
        finally:
            os.close(fd)

    def _truncate_torn_tail(self) -> None:
        # Cut the partial last line so the next append starts on a fresh line.
        data = self.path.read_bytes()
        cut = data.rfind(b"\n") + 1
        with open(self.path, "r+b") as fh:
            fh.truncate(cut)
            fh.flush()
            os.fsync(fh.fileno())


def load(path: Path) -> LoadedTranscript:
    """Read a transcript; messages after the last ``reset`` entry form the live history."""
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    torn = 0
    problems: list[str] = []
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines:
        # No trailing newline: the last line was being written when the process died.
        torn, lines = 1, lines[:-1]
        problems.append(f"{path.name}: ignored a torn last line (the process stopped mid-write)")
    session_id = path.stem
    messages: list[dict[str, Any]] = []
    last_id = None
    for number, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
        except ValueError:
            problems.append(f"{path.name}:{number}: unreadable line skipped")
            continue
        kind = entry.get("type")
        if kind == "session":
            session_id = entry.get("id") or session_id
        elif kind == "reset":
            messages = []
            last_id = entry.get("id")
        elif kind == "message" and isinstance(entry.get("message"), dict):
            last_id = entry.get("id")
            messages.append({**entry["message"], "__openclaw": {"id": last_id, "seq": len(messages) + 1}})
    return LoadedTranscript(session_id, messages, last_id, torn, problems)
