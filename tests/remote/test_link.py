"""GatewayLink against a real gateway on port 0: connect, calls, events, reconnect, refusal."""

from __future__ import annotations

import asyncio

import pytest

from openclaw_desktop.app import build_gateway
from openclaw_desktop.client.gateway_client import RpcError
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.remote.link import (
    CONNECTED,
    DISCONNECTED,
    STOPPED,
    GatewayLink,
    LinkDown,
)
from tests.conftest import TOKEN, state_paths


async def test_link_calls_and_receives_events(gateway, tmp_path):
    link = GatewayLink(gateway.url, tmp_path / "app", token=TOKEN)
    events: list[tuple[str, dict]] = []
    link.add_event_listener(lambda name, payload: events.append((name, payload)))
    await link.start()
    await link.wait_connected(5)
    assert link.hello is not None and link.hello["auth"]["role"] == "operator"
    health = await link.call("health")
    assert health["ok"] is True
    await link.call("config.patch", {"raw": '{"agent": {"model": "claude-x"}}',
                                     "baseHash": (await link.call("config.get"))["hash"]})
    for _ in range(50):
        if any(name == "config.changed" for name, _ in events):
            break
        await asyncio.sleep(0.02)
    assert any(name == "config.changed" for name, _ in events)
    with pytest.raises(RpcError):
        await link.call("no.such.method")
    await link.close()
    assert link.state == STOPPED
    with pytest.raises(LinkDown):
        await link.call("health")


async def test_link_reconnects_after_the_gateway_restarts(tmp_path):
    paths = state_paths(tmp_path)
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    port = gw.server.port
    link = GatewayLink(gw.url, tmp_path / "app", token=TOKEN, reconnect_delay_s=0.05)
    states: list[str] = []
    link.add_state_listener(lambda state, _err: states.append(state))
    await link.start()
    await link.wait_connected(5)
    await gw.close()
    for _ in range(100):
        if link.state != CONNECTED:
            break
        await asyncio.sleep(0.02)
    assert DISCONNECTED in states
    with pytest.raises(LinkDown):
        await link.call("health")
    gw = await build_gateway(paths, Overrides(port=port, token=TOKEN), log_to_file=False)
    try:
        await link.wait_connected(10)
        assert (await link.call("health"))["ok"] is True
    finally:
        await link.close()
        await gw.close()


async def test_wrong_token_is_reported_and_retried_not_raised(gateway, tmp_path):
    link = GatewayLink(gateway.url, tmp_path / "app", token="wrong", reconnect_delay_s=0.05)
    await link.start()
    with pytest.raises(TimeoutError, match="token mismatch"):
        await link.wait_connected(1.5)
    assert link.state in ("connecting", "disconnected")
    await link.reconnect(token=TOKEN)
    await link.wait_connected(5)
    await link.close()
