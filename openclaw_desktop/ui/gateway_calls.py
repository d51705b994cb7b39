"""The few RPC sequences the tray app makes through its link, as plain async functions.

``fetch_snapshot`` takes the listings the tray needs after every (re)connect (events are
not replayed, so what happened while disconnected is read back); methods a gateway does
not have (an older or foreign one in attach mode) count as empty. ``patch_config`` writes
a JSON merge-patch with the base hash ``config.patch`` requires, retrying once when
someone else wrote in between. ``config_summary`` reads what the menu shows from a
``config.get`` view. No Qt; works with anything shaped like ``GatewayLink``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from openclaw_desktop.app import config_value
from openclaw_desktop.client.gateway_client import RpcError
from openclaw_desktop.config.settings import parse_settings
from openclaw_desktop.errors import ConfigError

log = logging.getLogger(__name__)


class Caller(Protocol):
    async def call(self, method: str, params: dict[str, Any] | None = None, *, expect_final: bool = False,
                   timeout_s: float = 30.0) -> Any: ...


@dataclass
class Snapshot:
    """Pending approvals and pairing requests, and who is connected, right after a connect."""

    approvals: list[Any] = field(default_factory=list)
    device_pending: list[Any] = field(default_factory=list)
    node_pending: list[Any] = field(default_factory=list)
    presence: list[Any] = field(default_factory=list)


async def listing(link: Caller, method: str, default: Any) -> Any:
    """One listing call; an ``ok:false`` answer (unknown method, missing scope) gives ``default``."""
    try:
        result = await link.call(method)
    except RpcError as exc:
        log.info("%s unavailable: %s", method, exc)
        return default
    return result if isinstance(result, type(default)) else default


async def fetch_snapshot(link: Caller) -> Snapshot:
    devices = await listing(link, "device.pair.list", {})
    nodes = await listing(link, "node.pair.list", {})
    return Snapshot(approvals=await listing(link, "exec.approval.list", []),
                    device_pending=list(devices.get("pending") or []), node_pending=list(nodes.get("pending") or []),
                    presence=await listing(link, "system-presence", []))


async def patch_config(link: Caller, patch: dict[str, Any]) -> None:
    """``config.patch`` with the current base hash; one retry if the file changed meanwhile."""
    raw = json.dumps(patch)
    for attempt in (1, 2):
        view = await link.call("config.get")
        try:
            await link.call("config.patch", {"raw": raw, "baseHash": view.get("hash")})
            return
        except RpcError as exc:
            if attempt == 2 or exc.details.get("code") != "CONFIG_BASE_HASH_MISMATCH":
                raise


@dataclass(frozen=True)
class ConfigSummary:
    model: str | None
    voice_wake: bool


def config_summary(view: Any) -> ConfigSummary:
    """Model and voice wake from a ``config.get`` result (a foreign config may not parse)."""
    parsed = view.get("parsed") if isinstance(view, dict) else None
    try:
        model: str | None = parse_settings("gateway config", parsed or {}).agent.model
    except ConfigError:
        model = None
    return ConfigSummary(model, config_value(parsed, "voice.wake.enabled") is True)
