"""Settings → About: version, log folder, licences of bundled models, "Copy
diagnostics" (see :mod:`.diagnostics`; never secrets) and "Run the introduction again"
(the first-run onboarding)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from openclaw_desktop import __version__

from .diagnostics import DiagnosticFacts, diagnostics_text
from .models import licences_label
from .ports import HostedGateway, SettingsExtras, SettingsLink
from .widgets import SettingsTab, copy_to_clipboard, hint


class AboutTab(SettingsTab):
    title = "About"

    def __init__(self, link: SettingsLink, host: HostedGateway | None, extras: SettingsExtras,
                 open_folder: Callable[[Path], None], parent: QWidget | None = None) -> None:
        super().__init__(link, extras, parent)
        self.host = host
        self.version = QLabel(f"OpenClaw Desktop {__version__}")
        self.version.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.log_folder = QLineEdit(self._log_dir() or "the gateway's logs are on the remote machine")
        self.log_folder.setReadOnly(True)
        self.open_logs_button = QPushButton("Open")
        self.open_logs_button.setEnabled(self._log_dir() is not None)
        self.open_logs_button.clicked.connect(lambda: open_folder(Path(self.log_folder.text())))
        log_row = QHBoxLayout()
        log_row.addWidget(self.log_folder, 1)
        log_row.addWidget(self.open_logs_button)
        self.licences = licences_label()
        self.copy_button = QPushButton("Copy diagnostics")
        self.copy_button.clicked.connect(self.copy_diagnostics)
        self.intro_button = QPushButton("Run the introduction again")
        self.intro_button.clicked.connect(self.run_introduction)
        self.wizard: Any = None
        """The wizard this tab opened itself (when the app supplies no ``open_onboarding``)."""
        box = QGroupBox("About")
        form = QFormLayout(box)
        form.addRow(self.version)
        form.addRow(hint("Your AI assistant in the tray, with an OpenClaw-compatible gateway. It runs commands "
                         "on this computer only with your approval."))
        form.addRow("Log folder", log_row)
        form.addRow("Bundled models", self.licences)
        form.addRow(self.copy_button)
        form.addRow(self.intro_button)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def run_introduction(self) -> None:
        """Open the first-run onboarding again (through the app when it supplies one)."""
        if self.extras.open_onboarding is not None:
            self.extras.open_onboarding()
            return
        # Imported here: the onboarding builds on the settings package.
        from ..onboarding.wizard import OnboardingWizard

        if self.wizard is None or not self.wizard.isVisible():
            self.wizard = OnboardingWizard(self.link, self.extras)
        self.wizard.show()
        self.wizard.raise_()

    def _log_dir(self) -> str | None:
        return str(Path(self.host.services.log_path).parent) if self.host is not None else None

    def diagnostics(self) -> str:
        hello = getattr(self.link, "hello", None) or {}
        server = hello.get("server") if isinstance(hello.get("server"), dict) else {}
        cfg = self.host.services.config if self.host is not None else None
        facts = DiagnosticFacts(
            app_version=__version__, qt_version=qVersion(), pyside_version=PySide6.__version__,
            gateway_url=self.link.url, link_state=self.link.state, link_error=self.link.last_error,
            gateway_version=server.get("version"), hosted=self.host is not None,
            state_dir=str(cfg.paths.state_dir) if cfg is not None else None,
            config_path=str(cfg.paths.config_path) if cfg is not None else None, log_dir=self._log_dir())
        secrets = [self.link.token, getattr(self.link, "password", None)]
        if cfg is not None:
            auth = cfg.settings.gateway.auth
            secrets += [auth.token, auth.password]
        return diagnostics_text(facts, secrets)

    def copy_diagnostics(self) -> None:
        copy_to_clipboard(self.diagnostics())
        self.status.show_ok("Diagnostics copied to the clipboard (no tokens or keys are included).")
