"""A real gateway (port 0, tmp state, the fake Anthropic server as its model), a real
GatewayLink to it, and chat windows over that link."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import pytest

# The first turn of a process imports the Anthropic SDK (seconds on a loaded machine);
# import it now so that cost never lands inside a test's wait for a reply.
import openclaw_desktop.agent.llm.anthropic_adapter  # noqa: F401
from openclaw_desktop.app import Gateway, build_gateway
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.remote.link import GatewayLink
from openclaw_desktop.ui.chat.window import ChatWindow
from tests.conftest import TOKEN
from tests.support.fake_anthropic import FakeAnthropic


@pytest.fixture
async def api() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


def write_policy(paths: StatePaths) -> None:
    """``echo`` runs without asking; anything else not on the allowlist asks."""
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    (paths.state_dir / "exec-approvals.json").write_text(json.dumps(
        {"version": 1, "agents": {"main": {"allowlist": [{"pattern": "/usr/bin/echo"}]}}}))


@pytest.fixture
async def gw(paths: StatePaths, api: FakeAnthropic, monkeypatch) -> AsyncIterator[Gateway]:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    write_policy(paths)
    gateway = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    yield gateway
    await gateway.close()


@pytest.fixture
async def link(gw: Gateway, tmp_path) -> AsyncIterator[GatewayLink]:
    gateway_link = GatewayLink(gw.url, tmp_path / "desktop", token=TOKEN, reconnect_delay_s=0.1)
    await gateway_link.start()
    await gateway_link.wait_connected()
    yield gateway_link
    await gateway_link.close()


@pytest.fixture
async def make_window(qtbot, link: GatewayLink) -> AsyncIterator[Callable[..., ChatWindow]]:
    made: list[ChatWindow] = []

    def make(target: GatewayLink | None = None) -> ChatWindow:
        window = ChatWindow(target or link)
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        await window.shutdown()
