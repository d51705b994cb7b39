"""This desktop as a node of the gateway the app talks to, run inside the tray app.

The same ``DesktopNode`` as ``openclaw-desktop node``, with the Qt adapters (screen,
camera, location) and the tray's :class:`~openclaw_desktop.ui.notifier.TrayNotifier`
for ``system.notify``. Which commands it declares comes from the config file: the
default-on ones, plus ``node.commands.enabled`` (the list ``openclaw-desktop node`` reads
too), then Settings → Permissions' ``desktop.permissions`` toggles (``screen``, ``camera``,
``location``, ``notify``, ``run``); sensitive commands stay off until switched on. :meth:`NodeRunner.reload` restarts the node when that list changed,
because a node declares its commands only when it connects.

Qt is only touched through ``qt_ports``; start and stop run on the app's loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from openclaw_desktop.app import config_value
from openclaw_desktop.config import store
from openclaw_desktop.errors import ConfigError
from openclaw_desktop.nodes.desktop.client import DesktopNode, NodeSettings, NodeStatus
from openclaw_desktop.nodes.desktop.commands import enabled_commands
from openclaw_desktop.nodes.desktop.launcher import (
    NodeLaunch,
    build_node,
    configured_commands,
    log_status,
)
from openclaw_desktop.nodes.desktop.ports import Notifier, SystemRunner

log = logging.getLogger(__name__)


PERMISSIONS_KEY = "desktop.permissions"
PERMISSION_COMMANDS: dict[str, frozenset[str]] = {
    "screen": frozenset({"screen.snapshot", "screen.record"}),
    "camera": frozenset({"camera.snap", "camera.clip"}),
    "location": frozenset({"location.get"}),
    "notify": frozenset({"system.notify"}),
    "run": frozenset({"system.run"}),
}
"""Settings → Permissions toggles (``desktop.permissions.<key>``: true/false) → node commands."""


def commands_from_doc(doc: Mapping[str, Any], path: str = "config") -> frozenset[str]:
    """The node's commands from a parsed config document.

    Default-on commands plus ``node.commands.enabled`` (shared with ``openclaw-desktop
    node``), then the Permissions toggles: ``true`` adds a capability's commands, ``false``
    removes them (even default-on ones), absent leaves them as they are. A malformed list
    enables only the defaults, and non-boolean toggles are ignored: never more than asked.
    """
    try:
        enabled = set(enabled_commands(configured_commands(doc, path)))
    except (ConfigError, ValueError) as exc:
        log.warning("node commands: %s; only the default commands are enabled", exc)
        enabled = set(enabled_commands([]))
    toggles = config_value(doc, PERMISSIONS_KEY)
    if isinstance(toggles, Mapping):
        for key, commands in PERMISSION_COMMANDS.items():
            if toggles.get(key) is True:
                enabled |= commands
            elif toggles.get(key) is False:
                enabled -= commands
    return frozenset(enabled)


def commands_from_config(config_path: Path) -> frozenset[str]:
    """:func:`commands_from_doc` of the config file (unreadable file → the defaults)."""
    try:
        doc = store.load(config_path).parsed
    except (ConfigError, OSError) as exc:
        log.warning("node commands: %s; only the default commands are enabled", exc)
        return enabled_commands([])
    return commands_from_doc(doc if isinstance(doc, Mapping) else {}, str(config_path))


class NodeRunner:
    """Owns the node task: start, reload on config change, stop (cancels and waits)."""

    def __init__(self, url: str, state_dir: Path, config_path: Path, notifier: Notifier, *,
                 token: str | None = None, password: str | None = None,
                 on_status: Callable[[NodeStatus], None] | None = log_status,
                 ports_factory: Callable[[NodeLaunch], object] | None = None,
                 system_runner: SystemRunner | None = None) -> None:
        """``system_runner``: how ``system.run`` decides (the hosted gateway's ExecService
        through :class:`ApprovingRunner`, so *ask* opens the native dialog); None = the
        headless policy runner, which refuses what it would have to ask about."""
        self.url, self.state_dir, self.config_path = url, state_dir, config_path
        self.system_runner = system_runner
        self.last_status: NodeStatus | None = None
        """The node's latest status (e.g. PAUSED with the gateway's pairing request id)."""
        self.notifier = notifier
        self.token, self.password = token, password
        self.on_status = on_status
        self._ports_factory = ports_factory
        self.enabled: frozenset[str] = frozenset()
        self.node: DesktopNode | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Build the node from the current config and run it in the background."""
        if self.running:
            return
        self.enabled = commands_from_config(self.config_path)
        launch = NodeLaunch(NodeSettings(url=self.url, token=self.token, password=self.password,
                                         display_name=f"{socket.gethostname()} (this desktop)"),
                            self.enabled, self.state_dir)
        ports = self._ports(launch)
        self.node = build_node(launch, ports, on_status=self._status)
        self._task = asyncio.get_running_loop().create_task(self.node.run(), name="desktop-node")
        self._task.add_done_callback(self._done)

    def _ports(self, launch: NodeLaunch):  # type: ignore[no-untyped-def]
        if self._ports_factory is not None:
            ports = self._ports_factory(launch)
        else:
            from .node_adapters.runner import (
                qt_ports,  # QtMultimedia is slow to import: only when used
            )

            ports = qt_ports(launch)
        ports = dataclasses.replace(ports, notifier=self.notifier)  # type: ignore[type-var]
        if self.system_runner is not None:
            ports = dataclasses.replace(ports, runner=self.system_runner)
        return ports

    def _status(self, status: NodeStatus) -> None:
        self.last_status = status
        if self.on_status is not None:
            self.on_status(status)

    async def reload(self) -> bool:
        """Restart when the enabled commands changed; True if it restarted."""
        if commands_from_config(self.config_path) == self.enabled or not self.running:
            return False
        await self.stop()
        self.start()
        return True

    async def restart(self) -> None:
        """Stop and start again (after the gateway came back from a pause)."""
        await self.stop()
        self.start()

    async def stop(self) -> None:
        """Cancel the node (its socket closes, in-flight invokes are cancelled) and wait."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # we were cancelled ourselves, not just the node

    @staticmethod
    def _done(task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("desktop node stopped with an error", exc_info=task.exception())
