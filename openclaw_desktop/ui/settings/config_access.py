"""Reading and patching the gateway's config through the link (``config.get``/``config.patch``).

Every write is a JSON merge-patch of only the keys a control owns, sent with the base
hash of the document it was based on. Writes are serialised, and a write that loses a
race with another writer (``CONFIG_BASE_HASH_MISMATCH``) re-reads the hash and tries
once more: a merge-patch of our own keys is still what the user meant. Secrets in the
document come back redacted and are never echoed into a patch. No Qt in here.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from openclaw_desktop.client.gateway_client import RpcError

from .ports import SettingsLink

_MISSING = object()


def lookup(doc: Any, dotted: str, default: Any = None) -> Any:
    """``a.b.c`` in a nested dict; ``default`` when any step is missing or not an object."""
    node = doc
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return default
        node = node.get(part, _MISSING)
        if node is _MISSING:
            return default
    return node


def nested(dotted: str, value: Any) -> dict[str, Any]:
    """``nested("a.b", 1) == {"a": {"b": 1}}`` (a merge-patch for one key; None deletes it)."""
    out: Any = value
    for part in reversed(dotted.split(".")):
        out = {part: out}
    return out


def merge(*patches: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge several one-key patches into one."""
    out: dict[str, Any] = {}
    for patch in patches:
        _merge_into(out, patch)
    return out


def _merge_into(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge_into(target[key], value)
        else:
            target[key] = value


@dataclass(frozen=True)
class ConfigView:
    """One ``config.get`` answer: the file (redacted), the effective settings and the hash."""

    parsed: dict[str, Any]
    effective: dict[str, Any]
    hash: str | None
    path: str

    def get(self, dotted: str, default: Any = None) -> Any:
        """A value from the file as written (what the user set)."""
        return lookup(self.parsed, dotted, default)

    def effective_value(self, dotted: str, default: Any = None) -> Any:
        """A value the gateway runs with (file, defaults and command-line overrides)."""
        return lookup(self.effective, dotted, default)


class ConfigAccess:
    """``config.get``/``config.patch`` over the link, one write at a time."""

    def __init__(self, link: SettingsLink) -> None:
        self.link = link
        self._lock = asyncio.Lock()

    async def load(self) -> ConfigView:
        view = await self.link.call("config.get", {})
        parsed = view.get("parsed") if isinstance(view.get("parsed"), dict) else {}
        effective = view.get("config") if isinstance(view.get("config"), dict) else {}
        return ConfigView(parsed, effective, view.get("hash"), str(view.get("path") or ""))

    async def patch(self, patch: dict[str, Any]) -> ConfigView:
        """Apply ``patch``; returns the document as now on disk. RpcError when invalid."""
        async with self._lock:
            for attempt in (1, 2):
                current = await self.load()
                try:
                    await self.link.call("config.patch", {"raw": json.dumps(patch), "baseHash": current.hash})
                except RpcError as exc:
                    if attempt == 1 and exc.details.get("code") == "CONFIG_BASE_HASH_MISMATCH":
                        continue  # someone else wrote in between: re-read the hash, patch again
                    raise
                return await self.load()
        raise AssertionError("unreachable")

    async def set_value(self, dotted: str, value: Any) -> ConfigView:
        """Patch one key (``None`` removes it)."""
        return await self.patch(nested(dotted, value))
