"""Our desktop node against OUR gateway over real sockets (fake engines, no Qt)."""

from __future__ import annotations

import asyncio
import base64
import shutil
import time

import pytest

from openclaw_desktop.client.gateway_client import GatewayClient, RpcError
from openclaw_desktop.nodes.desktop.client import NodeState, client_identity
from openclaw_desktop.nodes.desktop.identity import DeviceTokenStore, StoredToken
from tests.conftest import connect

from .conftest import start_gateway_with
from .fakes import FakeLocation, FakeScreen, fake_ports

ADMIN = ["operator.admin"]


async def approve_surface(admin: GatewayClient) -> dict:
    event = await admin.next_event("node.pair.requested", timeout=10)
    return await admin.call("node.pair.approve", {"requestId": event["payload"]["requestId"]})


def invoke(admin: GatewayClient, node_id: str, command: str, params=None, *, key: str, **extra):
    body = {"nodeId": node_id, "command": command, "idempotencyKey": key, **extra}
    if params is not None:
        body["params"] = params
    return admin.call("node.invoke", body, timeout=30)


async def test_node_pairs_declares_its_surface_and_answers(capture_gateway, start_node):
    async with connect(capture_gateway, scopes=ADMIN) as admin:
        run = start_node(capture_gateway.url, fake_ports(), enabled={"screen.snapshot", "location.get",
                                                                     "camera.snap"})
        await run.wait_for(NodeState.CONNECTED)
        approved = (await approve_surface(admin))["node"]
        assert sorted(approved["commands"]) == ["camera.list", "camera.snap", "location.get", "screen.snapshot",
                                                "system.notify", "system.which"]
        node_id = run.node.node_id
        described = await admin.call("node.describe", {"nodeId": node_id})
        client_id, platform, _family = client_identity()
        assert (described["displayName"], described["clientId"], described["platform"], described["clientMode"]) \
            == ("desk", client_id, platform, "node")
        assert described["permissions"] == {"camera": True, "location": True, "screenRecording": True}
        assert described["approvalState"] == "approved" and described["connected"] is True

        which = await invoke(admin, "desk", "system.which", {"bins": ["sh", "nope-xyz"]}, key="k1")
        assert which["payload"] == {"bins": {"sh": shutil.which("sh")}}
        where = await invoke(admin, node_id, "location.get", {"desiredAccuracy": "precise"}, key="k2")
        assert where["payload"]["lat"] == 48.20849 and where["payload"]["timestamp"] == "2026-01-03T12:34:56.000Z"
        shot = await invoke(admin, node_id, "screen.snapshot", {"maxWidth": 640}, key="k3")
        assert (shot["payload"]["width"], shot["payload"]["height"]) == (640, 480)
        assert base64.b64decode(shot["payload"]["base64"]) == b"\x89PNG-fake"
        started = time.monotonic()
        with pytest.raises(RpcError) as exc:
            await invoke(admin, node_id, "camera.snap", {}, key="k4")
        assert time.monotonic() - started < 2
        assert exc.value.error["message"] == "CAMERA_UNAVAILABLE: no camera found on this computer"
        assert exc.value.details["nodeError"] == {"code": "CAMERA_UNAVAILABLE",
                                                  "message": "no camera found on this computer"}
        with pytest.raises(RpcError, match="does not support \"screen.record\""):  # not enabled → not declared
            await invoke(admin, node_id, "screen.record", {}, key="k5")
        # The hello's device token was stored for next time.
        stored = DeviceTokenStore(run.node.tokens.path).get(capture_gateway.url, "node", node_id)
        assert stored is not None and stored.token

        await run.stop()
        assert run.statuses[-1].state is NodeState.STOPPED
        await asyncio.sleep(0.1)
        assert (await admin.call("node.describe", {"nodeId": node_id}))["connected"] is False


async def test_invoke_timeout_cancels_the_handler(gateway, start_node):
    slow = FakeLocation(delay_s=30)
    async with connect(gateway, scopes=ADMIN) as admin:
        run = start_node(gateway.url, fake_ports(location=slow))
        await approve_surface(admin)
        with pytest.raises(RpcError, match="TIMEOUT: node invoke timed out"):
            await invoke(admin, run.node.node_id, "location.get", {"timeoutMs": 60000}, key="t1", timeoutMs=300)
        async with asyncio.timeout(5):
            while slow.cancelled == 0:
                await asyncio.sleep(0.02)
        # The node keeps serving after a timed-out invoke.
        slow.delay_s = 0
        result = await invoke(admin, run.node.node_id, "location.get", {}, key="t2")
        assert result["payload"]["source"] == "gps"


async def test_node_handler_deadline_answers_timeout(gateway, start_node):
    slow = FakeLocation(delay_s=30)
    async with connect(gateway, scopes=ADMIN) as admin:
        run = start_node(gateway.url, fake_ports(location=slow))
        await approve_surface(admin)
        with pytest.raises(RpcError) as exc:  # the location budget (timeoutMs) is shorter than the invoke's
            await invoke(admin, run.node.node_id, "location.get", {"timeoutMs": 100}, key="d1")
        assert exc.value.details["nodeError"]["code"] == "LOCATION_TIMEOUT"


async def test_node_disconnect_mid_invoke(gateway, start_node):
    screen = FakeScreen(hang=True)
    async with connect(gateway, scopes=ADMIN) as admin:
        run = start_node(gateway.url, fake_ports(screen=screen))
        await approve_surface(admin)
        pending = asyncio.create_task(invoke(admin, run.node.node_id, "screen.snapshot", {}, key="m1"))
        async with asyncio.timeout(5):
            while not screen.calls:
                await asyncio.sleep(0.02)
        await run.stop()  # cancels the in-flight handler, closes the socket, re-raises
        with pytest.raises(RpcError, match=r"DISCONNECTED: node disconnected \(screen.snapshot\)"):
            await pending
        assert run.node._invokes == {}


async def test_reconnects_after_the_gateway_drops_it(gateway, start_node):
    async with connect(gateway, scopes=ADMIN) as admin:
        run = start_node(gateway.url, fake_ports())
        await approve_surface(admin)
        await admin.call("node.pair.remove", {"nodeId": run.node.node_id})  # server closes the socket (4001)
        await run.wait_for(NodeState.DISCONNECTED)
        await run.wait_for(NodeState.CONNECTED, count=2)
        await approve_surface(admin)  # a removed node asks for its surface again
        result = await invoke(admin, run.node.node_id, "system.which", {"bins": ["sh"]}, key="r1")
        assert result["ok"] is True


async def test_device_token_is_used_then_cleared_on_mismatch(gateway, start_node, tmp_path):
    state = tmp_path / "tok-node"
    async with connect(gateway, scopes=ADMIN) as admin:
        first = start_node(gateway.url, fake_ports(), state_dir=state)
        await approve_surface(admin)
        await first.stop()
        store = DeviceTokenStore.for_state(state)
        token = store.get(gateway.url, "node", first.node.node_id)
        assert token is not None
        # No shared secret now: the stored device token alone gets the node in.
        second = start_node(gateway.url, fake_ports(), state_dir=state, token=None)
        await second.wait_for(NodeState.CONNECTED)
        assert (await invoke(admin, second.node.node_id, "system.which", {"bins": ["sh"]}, key="d1"))["ok"]
        await second.stop()
        store.put(gateway.url, "node", StoredToken("not-the-token", token.device_id))
        third = start_node(gateway.url, fake_ports(), state_dir=state, token=None)
        paused = await third.wait_for(NodeState.PAUSED)
        assert "device token mismatch" in paused.message
        assert store.get(gateway.url, "node", token.device_id) is None
        await third.stop()


async def test_pairing_required_pauses_until_resumed(paths, start_node):
    gw = await start_gateway_with(paths, {"gateway": {"nodes": {"pairing": {"autoApproveLocal": False}}}})
    try:
        async with connect(gw, scopes=ADMIN) as admin:
            run = start_node(gw.url, fake_ports(), pairing_retry_s=None)
            paused = await run.wait_for(NodeState.PAUSED)
            assert paused.request_id
            await asyncio.sleep(0.3)  # paused means no retries
            assert [s.state for s in run.statuses].count(NodeState.CONNECTING) == 1
            await admin.call("device.pair.approve", {"requestId": paused.request_id})
            run.node.resume()
            await run.wait_for(NodeState.CONNECTED)
            await run.stop()
    finally:
        await gw.close()


async def test_pending_pairing_is_retried_so_approval_alone_lets_the_node_in(paths, start_node):
    gw = await start_gateway_with(paths, {"gateway": {"nodes": {"pairing": {"autoApproveLocal": False}}}})
    try:
        async with connect(gw, scopes=ADMIN) as admin:
            run = start_node(gw.url, fake_ports(), pairing_retry_s=0.2)
            paused = await run.wait_for(NodeState.PAUSED)
            await admin.call("device.pair.approve", {"requestId": paused.request_id})
            await run.wait_for(NodeState.CONNECTED)  # no resume(): the retry found the approval
            assert [s.state for s in run.statuses].count(NodeState.CONNECTING) >= 2
            await run.stop()
    finally:
        await gw.close()
