"""``health``, ``status``, ``system-presence``: cheap, read-only views of the gateway."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

from openclaw_desktop.protocol import scopes as S

from ..connection import Connection
from ..dispatcher import MethodRegistry
from ..presence import presence_list
from ..services import GatewayServices

_TASK_STATES = ("queued", "running", "succeeded", "failed", "timed_out", "cancelled", "lost")
_TASK_RUNTIMES = ("subagent", "acp", "cli", "cron")
_AUDIT_CODES = ("stale_queued", "stale_running", "lost", "delivery_failed", "missing_cleanup",
                "inconsistent_timestamps")


def health_summary(svc: GatewayServices) -> dict[str, Any]:
    """The HealthSummary; shaped so the official CLI's health/status formatters work."""
    start = svc.clock_ms()
    sessions = {"path": str(svc.config.paths.state_dir / "agents" / "main" / "sessions"), "count": 0, "recent": []}
    return {
        "ok": True, "ts": start, "durationMs": max(0, svc.clock_ms() - start),
        "channels": {}, "channelOrder": [], "channelLabels": {}, "heartbeatSeconds": 0,
        "defaultAgentId": "main",
        "agents": [{"agentId": "main", "name": "Main", "isDefault": True, "sessions": sessions}],
        "sessions": sessions,
    }


def register(reg: MethodRegistry, svc: GatewayServices) -> None:
    async def health(_conn: Connection, _params: Any) -> dict[str, Any]:
        return health_summary(svc)

    async def status(conn: Connection, params: Any) -> dict[str, Any]:
        """Shaped like the official ``getStatusSummary`` so ``openclaw status`` renders it."""
        gw = svc.config.settings.gateway
        live = svc.hub.authenticated()
        sessions = health_summary(svc)["sessions"]
        out: dict[str, Any] = {
            "ok": True, "ts": svc.clock_ms(), "version": svc.version, "runtime": "python",
            "runtimeVersion": platform.python_version(), "platform": sys.platform, "host": svc.host_name,
            "uptimeMs": svc.uptime_ms(), "bootId": svc.boot_id,
            "gateway": {"url": svc.url, "port": svc.port, "bind": gw.bind, "authMode": gw.auth.mode},
            "connections": {"total": len(live),
                            "operators": sum(1 for c in live if c.role == S.ROLE_OPERATOR),
                            "nodes": sum(1 for c in live if c.role == S.ROLE_NODE)},
            "heartbeat": {"defaultAgentId": "main", "agents": [
                {"agentId": "main", "enabled": False, "every": None, "everyMs": None, "waitingForRoute": False}]},
            "queuedSystemEvents": [], "degradedSecretOwners": [], "channelSummary": [],
            "tasks": {"total": 0, "active": 0, "terminal": 0, "failures": 0,
                      "byStatus": dict.fromkeys(_TASK_STATES, 0), "byRuntime": dict.fromkeys(_TASK_RUNTIMES, 0)},
            "taskAudit": {"total": 0, "warnings": 0, "errors": 0, "byCode": dict.fromkeys(_AUDIT_CODES, 0)},
            "sessions": {"paths": [sessions["path"]], "count": 0, "defaults": {"model": None, "contextTokens": None},
                         "recent": [], "byAgent": [{"agentId": "main", **sessions}]},
        }
        if isinstance(params, dict) and params.get("includeCliProjection"):
            out["cliProjection"] = {"agents": {"defaultId": "main", "ownership": "gateway", "selectionRequired": False,
                                               "rows": [{"id": "main", "name": "Main"}]},
                                    "updateChannel": None, "memoryPlugin": None}
        if S.scope_satisfied(S.ADMIN, conn.scopes):
            out["pid"] = os.getpid()
            out["stateDir"] = str(svc.config.paths.state_dir)
            out["configPath"] = str(svc.config.paths.config_path)
        return out

    async def system_presence(_conn: Connection, _params: Any) -> list[dict[str, Any]]:
        return presence_list(svc)

    reg.add("health", S.ANY_ROLE, health)
    reg.add("status", S.READ, status)
    reg.add("system-presence", S.READ, system_presence)
