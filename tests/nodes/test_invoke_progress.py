"""``node.invoke.progress`` over real sockets: chunks reach only the operator connection
that called ``node.invoke``, in order, before its result; stray progress is ignored."""

from __future__ import annotations

import asyncio
import json

import pytest

from openclaw_desktop.client.gateway_client import GatewayClient, RpcError
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from tests.conftest import connect

from .test_node_rpcs import ADMIN, approve_pending, node_opts


async def stream_then_answer(node: GatewayClient, chunks: list[str], acks: list) -> dict:
    """Play a node that streams ``chunks`` for the next invoke, then answers it."""
    req = (await node.next_event("node.invoke.request", timeout=10))["payload"]
    for seq, chunk in enumerate(chunks):
        acks.append(await node.call("node.invoke.progress", {"invokeId": req["id"], "nodeId": req["nodeId"],
                                                              "seq": seq, "chunk": chunk}))
    await node.call("node.invoke.result", {"id": req["id"], "nodeId": req["nodeId"], "ok": True,
                                           "payloadJSON": json.dumps({"exitCode": 0})})
    return req


async def test_progress_goes_to_the_invoking_connection_only(gateway):
    ident = DeviceIdentity.generate()
    async with connect(gateway, scopes=ADMIN) as caller, connect(gateway, scopes=ADMIN) as bystander:
        assert "node.invoke.progress" in caller.hello["features"]["events"]
        async with GatewayClient.connect(gateway.url, node_opts(ident)) as node:
            await approve_pending(caller)
            acks: list = []
            streaming = asyncio.create_task(stream_then_answer(node, ["line 1\n", "line 2\n", "é" * 100], acks))
            result = await caller.call("node.invoke", {"nodeId": ident.device_id, "command": "system.which",
                                                       "params": {"bins": ["sh"]}, "idempotencyKey": "run-1"})
            req = await streaming
            # Events sent before the response arrive before it: they are all queued now.
            events = [e for e in list(caller.events._queue) if e["event"] == "node.invoke.progress"]
            await bystander.call("health")  # a round trip, so anything pushed to it has arrived
            assert [e for e in list(bystander.events._queue) if e["event"] == "node.invoke.progress"] == []
    assert result["ok"] is True and result["payload"] == {"exitCode": 0}
    assert acks == [{"ok": True}] * 3
    assert [e["payload"] for e in events] == [
        {"invokeId": req["id"], "nodeId": ident.device_id, "seq": i, "chunk": chunk, "idempotencyKey": "run-1"}
        for i, chunk in enumerate(["line 1\n", "line 2\n", "é" * 100])]
    assert all(isinstance(e["seq"], int) for e in events)  # ordinary per-connection event seq


async def test_progress_for_unknown_or_finished_invokes_is_ignored(gateway):
    ident = DeviceIdentity.generate()
    async with connect(gateway, scopes=ADMIN) as caller, GatewayClient.connect(gateway.url, node_opts(ident)) as node:
        await approve_pending(caller)
        streaming = asyncio.create_task(stream_then_answer(node, [], []))
        await caller.call("node.invoke", {"nodeId": ident.device_id, "command": "system.which",
                                          "idempotencyKey": "run-2"})
        finished = (await streaming)["id"]
        for invoke_id in (finished, "no-such-invoke"):
            ack = await node.call("node.invoke.progress", {"invokeId": invoke_id, "nodeId": ident.device_id,
                                                           "seq": 0, "chunk": "late"})
            assert ack == {"ok": True, "ignored": True}
        await caller.call("health")
        assert [e for e in list(caller.events._queue) if e["event"] == "node.invoke.progress"] == []


async def test_progress_params_are_checked(gateway):
    ident = DeviceIdentity.generate()
    async with connect(gateway, scopes=ADMIN) as caller:
        async with GatewayClient.connect(gateway.url, node_opts(ident)) as node:
            await approve_pending(caller)
            base = {"invokeId": "i", "nodeId": ident.device_id, "seq": 0, "chunk": "x"}
            for change, message in (({"nodeId": "someone-else"}, "nodeId mismatch"),
                                    ({"chunk": "x" * 16_385}, "progress chunk too large"),
                                    ({"chunk": "é" * 8_193}, "progress chunk too large"),  # 16 KiB of UTF-8
                                    ({"seq": -1}, "seq must be an integer"),
                                    ({"seq": True}, "seq must be an integer"),
                                    ({"chunk": None}, "chunk must be a string"),
                                    ({"invokeId": ""}, "invokeId must be a non-empty string")):
                with pytest.raises(RpcError, match=message):
                    await node.call("node.invoke.progress", {**base, **change})
            assert await node.call("node.invoke.progress", {**base, "chunk": "x" * 16_384}) == {"ok": True,
                                                                                                "ignored": True}
        with pytest.raises(RpcError, match="unauthorized role: operator"):
            await caller.call("node.invoke.progress", base)
