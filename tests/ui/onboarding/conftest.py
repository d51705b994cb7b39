"""A real gateway (tmp state dir, port 0), a real GatewayLink and the onboarding wizard on
one qasync loop, as in the app. Fakes only for what other packages supply (an in-memory
keyring, a microphone level), borrowed from the settings tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import json5
import pytest
import qasync

from openclaw_desktop.app import Gateway, build_gateway
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.remote.link import GatewayLink
from openclaw_desktop.ui.onboarding import OnboardingWizard
from tests.conftest import state_paths
from tests.ui.settings.conftest import Level, MemoryKeyring, make_extras, run_on


@dataclass
class Wizarding:
    gateway: Gateway
    link: GatewayLink
    wizard: OnboardingWizard
    keyring: MemoryKeyring
    level: Level
    finished: list[dict[str, str]]

    async def until(self, predicate: Callable[[], Any], timeout_s: float = 15.0, what: str = "") -> Any:
        deadline = time.monotonic() + timeout_s
        while not (value := predicate()):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or predicate}")
            await asyncio.sleep(0.02)
        return value

    async def idle(self) -> None:
        await self.until(lambda: not self.wizard.tasks.busy, what="wizard tasks")

    async def next(self) -> None:
        self.wizard.next_button.click()
        await self.idle()

    def config_file(self) -> dict[str, Any]:
        return json5.loads(self.gateway.services.config.paths.config_path.read_text())


Scenario = Callable[[Wizarding], Coroutine[Any, Any, None]]


async def wizard_session(tmp: Path, scenario: Scenario, **extras_overrides: Any) -> None:
    paths = state_paths(tmp)
    gateway = await build_gateway(paths, Overrides(port=0), log_to_file=False)
    link = GatewayLink(gateway.url, paths.state_dir, token=gateway.services.config.settings.gateway.auth.token,
                       reconnect_delay_s=0.1)
    ring, level = MemoryKeyring(), Level(0.0)
    extras = make_extras(tmp, ring, level, [])
    for name, value in extras_overrides.items():
        setattr(extras, name, value)
    wizard: OnboardingWizard | None = None
    try:
        await link.start()
        await link.wait_connected(10)
        wizard = OnboardingWizard(link, extras, version="9.9.9")
        finished: list[dict[str, str]] = []
        wizard.finished_onboarding.connect(finished.append)
        wizard.show()
        async with asyncio.timeout(120):
            await scenario(Wizarding(gateway, link, wizard, ring, level, finished))
    finally:
        if wizard is not None:
            wizard.tasks.cancel_all()
            wizard._dispose_steps()
            wizard.deleteLater()
        await link.close()
        await gateway.close()
        await asyncio.sleep(0.05)


@pytest.fixture(scope="session")
def qloop(qapp) -> Iterator[asyncio.AbstractEventLoop]:
    """One Qt+asyncio loop for the session (see tests/ui/settings/conftest.py for why)."""
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    yield loop
    loop.close()


def on_loop(**extras_overrides: Any) -> Callable[[Scenario], Callable[..., None]]:
    """Turn ``async def test_x(w: Wizarding)`` into a test run by :func:`wizard_session`."""
    def wrap(scenario: Scenario) -> Callable[..., None]:
        def test(qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
            run_on(qloop, wizard_session(tmp_path, scenario, **extras_overrides))

        test.__name__, test.__doc__ = scenario.__name__, scenario.__doc__
        return test
    return wrap
