"""Fixtures for the desktop node: a gateway with a chosen config file, node runners."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from openclaw_desktop.app import Gateway, build_gateway
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.nodes.desktop.client import (
    DesktopNode,
    NodeSettings,
    NodeState,
    NodeStatus,
)
from openclaw_desktop.nodes.desktop.commands import (
    SENSITIVE,
    CommandRegistry,
    enabled_commands,
)
from openclaw_desktop.nodes.desktop.identity import (
    DeviceTokenStore,
    load_or_create_identity,
)
from openclaw_desktop.nodes.desktop.ports import NodePorts
from tests.conftest import TOKEN

# Dangerous commands need an explicit gateway opt-in (reference §5.3).
ALLOW_CAPTURE = {"gateway": {"nodes": {"commands": {"allow": ["camera.snap", "camera.clip", "screen.record"]}}}}


async def start_gateway_with(paths: StatePaths, config: dict[str, Any]) -> Gateway:
    paths.config_path.parent.mkdir(parents=True, exist_ok=True)
    paths.config_path.write_text(json.dumps(config))
    return await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=True)


@pytest.fixture
async def capture_gateway(paths: StatePaths) -> AsyncIterator[Gateway]:
    gw = await start_gateway_with(paths, ALLOW_CAPTURE)
    try:
        yield gw
    finally:
        await gw.close()


class NodeRun:
    """One in-process DesktopNode task plus every status it reported."""

    def __init__(self, node: DesktopNode) -> None:
        self.node = node
        self.statuses: list[NodeStatus] = []
        self._changed = asyncio.Event()
        node.on_status = self._record
        self.task = asyncio.create_task(node.run())

    def _record(self, status: NodeStatus) -> None:
        self.statuses.append(status)
        self._changed.set()

    async def wait_for(self, state: NodeState, *, count: int = 1, timeout: float = 10.0) -> NodeStatus:
        async with asyncio.timeout(timeout):
            while True:
                seen = [s for s in self.statuses if s.state is state]
                if len(seen) >= count:
                    return seen[count - 1]
                self._changed.clear()
                await self._changed.wait()

    async def stop(self) -> None:
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


@pytest.fixture
def start_node(tmp_path) -> Callable[..., NodeRun]:
    runs: list[NodeRun] = []

    def start(url: str, ports: NodePorts, *, enabled=SENSITIVE, state_dir=None, **settings: Any) -> NodeRun:
        state = state_dir or tmp_path / "node-state"
        base: dict[str, Any] = {"token": TOKEN, "display_name": "desk", "backoff_initial_s": 0.05,
                                "backoff_max_s": 0.2}
        base.update(settings)
        node = DesktopNode(NodeSettings(url=url, **base), CommandRegistry(ports, enabled_commands(enabled)),
                           load_or_create_identity(state), DeviceTokenStore.for_state(state))
        run = NodeRun(node)
        runs.append(run)
        return run

    yield start
    for run in runs:
        run.task.cancel()
