"""Where the app's gateway comes from: hosted in this process, or attached to.

``GatewayHost.start()`` builds the gateway with ``app.build_gateway`` (the same code the
headless ``gateway`` command runs). When the port is taken by another OpenClaw gateway
it asks, in a non-blocking dialog, whether to attach to that one or quit; a port taken
by another program, or a bad config, is explained and ends the start. ``pause()`` and
``resume()`` close and reopen the listening socket of the hosted gateway (same port).
Qt only for the dialogs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QMessageBox

from openclaw_desktop.app import Gateway, PortInUseError, build_gateway, probe_openclaw
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import ConfigService, Overrides
from openclaw_desktop.errors import ConfigError

from .windows import ask

ATTACH, QUIT = "Attach to it", "Quit"


@dataclass(frozen=True)
class Target:
    """The gateway the operator link and the desktop node connect to."""

    url: str
    token: str | None
    password: str | None
    hosted: bool


class GatewayHost:
    """Starts (or finds) the gateway. After :meth:`start`, ``gateway`` is set when hosted."""

    def __init__(self, paths: StatePaths, overrides: Overrides, attach_url: str | None = None, *,
                 on_failure: Callable[[str], None] = lambda _text: None) -> None:
        self.paths, self.overrides, self.attach_url = paths, overrides, attach_url
        self.on_failure = on_failure
        """Called with the reason before the failure dialog shows (the tray turns red)."""
        self.gateway: Gateway | None = None
        self.failure: str | None = None
        """Why the start failed (shown to the user), None otherwise."""
        self.dialog: QMessageBox | None = None
        """The dialog currently asking the user (tests click it)."""

    async def start(self) -> Target | None:
        """Host, or attach; None when the app should not run (``failure`` may say why)."""
        if self.attach_url is not None:
            return Target(self.attach_url, self.overrides.token, self.overrides.password, hosted=False)
        try:
            self.gateway = await build_gateway(self.paths, self.overrides)
        except PortInUseError as exc:
            return await self._port_in_use(str(exc))
        except ConfigError as exc:
            await self._fail(f"The configuration has a problem:\n\n{exc}")
            return None
        except OSError as exc:  # an address this machine does not have, a privileged port, a bad certificate
            await self._fail(f"OpenClaw cannot start its gateway: {exc.strerror or exc}.")
            return None
        config = self.gateway.services.config
        return Target(self.gateway.url, config.ensure_token(), config.settings.gateway.auth.password, hosted=True)

    async def _port_in_use(self, message: str) -> Target | None:
        config = ConfigService(self.paths, self.overrides)
        port = config.settings.gateway.port
        # probe_openclaw blocks for up to a second: keep the UI responsive meanwhile.
        if not await asyncio.get_running_loop().run_in_executor(None, probe_openclaw, port):
            await self._fail(f"OpenClaw cannot start its gateway: {message}.")
            return None
        box = QMessageBox(QMessageBox.Icon.Question, "OpenClaw is already running",
                          f"Another OpenClaw gateway is already running on port {port}.\n\n"
                          "Attach to it (this app then uses that gateway instead of starting its own), or quit?")
        box.setObjectName("portInUseDialog")
        self.dialog = box
        # Quit last: it is what Esc and closing the box mean.
        if await ask(box, [(ATTACH, QMessageBox.ButtonRole.AcceptRole),
                           (QUIT, QMessageBox.ButtonRole.RejectRole)]) != ATTACH:
            return None
        return Target(f"ws://127.0.0.1:{port}", config.ensure_token(), config.settings.gateway.auth.password,
                      hosted=False)

    async def _fail(self, text: str) -> None:
        self.failure = text
        self.on_failure(text)
        box = QMessageBox(QMessageBox.Icon.Critical, "OpenClaw", text)
        box.setObjectName("startFailedDialog")
        self.dialog = box
        await ask(box, [(QUIT, QMessageBox.ButtonRole.RejectRole)])

    async def pause(self) -> None:
        """Close the listening socket and every connection (storage stays open)."""
        if self.gateway is not None:
            await self.gateway.server.stop("paused by the user")

    async def resume(self) -> None:
        """Listen again on the same port; raises OSError when it was taken meanwhile."""
        if self.gateway is not None:
            await self.gateway.server.start()  # the server remembers the port it had bound
