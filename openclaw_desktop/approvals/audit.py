"""Append-only audit trail of every exec decision (``<state>/logs/exec-audit.jsonl``).

One JSON object per line: what was asked, what the policy said and why, who approved
or denied, and how the command ended. Each line is flushed and fsynced before the
command runs or the denial is returned, so the trail survives a crash.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any


class AuditLog:
    """Thread-safe appender (the exec path may log from worker threads)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)

    def read(self) -> list[dict[str, Any]]:
        """All entries (torn trailing lines from a crash are skipped)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        out = []
        for line in text.splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out
