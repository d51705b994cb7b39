"""The config file on disk: JSON5 read, hash, redaction, merge-patch and atomic writes.

A file that fails to parse or validate is reported (file, key, problem) and never
overwritten. Writes go to a temp file in the same folder, are fsynced and renamed
over the original, so a crash leaves either the old or the new file, never half.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import json5

from openclaw_desktop.errors import ConfigError
from openclaw_desktop.protocol.constants import REDACTED_SENTINEL

from .settings import Settings, parse_settings

_SECRET_KEYS = frozenset({"token", "password", "apikey", "secret", "privatekey", "bootstraptoken"})


@dataclass(frozen=True)
class ConfigSnapshot:
    """What is on disk right now (``raw`` is None when the file does not exist)."""

    path: Path
    raw: str | None
    parsed: dict[str, Any]
    settings: Settings

    @property
    def exists(self) -> bool:
        return self.raw is not None

    @property
    def hash(self) -> str:
        return text_hash(self.raw or "")


def text_hash(text: str) -> str:
    """SHA-256 hex of the file text (the ``baseHash`` of config writes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_text(path: Path, text: str) -> tuple[dict[str, Any], Settings]:
    """Parse JSON5 and validate; ConfigError names the file, key and problem."""
    try:
        doc = json5.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise ConfigError(str(path), "", f"invalid JSON5: {exc}") from None
    return doc, parse_settings(str(path), doc)


def load(path: Path) -> ConfigSnapshot:
    """Read and validate the config file (a missing file means all defaults)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ConfigSnapshot(path, None, {}, Settings())
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read file: {exc}") from None
    doc, settings = parse_text(path, raw)
    return ConfigSnapshot(path, raw, doc, settings)


def atomic_write_text(path: Path, text: str, mode: int = 0o600) -> None:
    """Write ``text`` to ``path`` atomically with the given permissions."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    # Make the rename itself durable.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def redact(value: Any) -> Any:
    """Replace secret-looking values with the reference's sentinel string."""
    if isinstance(value, dict):
        return {k: (REDACTED_SENTINEL if _is_secret(k, v) else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _is_secret(key: str, value: Any) -> bool:
    return key.lower() in _SECRET_KEYS and isinstance(value, str) and bool(value)


def redact_raw(raw: str, doc: dict[str, Any]) -> str:
    """The file text with every secret string value replaced by the sentinel."""
    out = raw
    for secret in sorted(_collect_secrets(doc), key=len, reverse=True):
        for quoted in (json.dumps(secret), f"'{secret}'"):
            out = out.replace(quoted, json.dumps(REDACTED_SENTINEL))
    return out


def _collect_secrets(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            found |= {v} if _is_secret(k, v) else _collect_secrets(v)
    elif isinstance(value, list):
        for v in value:
            found |= _collect_secrets(v)
    return found


def restore_sentinels(new: Any, current: Any) -> Any:
    """Put back the current secret wherever a writer echoed the sentinel."""
    if isinstance(new, dict):
        cur = current if isinstance(current, dict) else {}
        return {k: (cur.get(k) if v == REDACTED_SENTINEL else restore_sentinels(v, cur.get(k))) for k, v in new.items()}
    if isinstance(new, list):
        cur = current if isinstance(current, list) else []
        return [restore_sentinels(v, cur[i] if i < len(cur) else None) for i, v in enumerate(new)]
    return new


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (``null`` deletes a key)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def dump(doc: dict[str, Any]) -> str:
    """Serialise a document we write ourselves (plain JSON, a valid JSON5 subset)."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
