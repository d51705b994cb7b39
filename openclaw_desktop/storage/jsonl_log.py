"""The gateway's own JSON-lines log: a logging handler that writes one object per line,
and a reader for ``logs.tail`` that pages through it by byte cursor."""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path


class JsonLinesHandler(logging.Handler):
    """Append records as ``{"time","level","subsystem","msg",...}`` lines (flushed per line)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = path
        self._fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        os.chmod(path, 0o600)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            entry = {
                "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                + f".{int(record.msecs):03d}Z",
                "level": record.levelname.lower(),
                "subsystem": record.name,
                "msg": record.getMessage(),
            }
            extra = getattr(record, "fields", None)
            if isinstance(extra, dict):
                entry.update(extra)
            if record.exc_info:
                entry["error"] = self.format(record).split("\n", 1)[-1]
            self._fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
            self._fh.flush()
        except Exception:  # logging must never raise into the caller
            self.handleError(record)

    def close(self) -> None:
        try:
            self._fh.close()
        finally:
            super().close()


@dataclass(frozen=True)
class TailResult:
    file: str
    cursor: int
    size: int
    lines: list[str]
    truncated: bool
    reset: bool

    def to_wire(self) -> dict[str, object]:
        return {"file": self.file, "cursor": self.cursor, "size": self.size, "lines": self.lines,
                "truncated": self.truncated, "reset": self.reset}


def tail(path: Path, cursor: int | None, limit: int, max_bytes: int) -> TailResult:
    """Lines after ``cursor`` (a byte offset), or the last ``limit`` lines without one.

    A cursor beyond the end (the file was rotated or truncated) restarts from the top
    with ``reset: true``. At most ``limit`` lines / ``max_bytes`` bytes are returned.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return TailResult(str(path), 0, 0, [], False, cursor not in (None, 0))
    reset = cursor is not None and cursor > size
    with open(path, "rb") as fh:
        if cursor is None:
            start = max(0, size - max_bytes)
            fh.seek(start)
            data = fh.read(size - start)
            if start > 0:  # drop the partial first line
                data = data.split(b"\n", 1)[1] if b"\n" in data else b""
            lines = data.splitlines()
            truncated = start > 0 or len(lines) > limit
            lines = lines[-limit:]
            end = size
        else:
            start = 0 if reset else cursor
            fh.seek(start)
            data = fh.read(min(max_bytes, size - start))
            complete, sep, _partial = data.rpartition(b"\n")
            lines = complete.splitlines() if sep else []
            truncated = len(lines) > limit or start + len(data) < size
            lines = lines[:limit]
            end = start + sum(len(line) + 1 for line in lines)
    return TailResult(str(path), end, size, [ln.decode("utf-8", "replace") for ln in lines], truncated, reset)
