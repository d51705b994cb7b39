"""Wake-word triggers are gateway-global: get/set, fan-out to operators and nodes, a
snapshot for every node right after its hello, and a phone's voice transcript starts a turn."""

from __future__ import annotations

import pytest

from openclaw_desktop.client.gateway_client import (
    ClientOptions,
    GatewayClient,
    RpcError,
)
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from openclaw_desktop.voice.triggers import normalize_triggers
from tests.conftest import TOKEN, connect


def test_normalisation():
    assert normalize_triggers([]) == ["openclaw", "claude", "computer"]
    assert normalize_triggers(["  hey jarvis ", "", "hey jarvis", "ok 電腦"]) == ["hey jarvis", "ok 電腦"]
    assert len(normalize_triggers([f"t{i}" for i in range(40)])) == 32
    assert normalize_triggers(["😀" * 40]) == ["😀" * 32]  # 64 UTF-16 units, no split surrogate
    with pytest.raises(Exception, match=r"requires triggers: string\[\]"):
        normalize_triggers("computer")


async def test_sync_to_operators_and_nodes(gateway):
    phone = ClientOptions(token=TOKEN, role="node", client_id="openclaw-ios", client_mode="node", platform="iOS 18.4",
                          device_family="iPhone", identity=DeviceIdentity.generate(), caps=["voiceWake"])
    async with GatewayClient.connect(gateway.url, phone) as node:
        first = await node.next_event("voicewake.changed")
        assert first["payload"] == {"triggers": ["openclaw", "claude", "computer"]} and "seq" not in first
        async with connect(gateway, scopes=["operator.read", "operator.write"]) as op:
            assert await op.call("voicewake.get") == {"triggers": ["openclaw", "claude", "computer"]}
            assert await op.call("voicewake.set", {"triggers": ["hey jarvis", "ok 電腦"]}) == {
                "triggers": ["hey jarvis", "ok 電腦"]}
            assert (await op.next_event("voicewake.changed"))["payload"]["triggers"] == ["hey jarvis", "ok 電腦"]
            assert (await node.next_event("voicewake.changed"))["payload"]["triggers"] == ["hey jarvis", "ok 電腦"]
            with pytest.raises(RpcError, match="requires triggers"):
                await op.call("voicewake.set", {"triggers": "x"})
            # The phone heard something: a turn starts in the main session.
            handled = await node.call("node.event", {"event": "voice.transcript",
                                                     "payloadJSON": '{"text": "what time is it"}'})
            assert handled["handled"] is True and handled["runId"]
            chat = await op.next_event("chat")
            assert chat["payload"]["runId"] == handled["runId"] and chat["payload"]["sessionKey"] == "agent:main:main"
    async with GatewayClient.connect(gateway.url, ClientOptions(**{**phone.__dict__, "identity": DeviceIdentity.generate()})) as again:
        assert (await again.next_event("voicewake.changed"))["payload"]["triggers"] == ["hey jarvis", "ok 電腦"]
