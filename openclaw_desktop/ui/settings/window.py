"""The settings window: one tab per area, all working against the running gateway.

Constructed by the tray app as ``SettingsWindow(link, host)``: ``link`` is the app's
:class:`~openclaw_desktop.remote.link.GatewayLink` (the same code path whether the
gateway runs in this process or remotely), ``host`` the in-process gateway when there is
one (for the unredacted token and the local folders), else None. Gateway events reach
every tab through one link listener; a tab reloads when it is shown and after events
that concern it. Closing the window only hides it; :meth:`dispose` detaches it for good.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from .about import AboutTab
from .ai import AiTab
from .devices import DevicesTab
from .general import GeneralTab
from .models import ModelsTab
from .permissions import PermissionsTab
from .ports import HostedGateway, SettingsExtras, SettingsLink
from .skills import SkillsTab
from .voice import VoiceTab
from .widgets import SettingsTab

TAB_KEYS = ("general", "ai", "voice", "models", "permissions", "devices", "skills", "about")


def _open_with_desktop(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class SettingsWindow(QWidget):
    """Top-level settings window; ``tabs`` maps each key in :data:`TAB_KEYS` to its tab."""

    def __init__(self, link: SettingsLink, host: HostedGateway | None, parent: QWidget | None = None, *,
                 extras: SettingsExtras | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("OpenClaw Desktop — Settings")
        self.setObjectName("openclaw-settings")
        self.resize(820, 620)
        self.link, self.host = link, host
        self.extras = extras or SettingsExtras()
        open_folder = self.extras.open_folder or _open_with_desktop
        self.tabs: dict[str, SettingsTab] = {
            "general": GeneralTab(link, host, self.extras, open_folder),
            "ai": AiTab(link, self.extras),
            "voice": VoiceTab(link, self.extras),
            "models": ModelsTab(link, host, self.extras, open_folder),
            "permissions": PermissionsTab(link, self.extras),
            "devices": DevicesTab(link, self.extras),
            "skills": SkillsTab(link, self.extras),
            "about": AboutTab(link, host, self.extras, open_folder),
        }
        self.link_state = QLabel("")
        self.link_state.setWordWrap(True)
        self.tab_widget = QTabWidget()
        for tab in self.tabs.values():
            self.tab_widget.addTab(tab, tab.title)
        self.tab_widget.currentChanged.connect(lambda _i: self._refresh_current())
        layout = QVBoxLayout(self)
        layout.addWidget(self.link_state)
        layout.addWidget(self.tab_widget, 1)
        self._removers = [link.add_event_listener(self._on_event), link.add_state_listener(self._on_state)]
        self._show_state(link.state, link.last_error)

    # ---- navigation -----------------------------------------------------------------
    def show_tab(self, key: str) -> SettingsTab:
        """Bring the window up on one tab (the tray's "Pair a phone…" opens ``devices``)."""
        tab = self.tabs[key]
        self.tab_widget.setCurrentWidget(tab)
        self.show()
        self.raise_()
        self.activateWindow()
        return tab

    def show_pair_phone(self) -> None:
        """The tray's "Pair a phone…": Devices, with a fresh QR unless one is still valid."""
        devices = self.show_tab("devices")
        panel = devices.pair_panel  # type: ignore[attr-defined]
        if panel.setup is None or panel.done or not panel.timer.isActive():
            devices.run(panel.generate(), "making a setup code")

    def current_tab(self) -> SettingsTab:
        widget = self.tab_widget.currentWidget()
        assert isinstance(widget, SettingsTab)
        return widget

    def _refresh_current(self) -> None:
        if self.isVisible() and self.link.state == "connected":
            self.current_tab().reload()

    def showEvent(self, event: Any) -> None:  # Qt's name
        super().showEvent(event)
        self._refresh_current()

    # ---- link -----------------------------------------------------------------------
    def _on_event(self, name: str, payload: dict[str, Any]) -> None:
        for tab in self.tabs.values():
            tab.on_event(name, payload)

    def _on_state(self, state: str, error: str | None) -> None:
        self._show_state(state, error)
        if state == "connected":
            for tab in self.tabs.values():
                if tab.loaded or tab is self.tab_widget.currentWidget() and self.isVisible():
                    tab.reload()  # events may have been missed while disconnected

    def _show_state(self, state: str, error: str | None) -> None:
        where = "this computer's gateway" if self.host is not None else "the gateway"
        if state == "connected":
            text, style = f"Connected to {where} at {self.link.url}", "color: #1b7f3b;"
        elif state == "stopped":
            text, style = f"Not connected to {where}.", "color: #b3261e;"
        else:
            text = f"Not connected to {where} at {self.link.url} — retrying" + (f": {error}" if error else "…")
            style = "color: #b3261e;"
        self.link_state.setText(text)
        self.link_state.setStyleSheet(style)
        for tab in self.tabs.values():
            tab.setEnabled(state == "connected" or tab.title in ("About", "General", "Models"))

    def dispose(self) -> None:
        """Detach from the link and stop every pending task (the app is quitting)."""
        for remove in self._removers:
            remove()
        self._removers = []
        for tab in self.tabs.values():
            tab.dispose()
