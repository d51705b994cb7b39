"""Gateway-global wake-word triggers (reference §8.4): normalisation and storage.

The list is shared by every device: phones read it with ``voicewake.get``, edit it with
``voicewake.set`` and receive ``voicewake.changed``; nodes get a snapshot on connect.
"""

from __future__ import annotations

import json
from typing import Any

from openclaw_desktop.errors import invalid_request
from openclaw_desktop.storage.sqlite import Database

DEFAULT_TRIGGERS = ("openclaw", "claude", "computer")
MAX_TRIGGERS = 32
MAX_TRIGGER_UNITS = 64  # UTF-16 code units, as the reference counts them
_KEY = "voicewake.triggers"


def _truncate_utf16(text: str, units: int) -> str:
    data = text.encode("utf-16-le")[: units * 2]
    return data.decode("utf-16-le", "ignore")  # never split a surrogate pair


def normalize_triggers(raw: Any) -> list[str]:
    """Trim, drop empties, keep the first 32, cut each to 64 UTF-16 units; empty → defaults."""
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        raise invalid_request("voicewake.set requires triggers: string[]")
    out: list[str] = []
    for trigger in raw:
        cleaned = _truncate_utf16(trigger.strip(), MAX_TRIGGER_UNITS).strip()
        if cleaned and cleaned not in out:
            out.append(cleaned)
        if len(out) == MAX_TRIGGERS:
            break
    return out or list(DEFAULT_TRIGGERS)


class TriggerStore:
    """The stored list (kv table), cached in memory."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.triggers: list[str] = list(DEFAULT_TRIGGERS)

    async def load(self) -> None:
        rows = await self._db.fetch_all("SELECT value_json FROM kv WHERE key = ?", (_KEY,))
        if rows:
            try:
                self.triggers = normalize_triggers(json.loads(rows[0][0]))
            except Exception:  # noqa: BLE001 - a damaged row falls back to the defaults
                self.triggers = list(DEFAULT_TRIGGERS)

    async def set(self, raw: Any, now_ms: int) -> list[str]:
        triggers = normalize_triggers(raw)
        await self._db.write([("INSERT OR REPLACE INTO kv VALUES (?, ?, ?)",
                               (_KEY, json.dumps(triggers, ensure_ascii=False), now_ms))])
        self.triggers = triggers
        return triggers
