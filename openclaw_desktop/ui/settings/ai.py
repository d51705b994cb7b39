"""Settings → AI: the provider key (OS keyring), model, base URL and "Test connection".

The key never goes into the config file or over the gateway link: it is written to the
OS keyring on this computer (``ANTHROPIC_API_KEY`` in the environment still wins, and
the tab says so). Model and base URL are config keys (``agents.defaults.model.primary``,
``models.providers.anthropic.baseUrl``). Keyring calls may block (a D-Bus keyring can
prompt), so they run in a worker thread.
"""

from __future__ import annotations

import asyncio

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

from openclaw_desktop.agent.connection_test import DEFAULT_BASE_URL
from openclaw_desktop.agent.credentials import KeyringUnavailable
from openclaw_desktop.config.settings import DEFAULT_MODEL

from .config_access import merge, nested
from .ports import SettingsExtras, SettingsLink
from .widgets import ERROR_STYLE, OK_STYLE, SettingsTab, hint

MODEL_KEY = "agents.defaults.model.primary"
BASE_URL_KEY = "models.providers.anthropic.baseUrl"


class AiTab(SettingsTab):
    title = "AI"
    reload_events = frozenset({"config.changed"})

    def __init__(self, link: SettingsLink, extras: SettingsExtras, parent: QWidget | None = None) -> None:
        super().__init__(link, extras, parent)
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("paste a new API key (sk-ant-…)")
        self.save_key_button = QPushButton("Save key")
        self.save_key_button.clicked.connect(lambda: self.run(self.save_key(), "saving the key"))
        self.remove_key_button = QPushButton("Remove")
        self.remove_key_button.clicked.connect(lambda: self.run(self.remove_key(), "removing the key"))
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.save_key_button)
        key_row.addWidget(self.remove_key_button)
        self.key_state = hint("")

        self.model = QLineEdit()
        self.model.setPlaceholderText(DEFAULT_MODEL)
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText(DEFAULT_BASE_URL)
        self.save_button = QPushButton("Save model and URL")
        self.save_button.clicked.connect(lambda: self.run(self.save_model(), "saving"))
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(lambda: self.run(self.test_connection(), "testing"))
        self.test_result = QLabel("")
        self.test_result.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)

        box = QGroupBox("Anthropic-compatible model")
        form = QFormLayout(box)
        form.addRow("API key", key_row)
        form.addRow("", self.key_state)
        form.addRow("Model", self.model)
        form.addRow("Base URL", self.base_url)
        form.addRow(hint("Leave the base URL empty for Anthropic's API. The key is kept in this computer's "
                         "keyring, never in the config file."))
        form.addRow(buttons)
        form.addRow(self.test_result)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.status)
        layout.addStretch(1)

    async def load(self) -> None:
        view = await self.config.load()
        model = view.get("agents.defaults.model")
        model = model if isinstance(model, str) else view.get(MODEL_KEY, "")
        self.model.setText(str(model or "").removeprefix("anthropic/"))
        self.base_url.setText(str(view.get(BASE_URL_KEY, "") or ""))
        await self.refresh_key_state()

    async def refresh_key_state(self) -> None:
        creds = await asyncio.to_thread(self.extras.key_store.load)
        if creds.source == "env":
            text = "Using ANTHROPIC_API_KEY from the environment (it wins over a stored key)."
        elif creds.source == "keyring":
            text = "A key is stored in the OS keyring."
        else:
            text = creds.reason[:1].upper() + creds.reason[1:] + "." if creds.reason else "No key."
        self.key_state.setText(text)
        self.remove_key_button.setEnabled(creds.source == "keyring")

    async def save_key(self) -> None:
        key = self.key.text().strip()
        if not key:
            self.status.show_error("Paste a key first.")
            return
        try:
            await asyncio.to_thread(self.extras.key_store.store, key)
        except KeyringUnavailable as exc:
            self.status.show_error(f"{exc}. Set ANTHROPIC_API_KEY in the environment instead.")
            return
        self.key.clear()
        self.status.show_ok("Key saved in the OS keyring; the next message uses it.")
        await self.refresh_key_state()

    async def remove_key(self) -> None:
        try:
            removed = await asyncio.to_thread(self.extras.key_store.delete)
        except KeyringUnavailable as exc:
            self.status.show_error(str(exc))
            return
        self.status.show_ok("Key removed from the OS keyring." if removed else "No key was stored.")
        await self.refresh_key_state()

    async def save_model(self) -> None:
        model = self.model.text().strip()
        url = self.base_url.text().strip() or None
        if url is not None and not url.startswith(("http://", "https://")):
            self.status.show_error("The base URL must start with http:// or https://")
            return
        # Write the object form of agents.defaults.model: a merge-patch replaces a plain
        # string there, and keeps any fallbacks already in an object.
        patch = merge(nested(MODEL_KEY, model or None), nested(BASE_URL_KEY, url))
        await self.config.patch(patch)
        self.status.show_ok("Saved.")

    async def test_connection(self) -> None:
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText("Testing…")
        try:
            key = self.key.text().strip()
            if not key:
                key = (await asyncio.to_thread(self.extras.key_store.load)).api_key or ""
            model = self.model.text().strip() or DEFAULT_MODEL
            result = await self.extras.check_connection(key, self.base_url.text().strip() or None, model)
            self.test_result.setStyleSheet(OK_STYLE if result.ok else ERROR_STYLE)
            self.test_result.setText(("✓ " if result.ok else "✗ ") + result.message)
        finally:
            self.test_button.setEnabled(True)
