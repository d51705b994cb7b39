"""A scripted gateway on a real socket feeds the node malformed input: it answers what it
can, ignores what it cannot, and reconnects after an unreadable frame."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.server import ServerConnection, serve

from openclaw_desktop.nodes.desktop.client import NodeState

from .fakes import fake_ports


class ScriptedGateway:
    def __init__(self) -> None:
        self.connections = 0
        self.results: asyncio.Queue[dict] = asyncio.Queue()
        self.connects: list[dict] = []

    async def handler(self, ws: ServerConnection) -> None:
        self.connections += 1
        await ws.send(json.dumps({"type": "event", "event": "connect.challenge",
                                  "payload": {"nonce": f"n{self.connections}", "ts": 1}}))
        req = json.loads(await ws.recv())
        self.connects.append(req["params"])
        await ws.send(json.dumps({"type": "res", "id": req["id"], "ok": True, "payload": {
            "type": "hello-ok", "protocol": 4, "policy": {"tickIntervalMs": 30000}, "auth": {"role": "node"}}}))
        if self.connections == 1:
            for payload in ({"id": "bad-json", "command": "system.which", "paramsJSON": "{oops"},
                            {"command": "system.which"},  # no id: nothing to answer
                            "not-an-object",
                            {"id": "unknown", "command": "system.reboot", "paramsJSON": "{}"},
                            {"id": "good", "command": "system.which", "paramsJSON": '{"bins":["sh"]}'}):
                await ws.send(json.dumps({"type": "event", "event": "node.invoke.request", "payload": payload}))
            await ws.send(json.dumps({"type": "event", "event": "node.invoke.cancel", "payload": None}))
        async for raw in ws:
            msg = json.loads(raw)
            if msg.get("method") == "node.invoke.result":
                await self.results.put(msg["params"])
                if msg["params"]["id"] == "good" and self.connections == 1:
                    await ws.send("this is not json")
            await ws.send(json.dumps({"type": "res", "id": msg["id"], "ok": True, "payload": {"ok": True}}))


async def test_malformed_requests_and_frames(start_node):
    gateway = ScriptedGateway()
    async with serve(gateway.handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        run = start_node(f"ws://127.0.0.1:{port}", fake_ports())
        async with asyncio.timeout(10):
            results = {}
            while len(results) < 3:
                r = await gateway.results.get()
                results[r["id"]] = r
        assert results["bad-json"]["error"] == {"code": "INVALID_REQUEST", "message": "paramsJSON is not valid JSON"}
        assert results["unknown"]["error"] == {"code": "INVALID_REQUEST", "message": "unknown command: system.reboot"}
        assert results["good"]["ok"] is True and json.loads(results["good"]["payloadJSON"])["bins"]["sh"]
        assert all(r["nodeId"] == run.node.node_id for r in results.values())
        await run.wait_for(NodeState.CONNECTED, count=2)  # the unreadable frame dropped the link; it came back
        assert gateway.connections == 2
        first = gateway.connects[0]
        assert first["role"] == "node" and first["scopes"] == [] and first["client"]["mode"] == "node"
        assert first["device"]["id"] == run.node.node_id and first["auth"] == {"token": "testtoken"}
        assert "system.which" in first["commands"] and first["permissions"]["screenRecording"] is True
        await run.stop()
