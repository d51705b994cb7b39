"""The exec approvals document on disk (``<state>/exec-approvals.json``).

Same JSON shape and hash rules as the reference: the text is the document dumped with
2-space indent plus a newline, the compare-and-swap hash is its SHA-256, and a missing
file hashes as ``missing:`` + SHA-256 of the empty string. A corrupt file never opens
the gate: it reads as the fail-closed defaults (security deny) and is left untouched.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

from openclaw_desktop.config.store import atomic_write_text
from openclaw_desktop.errors import invalid_request

from .document import DocumentError, parse_document

# The desktop default is stricter than the official host default (full/off): the agent
# may run allowlisted commands, everything else asks the user, and no answer means deny.
DESKTOP_DEFAULTS = {"security": "allowlist", "ask": "on-miss", "askFallback": "deny", "autoAllowSkills": False}
CORRUPT_DEFAULTS = {"security": "deny", "ask": "off", "askFallback": "deny", "autoAllowSkills": False}


def dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def text_hash(text: str | None) -> str:
    if text is None:
        return "missing:" + hashlib.sha256(b"").hexdigest()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def validate(doc: Any) -> dict[str, Any]:
    """Check the document with the policy parser; INVALID_REQUEST names the bad field."""
    try:
        parse_document(doc)
    except DocumentError as exc:
        raise invalid_request(str(exc), {"key": exc.key}) from None
    return doc


class ApprovalsDocumentStore:
    """Read/write the document with base-hash concurrency control."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.corrupt_reason: str | None = None

    def _read_text(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def load(self) -> tuple[dict[str, Any], str]:
        """The document (defaults when missing; fail-closed defaults when corrupt) and its hash."""
        text = self._read_text()
        if text is None:
            self.corrupt_reason = None
            return {"version": 1, "defaults": dict(DESKTOP_DEFAULTS), "agents": {}}, text_hash(None)
        try:
            doc = validate(json.loads(text))
            self.corrupt_reason = None
        except (ValueError, RecursionError, Exception) as exc:  # noqa: BLE001 - any damage: fail closed
            self.corrupt_reason = str(exc)
            doc = {"version": 1, "defaults": dict(CORRUPT_DEFAULTS), "agents": {}}
        return doc, text_hash(text)

    def view(self) -> dict[str, Any]:
        """``exec.approvals.get`` result (socket token redacted)."""
        doc, digest = self.load()
        shown = copy.deepcopy(doc)
        if isinstance(shown.get("socket"), dict):
            shown["socket"].pop("token", None)
        defaults = {**DESKTOP_DEFAULTS, **doc.get("defaults", {})}
        out = {"path": str(self.path), "exists": self.path.exists(), "hash": digest, "file": shown,
               "resolvedDefaults": defaults}
        if self.corrupt_reason:
            out["error"] = f"document unreadable, exec is denied until it is fixed: {self.corrupt_reason}"
        return out

    def save(self, doc: Any, base_hash: str | None) -> dict[str, Any]:
        """``exec.approvals.set``: validate, check the base hash, write atomically."""
        current = self._read_text()
        if current is not None:
            if not base_hash:
                raise invalid_request("exec approvals base hash required; re-run exec.approvals.get and retry")
            if base_hash != text_hash(current):
                raise invalid_request("exec approvals changed since last load; re-run exec.approvals.get and retry")
        validate(doc)
        atomic_write_text(self.path, dump(doc))
        return self.view()

    def update(self, mutate: Any) -> dict[str, Any]:
        """Apply ``mutate(doc)`` to the current document and write it (used for grants).

        Refuses to rewrite a corrupt file: that would silently drop the user's rules.
        """
        doc, _ = self.load()
        if self.corrupt_reason:
            raise invalid_request(f"exec approvals document is unreadable: {self.corrupt_reason}")
        mutate(doc)
        atomic_write_text(self.path, dump(validate(doc)))
        return doc
