"""The session index of one agent (``agents/<id>/sessions/sessions.json``) and the
transcripts it points at. Index writes are atomic; transcript appends are fsynced."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from openclaw_desktop.config.store import atomic_write_text

from .session_keys import agent_of
from .transcript import LoadedTranscript, Transcript

log = logging.getLogger("agent.sessions")


@dataclass(frozen=True)
class SessionEntry:
    """One row of the index (a subset of the reference's SessionEntry)."""

    key: str
    session_id: str
    created_at: int
    updated_at: int
    label: str | None = None
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    last_message_preview: str | None = None

    def to_row(self, active_run_ids: list[str], default_model: str) -> dict[str, Any]:
        """``SessionRow`` for ``sessions.list``."""
        row: dict[str, Any] = {
            "key": self.key, "sessionId": self.session_id, "kind": "direct", "agentId": agent_of(self.key),
            "isMain": self.key.endswith(":main"), "updatedAt": self.updated_at, "lastInteractionAt": self.updated_at,
            "hasActiveRun": bool(active_run_ids), "activeRunIds": active_run_ids,
            "status": "running" if active_run_ids else "done", "inputTokens": self.input_tokens,
            "outputTokens": self.output_tokens, "totalTokens": self.input_tokens + self.output_tokens,
            "model": self.model or default_model, "modelProvider": "anthropic",
        }
        if self.label:
            row["label"] = self.label
        if self.last_message_preview:
            row["lastMessagePreview"] = self.last_message_preview
        return row


class SessionStore:
    """Sessions of every agent under ``<state>/agents``."""

    def __init__(self, agents_dir: Path) -> None:
        self.agents_dir = agents_dir
        self._index: dict[str, dict[str, SessionEntry]] = {}

    def _folder(self, agent_id: str) -> Path:
        return self.agents_dir / agent_id / "sessions"

    def _entries(self, agent_id: str) -> dict[str, SessionEntry]:
        if agent_id not in self._index:
            path = self._folder(agent_id) / "sessions.json"
            entries: dict[str, SessionEntry] = {}
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                for key, data in raw.items():
                    entries[key] = SessionEntry(**{k: v for k, v in data.items() if k in SessionEntry.__dataclass_fields__})
            except FileNotFoundError:
                pass
            except (ValueError, TypeError) as exc:
                # A damaged index is rebuilt from the transcripts rather than trusted.
                log.warning("session index %s unreadable (%s); rebuilding from transcripts", path, exc)
            self._index[agent_id] = entries
        return self._index[agent_id]

    def _save(self, agent_id: str) -> None:
        folder = self._folder(agent_id)
        data = {key: asdict(e) for key, e in self._entries(agent_id).items()}
        atomic_write_text(folder / "sessions.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def list(self, agent_id: str | None = None) -> list[SessionEntry]:
        agents = [agent_id] if agent_id else sorted(p.name for p in self.agents_dir.glob("*") if p.is_dir())
        rows = [e for a in agents for e in self._entries(a).values()]
        return sorted(rows, key=lambda e: e.updated_at, reverse=True)

    def get(self, key: str) -> SessionEntry | None:
        return self._entries(agent_of(key)).get(key)

    def open(self, key: str, now_ms: int, cwd: str) -> tuple[SessionEntry, Transcript, LoadedTranscript]:
        """The session's entry and transcript, created on first use."""
        agent_id = agent_of(key)
        entry = self.get(key)
        folder = self._folder(agent_id)
        if entry is not None and (folder / f"{entry.session_id}.jsonl").exists():
            transcript, loaded = Transcript.open(folder / f"{entry.session_id}.jsonl")
            for problem in loaded.problems:
                log.warning("%s", problem)
            return entry, transcript, loaded
        session_id = entry.session_id if entry else str(uuid.uuid4())
        transcript = Transcript.create(folder, session_id, cwd, now_ms)
        entry = entry or SessionEntry(key, session_id, now_ms, now_ms)
        self.put(entry)
        return entry, transcript, LoadedTranscript(session_id, [], None)

    def put(self, entry: SessionEntry) -> None:
        agent_id = agent_of(entry.key)
        self._entries(agent_id)[entry.key] = entry
        self._save(agent_id)

    def update(self, key: str, **changes: Any) -> SessionEntry:
        entry = self.get(key)
        if entry is None:
            raise KeyError(key)
        entry = replace(entry, **changes)
        self.put(entry)
        return entry

    def delete(self, key: str, *, delete_transcript: bool = True) -> SessionEntry | None:
        agent_id = agent_of(key)
        entry = self._entries(agent_id).pop(key, None)
        if entry is not None:
            self._save(agent_id)
            if delete_transcript:
                (self._folder(agent_id) / f"{entry.session_id}.jsonl").unlink(missing_ok=True)
        return entry
