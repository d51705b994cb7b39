"""Server-side node command policy (reference §5.3). Pure.

A command may be invoked only when the node declared it, its approved surface holds it,
the gateway allowlist for the node's platform contains it (platform defaults plus
``gateway.nodes.commands.allow`` minus ``deny``), dangerous commands were explicitly
allowed, and it is not private.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SYSTEM_SET = frozenset({"system.run.prepare", "system.run", "system.which", "system.execApprovals.get",
                        "system.execApprovals.set", "fs.listDir", "terminal.upload", "system.notify", "browser.proxy",
                        "browser.proxy.upload.v1", "mcp.tools.call.v1", "agent.cli.claude.run.v1"})
_MOBILE_COMMON = {"device.info", "device.status", "contacts.search", "calendar.events", "reminders.list",
                  "photos.latest", "motion.activity", "motion.pedometer"}
PLATFORM_DEFAULTS: dict[str, frozenset[str]] = {
    "ios": frozenset({"camera.list", "location.get", "system.notify", *_MOBILE_COMMON}),
    "watchos": frozenset({"device.info", "device.status", "system.notify"}),
    "android": frozenset({"camera.list", "location.get", "notifications.list", "notifications.actions",
                          "system.notify", "device.permissions", "device.health", "device.apps", "callLog.search",
                          "mobile.ui.observe", "mobile.ui.act", *_MOBILE_COMMON}),
    "macos": frozenset({"camera.list", "camera.ptz.status", "location.get", "device.apps", "screen.snapshot",
                        "desktop.stream", "computer.act", *_MOBILE_COMMON, *SYSTEM_SET}),
    # Our own desktop node also reports camera and location on Linux and Windows.
    "linux": frozenset({"screen.snapshot", "desktop.stream", "computer.act", "camera.list", "location.get",
                        *SYSTEM_SET}),
    "windows": frozenset({"camera.list", "location.get", "device.info", "device.status", "screen.snapshot",
                          "desktop.stream", "computer.act", *SYSTEM_SET}),
    "unknown": frozenset({"camera.list", "location.get", "system.notify"}),
}
DANGEROUS = frozenset({"camera.snap", "camera.clip", "camera.ptz.control", "screen.record", "contacts.add",
                       "calendar.add", "reminders.add", "sms.send", "sms.search", "health.summary"})
ADMIN_ONLY = frozenset({"browser.proxy", "browser.proxy.upload.v1", "fs.listDir", "terminal.upload"})
# Never relayed by node.invoke: approvals have their own RPCs, and system.run goes through
# the exec path so the command-safety policy applies.
NOT_INVOCABLE = frozenset({"system.execApprovals.get", "system.execApprovals.set", "system.run",
                           "system.run.prepare"})
_ADMIN_APPROVE = frozenset({"system.run", "system.run.prepare", "system.which", "browser.proxy",
                            "browser.proxy.upload.v1", "fs.listDir", "system.execApprovals.get",
                            "system.execApprovals.set"})


def platform_id(platform: str | None, family: str | None) -> str:
    """Map ``client.platform`` + ``client.deviceFamily`` to a policy platform id."""
    p, f = (platform or "").strip().lower(), (family or "").strip().lower()
    for exact in ("ios", "watchos", "android", "macos", "windows", "linux"):
        if p == exact and (not f or f == exact or (exact, f) in {("macos", "mac"), ("ios", "iphone"),
                                                                 ("ios", "ipad")}):
            return exact
    if re.match(r"^(ios|ipados)(\s|$)", p) or f in ("iphone", "ipad", "ios"):
        return "ios"
    if re.match(r"^android(\s|$)", p) or f == "android":
        return "android"
    if p.startswith("macos") or p == "darwin" or f == "mac":
        return "macos"
    if p in ("win32", "windows") or f == "windows":
        return "windows"
    if p == "linux" or f == "linux":
        return "linux"
    if f in ("apple watch", "watchos"):
        return "watchos"
    return "unknown"


def required_approve_scopes(commands: Iterable[str]) -> list[str]:
    """Scopes an operator needs to approve this surface (reference node-pairing authz)."""
    commands = set(commands)
    if not commands:
        return ["operator.pairing"]
    if commands & _ADMIN_APPROVE:
        return ["operator.pairing", "operator.admin"]
    return ["operator.pairing", "operator.write"]


def check_invoke(command: str, *, platform: str, declared: Iterable[str], approved: Iterable[str] | None,
                 allow: Iterable[str] = (), deny: Iterable[str] = ()) -> str | None:
    """Why ``command`` may not be invoked on this node (None when it may)."""
    prefix = "node command not allowed:"
    if command.startswith("worker.") or command in NOT_INVOCABLE:
        return f'{prefix} "{command}" cannot be invoked through node.invoke'
    if command not in set(declared):
        return f'{prefix} the node (platform: {platform}) does not support "{command}"'
    if approved is None or command not in set(approved):
        return (f"{prefix} the node's declared command surface is pending approval; "
                "approve it with `openclaw nodes approve <requestId>`")
    if command in set(deny):
        return f'{prefix} "{command}" is blocked by gateway.nodes.commands.deny'
    if command in DANGEROUS and command not in set(allow):
        return f'{prefix} "{command}" requires explicit gateway.nodes.commands.allow opt-in'
    allowed = PLATFORM_DEFAULTS.get(platform, PLATFORM_DEFAULTS["unknown"]) | set(allow)
    if command not in allowed and command not in DANGEROUS:
        return f'{prefix} "{command}" is not in the allowlist for platform "{platform}"'
    return None
