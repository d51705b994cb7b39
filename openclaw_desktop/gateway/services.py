"""The bag of services handlers need, built once by the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from openclaw_desktop.config.service import ConfigService
from openclaw_desktop.pairing.store import PairingStore
from openclaw_desktop.protocol.ratelimit import AuthRateLimiter

from .hub import Hub

if TYPE_CHECKING:
    from .connection import Connection


@dataclass
class GatewayServices:
    """Shared state of one running gateway (no module-level instances anywhere)."""

    config: ConfigService
    pairing: PairingStore
    hub: Hub
    clock_ms: Callable[[], int]
    log_path: Path
    version: str
    boot_id: str
    started_ms: int
    host_name: str
    rate_limiter: AuthRateLimiter = field(default_factory=AuthRateLimiter)
    connect_hooks: list[Callable[[Connection], Awaitable[None]]] = field(default_factory=list)
    """Awaited after admission, just before ``hello-ok`` is sent (node registration)."""
    ready_hooks: list[Callable[[Connection], Awaitable[None]]] = field(default_factory=list)
    """Awaited right after ``hello-ok`` was sent (snapshots the client expects after it)."""
    disconnect_hooks: list[Callable[[Connection], None]] = field(default_factory=list)
    """Called after an authenticated connection is gone (pending work fails closed)."""
    url: str = ""
    port: int = 0
    """The bound port (differs from the configured one when that was 0)."""

    def uptime_ms(self) -> int:
        return max(0, self.clock_ms() - self.started_ms)
