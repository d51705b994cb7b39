"""What the settings window needs from the rest of the app, as small protocols.

:class:`SettingsLink` is the part of :class:`~openclaw_desktop.remote.link.GatewayLink`
the tabs use; :class:`HostedGateway` the part of :class:`~openclaw_desktop.app.Gateway`
available only when the gateway runs in this process (the unredacted token, the state
and log folders). :class:`SettingsExtras` bundles the optional pieces other packages
supply (microphone level, audio device lists, the keyring, the autostart installer) so
tests pass fakes and the composition root passes the real ones. No Qt in here.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from openclaw_desktop.agent.connection_test import ConnectionResult, check_connection
from openclaw_desktop.agent.credentials import (
    Credentials,
    delete_api_key,
    resolve_model_credentials,
    store_api_key,
)
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.settings import Settings
from openclaw_desktop.desktop.autostart import Autostart, LaunchCommand


class SettingsLink(Protocol):
    """The operator connection (``GatewayLink``): calls, events, state, reconnect."""

    url: str
    state: str
    last_error: str | None
    token: str | None

    async def call(self, method: str, params: dict[str, Any] | None = None, *, expect_final: bool = False,
                   timeout_s: float = 30.0) -> Any: ...

    def add_event_listener(self, cb: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]: ...

    def add_state_listener(self, cb: Callable[[str, str | None], None]) -> Callable[[], None]: ...

    async def reconnect(self, *, url: str | None = None, token: str | None = None,
                        password: str | None = None) -> None: ...


class HostedConfig(Protocol):
    """``ConfigService``: the live settings (overrides applied) and the paths."""

    paths: StatePaths

    @property
    def settings(self) -> Settings: ...


class HostedServices(Protocol):
    config: HostedConfig
    log_path: Path


class HostedGateway(Protocol):
    """``app.Gateway`` when the gateway is hosted in this process."""

    services: HostedServices

    @property
    def url(self) -> str: ...


class ApiKeyStore(Protocol):
    """Where the model API key lives (the OS keyring). Calls may block: run them in a thread."""

    def load(self) -> Credentials: ...
    def store(self, key: str) -> None: ...
    def delete(self) -> bool: ...


@dataclass
class KeyringKeyStore:
    """:class:`ApiKeyStore` over :mod:`openclaw_desktop.agent.credentials`.

    ``backend`` is a ``keyring`` backend (None: the system's); ``env`` is where
    ``ANTHROPIC_API_KEY`` is looked up (it wins over the keyring, as in the agent).
    """

    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    backend: Any = None

    def load(self) -> Credentials:
        return resolve_model_credentials(self.env, None, self.backend)

    def store(self, key: str) -> None:
        store_api_key(key, self.backend)

    def delete(self) -> bool:
        return delete_api_key(self.backend)


ConnectionChecker = Callable[[str, str | None, str], Awaitable[ConnectionResult]]
"""``(api_key, base_url, model) -> ConnectionResult``."""


def _no_devices() -> list[str]:
    return []


@dataclass
class SettingsExtras:
    """Optional collaborators; every default works without voice or a desktop session."""

    autostart: Autostart | None = None
    """None: the installer for this OS (``autostart_for_platform()``)."""
    launch: LaunchCommand | None = None
    """None: ``launch_command()`` (this interpreter, or the bundle's binary)."""
    key_store: ApiKeyStore = field(default_factory=KeyringKeyStore)
    check_connection: ConnectionChecker = check_connection
    level_source: Callable[[], float] | None = None
    """The microphone level 0..1 (the voice package supplies it); None: "no microphone"."""
    input_devices: Callable[[], list[str]] = _no_devices
    output_devices: Callable[[], list[str]] = _no_devices
    tts_voices: Callable[[], list[str]] = _no_devices
    wake_phrases: Callable[[], list[str]] = _no_devices
    open_folder: Callable[[Path], None] | None = None
    """None: open with the desktop's file manager (QDesktopServices)."""
    open_onboarding: Callable[[], None] | None = None
    """About → "Run the introduction again" (the app opens its one wizard); None: the tab
    opens an ``OnboardingWizard`` itself."""
