"""Settings → General: launch at login, the state folder, the gateway's port and LAN
switch, and the gateway token (show, copy, rotate).

Port and bind are written to the config file (``gateway.port``, ``gateway.bind``) and
take effect when the gateway restarts; the tab says so. Rotating the token writes a new
random ``gateway.auth.token`` and then reconnects this app's link with it, so the app
keeps working while every other client holding the old token has to be given the new one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from openclaw_desktop.desktop.autostart import (
    Autostart,
    LaunchCommand,
    autostart_for_platform,
    launch_command,
)

from .ports import HostedGateway, SettingsExtras, SettingsLink
from .widgets import SettingsTab, copy_to_clipboard, hint

RESTART_NOTE = "Saved. The gateway keeps its current address until it restarts (quit and start OpenClaw Desktop)."
ROTATE_CONFIRM_S = 5


def new_gateway_token() -> str:
    """A fresh shared secret, as strong as the one generated on first run."""
    return secrets.token_hex(24)


class GeneralTab(SettingsTab):
    title = "General"
    reload_events = frozenset({"config.changed"})

    def __init__(self, link: SettingsLink, host: HostedGateway | None, extras: SettingsExtras,
                 open_folder: Callable[[Path], None], parent: QWidget | None = None) -> None:
        super().__init__(link, extras, parent)
        self.host = host
        self.open_folder = open_folder
        self.autostart: Autostart = extras.autostart or autostart_for_platform()
        self.launch: LaunchCommand = extras.launch or launch_command()

        self.launch_at_login = QCheckBox("Launch OpenClaw Desktop when I log in")
        self.launch_at_login.setToolTip(self.autostart.location)
        self.launch_at_login.setChecked(self._autostart_enabled())
        self.launch_at_login.toggled.connect(self._toggle_autostart)

        self.state_folder = QLineEdit()
        self.state_folder.setReadOnly(True)
        self.open_state_button = QPushButton("Open")
        self.open_state_button.clicked.connect(lambda: self.open_folder(Path(self.state_folder.text())))
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.state_folder, 1)
        folder_row.addWidget(self.open_state_button)

        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.save_port_button = QPushButton("Save port")
        self.save_port_button.clicked.connect(lambda: self.run(self.save_port(), "saving the port"))
        port_row = QHBoxLayout()
        port_row.addWidget(self.port)
        port_row.addWidget(self.save_port_button)
        port_row.addStretch(1)
        self.allow_lan = QCheckBox("Allow LAN connections (phones on this network)")
        self.allow_lan.clicked.connect(lambda checked: self.run(self.save_lan(checked), "saving the LAN switch"))
        self.address = hint("")

        self.token = QLineEdit()
        self.token.setReadOnly(True)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_token_button = QPushButton("Show")
        self.show_token_button.setCheckable(True)
        self.show_token_button.toggled.connect(self._show_token)
        self.copy_token_button = QPushButton("Copy")
        self.copy_token_button.clicked.connect(self._copy_token)
        self.rotate_button = QPushButton("Rotate…")
        self.rotate_button.clicked.connect(self._rotate_clicked)
        self._rotate_armed = False
        token_row = QHBoxLayout()
        token_row.addWidget(self.token, 1)
        for button in (self.show_token_button, self.copy_token_button, self.rotate_button):
            token_row.addWidget(button)

        app_box = QGroupBox("This computer")
        app_form = QFormLayout(app_box)
        app_form.addRow(self.launch_at_login)
        app_form.addRow("State folder", folder_row)
        gw_box = QGroupBox("Gateway")
        gw_form = QFormLayout(gw_box)
        gw_form.addRow("Port", port_row)
        gw_form.addRow(self.allow_lan)
        gw_form.addRow(self.address)
        gw_form.addRow("Token", token_row)
        gw_form.addRow(hint("Clients such as the openclaw CLI and phones present this token. Rotating it "
                            "signs out every client that uses the old one; this app reconnects by itself."))
        layout = QVBoxLayout(self)
        layout.addWidget(app_box)
        layout.addWidget(gw_box)
        layout.addWidget(self.status)
        layout.addStretch(1)

    # ---- launch at login ------------------------------------------------------------
    def _autostart_enabled(self) -> bool:
        try:
            return self.autostart.is_enabled()
        except OSError:
            return False

    def _toggle_autostart(self, on: bool) -> None:
        try:
            if on:
                self.autostart.enable(self.launch)
            else:
                self.autostart.disable()
        except OSError as exc:
            self.status.show_error(f"launch at login: {exc}")
            self.launch_at_login.blockSignals(True)
            self.launch_at_login.setChecked(self._autostart_enabled())
            self.launch_at_login.blockSignals(False)
            return
        self.status.show_ok("OpenClaw Desktop will start when you log in." if on
                            else "OpenClaw Desktop will no longer start when you log in.")

    # ---- loading --------------------------------------------------------------------
    async def load(self) -> None:
        view = await self.config.load()
        if self.host is not None:
            self.state_folder.setText(str(self.host.services.config.paths.state_dir))
        else:
            self.state_folder.setText(f"on the gateway at {self.link.url}")
            self.open_state_button.setEnabled(False)
        self.port.setValue(int(view.get("gateway.port", view.effective_value("gateway.port", 18789)) or 18789))
        bind = view.get("gateway.bind", "loopback")
        self.allow_lan.setChecked(bind == "lan")
        running = self.host.url if self.host is not None else self.link.url
        extra = "" if bind in ("lan", "loopback") else f" The config file sets bind mode \"{bind}\"."
        self.address.setText(f"Running at {running}.{extra}")
        mode = view.effective_value("gateway.auth.mode", "token")
        self.token.setText(self._current_token() or "")
        for widget in (self.token, self.show_token_button, self.copy_token_button, self.rotate_button):
            widget.setEnabled(mode == "token")
        if mode != "token":
            self.token.setPlaceholderText(f"the gateway uses {mode} authentication")

    def _current_token(self) -> str | None:
        if self.host is not None:
            return self.host.services.config.settings.gateway.auth.token
        return self.link.token  # config.get redacts it; this is the one the app connects with

    # ---- gateway address ------------------------------------------------------------
    async def save_port(self) -> None:
        await self.config.set_value("gateway.port", self.port.value())
        self.status.show_ok(RESTART_NOTE)

    async def save_lan(self, on: bool) -> None:
        await self.config.set_value("gateway.bind", "lan" if on else "loopback")
        self.status.show_ok(RESTART_NOTE + (" Phones on your network can then reach it (they still need pairing)."
                                            if on else ""))

    # ---- token ----------------------------------------------------------------------
    def _show_token(self, shown: bool) -> None:
        self.token.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_token_button.setText("Hide" if shown else "Show")

    def _copy_token(self) -> None:
        copy_to_clipboard(self.token.text())
        self.status.show_ok("Token copied to the clipboard.")

    def _rotate_clicked(self) -> None:
        # Two clicks instead of a modal question: nothing blocks the loop, and a stray
        # click alone never locks out the user's other clients.
        if not self._rotate_armed:
            self._rotate_armed = True
            self.rotate_button.setText("Click again to rotate")
            QTimer.singleShot(ROTATE_CONFIRM_S * 1000, self._disarm_rotate)
            return
        self._disarm_rotate()
        self.run(self.rotate_token(), "rotating the token")

    def _disarm_rotate(self) -> None:
        self._rotate_armed = False
        self.rotate_button.setText("Rotate…")

    async def rotate_token(self, token: str | None = None) -> str:
        """Write a new token, reconnect the link with it; returns the new token."""
        token = token or new_gateway_token()
        self.rotate_button.setEnabled(False)
        try:
            await self.config.set_value("gateway.auth.token", token)
            if self.host is not None and self.host.services.config.settings.gateway.auth.token != token:
                self.status.show_error("Saved, but a --token option or OPENCLAW_GATEWAY_TOKEN overrides the file: "
                                       "the gateway keeps using that one.")
                return token
            await self.link.reconnect(token=token)
            self.token.setText(token)
            wait = getattr(self.link, "wait_connected", None)
            if wait is not None:
                await wait(10.0)
            self.status.show_ok("New token saved; this app reconnected with it. Give it to your other clients.")
        finally:
            self.rotate_button.setEnabled(True)
        return token
