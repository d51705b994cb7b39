"""The agent takes a photo with a (fake) phone: node_invoke → node → image back in the turn."""

from __future__ import annotations

import asyncio
import base64
import json

from openclaw_desktop.app import build_gateway
from openclaw_desktop.client.gateway_client import ClientOptions, GatewayClient
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from tests.conftest import TOKEN, connect
from tests.support.anthropic_script import Text, ToolUse, Turn
from tests.support.fake_anthropic import FakeAnthropic

PNG = base64.b64encode(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                     "1f15c4890000000d49444154789c6360f8cf0000000301010018dd8db00000"
                                     "000049454e44ae426082")).decode()


async def test_agent_gets_the_phone_photo(paths, monkeypatch):
    paths.state_dir.mkdir(parents=True)
    paths.config_path.write_text('{gateway: {nodes: {commands: {allow: ["camera.snap"]}}}}')
    async with FakeAnthropic() as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
        try:
            phone = ClientOptions(token=TOKEN, role="node", client_id="openclaw-android", client_mode="node",
                                  platform="android", device_family="Android", identity=DeviceIdentity.generate(),
                                  display_name="Pixel", commands=["camera.snap", "camera.list"], caps=["camera"])
            async with connect(gw, scopes=["operator.admin"]) as admin, GatewayClient.connect(gw.url, phone) as node:
                req = (await admin.next_event("node.pair.requested"))["payload"]
                await admin.call("node.pair.approve", {"requestId": req["requestId"]})

                async def camera() -> None:
                    event = await node.next_event("node.invoke.request", timeout=20)
                    assert event["payload"]["command"] == "camera.snap"
                    await node.call("node.invoke.result", {
                        "id": event["payload"]["id"], "nodeId": event["payload"]["nodeId"], "ok": True,
                        "payloadJSON": json.dumps({"format": "png", "base64": PNG, "width": 1, "height": 1})})

                serving = asyncio.create_task(camera())
                api.push(Turn([ToolUse("t1", "node_invoke", {"node": "Pixel", "command": "camera.snap",
                                                             "params": {"facing": "back"}})]))
                api.push(Turn([Text("A tiny picture.")]))
                await admin.call("chat.send", {"sessionKey": "main", "message": "take a photo with the phone",
                                               "idempotencyKey": "p1"})
                while (await admin.next_event("chat", timeout=20))["payload"]["state"] != "final":
                    pass
                await serving
            result = next(b for b in api.requests[1]["messages"][-1]["content"] if b["type"] == "tool_result")
            image = next(b for b in result["content"] if b["type"] == "image")
            assert image["source"] == {"type": "base64", "media_type": "image/png", "data": PNG}
            assert '"image": "attached"' in result["content"][0]["text"]
        finally:
            await gw.close()
