"""A real gateway (tmp state dir, port 0), a real GatewayLink and the settings window,
all on one qasync loop, as in the app. Tests drive widgets and run the loop until the
gateway's answer is visible (``await harness.until(...)``), each test in one
pass of the loop (:func:`on_loop`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import json5
import pytest
import qasync

from openclaw_desktop.app import Gateway, build_gateway
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.desktop.autostart import LaunchCommand, XdgAutostart
from openclaw_desktop.remote.link import GatewayLink
from openclaw_desktop.ui.settings import SettingsExtras, SettingsWindow
from openclaw_desktop.ui.settings.ports import KeyringKeyStore
from tests.conftest import state_paths
from tests.support.keyrings import MemoryKeyring


@dataclass
class Level:
    """The microphone level the voice package would report."""

    value: float = 0.42

    def __call__(self) -> float:
        return self.value


@dataclass
class Harness:
    loop: asyncio.AbstractEventLoop
    gateway: Gateway
    link: GatewayLink
    window: SettingsWindow
    tmp: Path
    keyring: MemoryKeyring
    level: Level
    opened: list[Path] = field(default_factory=list)

    async def until(self, predicate: Callable[[], Any], timeout_s: float = 10.0, what: str = "") -> Any:
        """Let the loop (Qt and asyncio) run until ``predicate()`` is truthy."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or predicate}")
            await asyncio.sleep(0.02)

    async def idle(self) -> None:
        """Let every spawned settings task finish."""
        await self.until(lambda: not any(t.tasks.busy for t in self.window.tabs.values()), what="idle tabs")

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return await self.link.call(method, params or {})

    def config_file(self) -> dict[str, Any]:
        return json5.loads(self.gateway.services.config.paths.config_path.read_text())

    async def open_tab(self, key: str) -> Any:
        tab = self.window.show_tab(key)
        await self.until(lambda: tab.loaded and not tab.tasks.busy, what=f"{key} tab loaded")
        return tab


Scenario = Callable[[Harness], Coroutine[Any, Any, None]]


def make_extras(tmp: Path, ring: MemoryKeyring, level: Level, opened: list[Path]) -> SettingsExtras:
    """Fakes for what other packages supply: a tmp autostart folder, an in-memory keyring,
    a fixed microphone level and device lists, and a recorder for "Open folder"."""
    return SettingsExtras(
        autostart=XdgAutostart(tmp / "autostart"),
        launch=LaunchCommand(("/usr/bin/python3", "-m", "openclaw_desktop")),
        key_store=KeyringKeyStore(env={}, backend=ring), level_source=level,
        input_devices=lambda: ["USB Mic", "Built-in Microphone"], output_devices=lambda: ["Speakers", "Headset"],
        tts_voices=lambda: ["en_US-lessac-medium", "de_DE-thorsten-medium"],
        wake_phrases=lambda: ["hey jarvis", "alexa", "hey mycroft"], open_folder=opened.append)


async def hosted_session(tmp: Path, scenario: Scenario, *, timeout_s: float = 120.0,
                         extras_for: Callable[[SettingsExtras], SettingsExtras] = lambda e: e) -> None:
    """Gateway, link and window up; run ``scenario``; everything down again."""
    loop = asyncio.get_running_loop()
    paths = state_paths(tmp)
    gateway = await build_gateway(paths, Overrides(port=0), log_to_file=False)
    link = GatewayLink(gateway.url, paths.state_dir, token=gateway.services.config.settings.gateway.auth.token,
                       reconnect_delay_s=0.1)
    ring, level, opened = MemoryKeyring(), Level(), []
    window: SettingsWindow | None = None
    try:
        await link.start()
        await link.wait_connected(10)
        window = SettingsWindow(link, gateway, extras=extras_for(make_extras(tmp, ring, level, opened)))
        async with asyncio.timeout(timeout_s):
            await scenario(Harness(loop, gateway, link, window, tmp, ring, level, opened))
    finally:
        if window is not None:
            window.dispose()
            window.close()
            window.deleteLater()
        await link.close()
        await gateway.close()
        await asyncio.sleep(0.05)  # let closing sockets finish


@pytest.fixture(scope="session")
def qloop(qapp) -> Iterator[asyncio.AbstractEventLoop]:
    """One Qt+asyncio loop for the whole session, as the app has one for its lifetime
    (qasync loops created and closed per test leave worker QThreads and timers behind)."""
    qapp.setQuitOnLastWindowClosed(False)  # a closed window must not end qasync's exec()
    loop = qasync.QEventLoop(qapp)
    yield loop
    loop.close()


def run_on(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any]) -> Any:
    """ONE pass of the qasync loop for a whole test. Between separate
    ``run_until_complete`` calls qasync processes Qt events with no running asyncio
    loop, and a task step or broadcast that lands there fails."""
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(coro)
    finally:
        asyncio.set_event_loop(None)


def on_loop(scenario: Scenario) -> Callable[..., None]:
    """Turn ``async def test_x(harness)`` into a test run by :func:`hosted_session`."""
    def test(qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
        run_on(qloop, hosted_session(tmp_path, scenario))

    test.__name__, test.__doc__ = scenario.__name__, scenario.__doc__
    return test
