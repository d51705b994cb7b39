"""Nodes over real sockets: our own protocol client plays the node."""

from __future__ import annotations

import asyncio
import json

import pytest

from openclaw_desktop.client.gateway_client import (
    ClientOptions,
    GatewayClient,
    RpcError,
)
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from tests.conftest import TOKEN, connect

ADMIN = ["operator.admin"]


def node_opts(ident: DeviceIdentity, commands=("system.which", "location.get", "camera.snap")) -> ClientOptions:
    return ClientOptions(token=TOKEN, role="node", client_id="node-host", client_mode="node", scopes=[],
                         identity=ident, display_name="bench node", commands=list(commands), caps=["system"])


async def serve_invokes(node: GatewayClient, answers: dict, seen: list) -> None:
    """Answer node.invoke.request events: a dict (ok), an Exception-like tuple, or 'hang'."""
    while True:
        event = await node.next_event("node.invoke.request", timeout=60)
        req = event["payload"]
        seen.append(req)
        answer = answers.get(req["command"])
        if answer == "hang":
            continue
        if isinstance(answer, tuple):
            await node.call("node.invoke.result", {"id": req["id"], "nodeId": req["nodeId"], "ok": False,
                                                   "error": {"code": answer[0], "message": answer[1]}})
        else:
            await node.call("node.invoke.result", {"id": req["id"], "nodeId": req["nodeId"], "ok": True,
                                                   "payloadJSON": json.dumps(answer)})


async def approve_pending(admin: GatewayClient) -> dict:
    event = await admin.next_event("node.pair.requested")
    assert event["payload"]["requiredApproveScopes"] == ["operator.pairing", "operator.admin"]
    return await admin.call("node.pair.approve", {"requestId": event["payload"]["requestId"]})


async def test_surface_approval_then_invoke_round_trip(gateway):
    ident = DeviceIdentity.generate()
    async with connect(gateway, scopes=ADMIN) as admin:
        async with GatewayClient.connect(gateway.url, node_opts(ident)) as node:
            listed = (await admin.call("node.list"))["nodes"]
            assert [(n["nodeId"], n["approvalState"], n["commands"]) for n in listed] == [
                (ident.device_id, "pending-approval", [])]
            with pytest.raises(RpcError, match="pending approval"):
                await admin.call("node.invoke", {"nodeId": ident.device_id, "command": "system.which",
                                                 "params": {"bins": ["sh"]}, "idempotencyKey": "i0"})
            approved = await approve_pending(admin)
            assert approved["node"]["commands"] == ["system.which", "location.get", "camera.snap"]
            assert (await node.next_event("node.pair.resolved"))["payload"]["decision"] == "approved"
            seen: list = []
            server = asyncio.create_task(serve_invokes(node, {"system.which": {"bins": {"sh": "/bin/sh"}}}, seen))
            result = await admin.call("node.invoke", {"nodeId": "bench node", "command": "system.which",
                                                      "params": {"bins": ["sh"]}, "idempotencyKey": "i1"})
            assert result["ok"] and result["payload"] == {"bins": {"sh": "/bin/sh"}}
            assert json.loads(seen[0]["paramsJSON"]) == {"bins": ["sh"]} and seen[0]["timeoutMs"] == 30000
            assert "seq" not in seen[0]
            with pytest.raises(RpcError, match="requires explicit gateway.nodes.commands.allow"):
                await admin.call("node.invoke", {"nodeId": ident.device_id, "command": "camera.snap",
                                                 "idempotencyKey": "i2"})
            described = await admin.call("node.describe", {"nodeId": ident.device_id})
            assert described["connected"] and described["approvalState"] == "approved"
            server.cancel()
        await asyncio.sleep(0.1)
        offline = (await admin.call("node.list"))["nodes"][0]
        assert offline["connected"] is False and offline["paired"] is True
        with pytest.raises(RpcError) as exc:
            await admin.call("node.invoke", {"nodeId": ident.device_id, "command": "system.which",
                                             "idempotencyKey": "i3"})
        assert exc.value.error["message"] == "node not connected" and exc.value.details["code"] == "NOT_CONNECTED"


async def test_node_errors_timeouts_and_disconnects(gateway):
    ident = DeviceIdentity.generate()
    async with connect(gateway, scopes=ADMIN) as admin:
        node_cm = GatewayClient.connect(gateway.url, node_opts(ident))
        node = await node_cm.__aenter__()
        await approve_pending(admin)
        seen: list = []
        answers = {"location.get": ("LOCATION_DISABLED", "enable Location"), "system.which": "hang"}
        server = asyncio.create_task(serve_invokes(node, answers, seen))
        with pytest.raises(RpcError) as exc:
            await admin.call("node.invoke", {"nodeId": ident.device_id, "command": "location.get",
                                             "idempotencyKey": "e1"})
        assert exc.value.error["message"] == "LOCATION_DISABLED: enable Location"
        assert exc.value.details["nodeError"]["code"] == "LOCATION_DISABLED"
        with pytest.raises(RpcError, match="TIMEOUT: node invoke timed out"):
            await admin.call("node.invoke", {"nodeId": ident.device_id, "command": "system.which",
                                             "timeoutMs": 200, "idempotencyKey": "e2"})
        pending = asyncio.create_task(admin.call("node.invoke", {"nodeId": ident.device_id, "command": "system.which",
                                                                 "idempotencyKey": "e3"}))
        while len(seen) < 3:
            await asyncio.sleep(0.02)
        server.cancel()
        await node_cm.__aexit__(None, None, None)  # the node goes away mid-invoke
        with pytest.raises(RpcError, match=r"DISCONNECTED: node disconnected \(system.which\)"):
            await pending
        # A late result for a finished invoke is acknowledged and ignored.
        async with GatewayClient.connect(gateway.url, node_opts(ident)) as again:
            late = await again.call("node.invoke.result", {"id": seen[1]["id"], "nodeId": ident.device_id,
                                                           "ok": True, "payloadJSON": "{}"})
            assert late == {"ok": True, "ignored": True}
            with pytest.raises(RpcError, match="nodeId mismatch"):
                await again.call("node.invoke.result", {"id": "x", "nodeId": "someone-else", "ok": True})


async def test_approve_needs_the_required_scopes_and_reject_remove(gateway):
    ident = DeviceIdentity.generate()
    async with connect(gateway, scopes=["operator.pairing", "operator.write"]) as pairing_only, \
            connect(gateway, scopes=ADMIN) as admin:
        async with GatewayClient.connect(gateway.url, node_opts(ident)):
            request_id = (await pairing_only.next_event("node.pair.requested"))["payload"]["requestId"]
            assert (await admin.next_event("node.pair.requested"))["payload"]["requestId"] == request_id
            with pytest.raises(RpcError, match="missing scope: operator.admin"):
                await pairing_only.call("node.pair.approve", {"requestId": request_id})
            pending = (await pairing_only.call("node.pair.list"))["pending"]
            assert [p["requestId"] for p in pending] == [request_id]
            rejected = await admin.call("node.pair.reject", {"requestId": request_id})
            assert rejected["nodeId"] == ident.device_id
        async with GatewayClient.connect(gateway.url, node_opts(ident, commands=["location.get"])):
            request_id = (await admin.next_event("node.pair.requested"))["payload"]["requestId"]
            await pairing_only.call("node.pair.approve", {"requestId": request_id})  # write-level surface
            renamed = await admin.call("node.rename", {"nodeId": ident.device_id, "displayName": "Kitchen"})
            assert renamed["displayName"] == "Kitchen"
            assert (await admin.call("node.pair.remove", {"nodeId": ident.device_id})) == {"nodeId": ident.device_id}
        assert (await admin.call("node.list"))["nodes"] == []
