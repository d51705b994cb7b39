"""The voice-node bootstrap profile over real sockets: node + operator with exactly
``operator.read`` and ``operator.talk``, via the RPC and via ``openclaw-desktop pair``."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest

from openclaw_desktop.client.gateway_client import GatewayClient, RpcError
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from tests.conftest import connect

from .helpers import android, mint, refused, token_of

VOICE_SCOPES = ["operator.read", "operator.talk"]


def esp32(ident: DeviceIdentity, bootstrap_token: str | None, **kw: object):  # type: ignore[no-untyped-def]
    """An embedded voice node's node socket (the node-host client class on an ESP32)."""
    base: dict[str, object] = {"client_id": "node-host", "platform": "esp32", "device_family": "esp32",
                               "display_name": "Kitchen speaker", "commands": ["talk.speak"], "caps": ["talk"]}
    base.update(kw)
    return android(ident, bootstrap_token, **base)


async def test_voice_node_handoff_carries_exactly_read_and_talk(gateway):
    res = await mint(gateway, bootstrapProfile="voice-node")
    assert res["access"] == "limited" and "accessDowngraded" not in res
    ident = DeviceIdentity.generate()
    async with connect(gateway, scopes=["operator.admin"]) as admin:
        async with GatewayClient.connect(gateway.url, esp32(ident, token_of(res))) as node:
            auth = node.hello["auth"]
        completed = await admin.next_event("device.pair.setup.completed")
        [device] = (await admin.call("device.pair.list"))["paired"]
    assert (auth["method"], auth["role"], auth["scopes"]) == ("bootstrap-token", "node", [])
    [operator] = auth["deviceTokens"]
    assert operator["role"] == "operator" and operator["scopes"] == VOICE_SCOPES
    assert completed["payload"]["access"] == "limited"
    assert (device["approvedVia"], device["roles"], sorted(device["scopes"])) == ("bootstrap", ["node", "operator"],
                                                                                   VOICE_SCOPES)
    # The handed-off operator token opens a read + talk socket, and nothing more.
    ui = esp32(ident, None, token=operator["deviceToken"], role="operator", client_mode="ui", scopes=VOICE_SCOPES)
    async with GatewayClient.connect(gateway.url, ui) as op:
        assert op.hello["auth"]["method"] == "device-token"
        assert (await op.call("status"))["ok"] is True
        with pytest.raises(RpcError, match="missing scope: operator.write"):
            await op.call("chat.send", {"sessionKey": "agent:main:main", "message": "hi", "idempotencyKey": "k"})
    wider = esp32(ident, None, token=operator["deviceToken"], role="operator", client_mode="ui",
                  scopes=["operator.write"])
    assert (await refused(gateway.url, wider)).details["code"] == "AUTH_SCOPE_MISMATCH"


async def test_voice_node_code_cannot_open_a_wider_operator_socket(gateway):
    token = token_of(await mint(gateway, bootstrapProfile="voice-node"))
    wide = esp32(DeviceIdentity.generate(), token, role="operator", client_mode="ui",
                 scopes=["operator.read", "operator.write"])
    assert (await refused(gateway.url, wide)).details["code"] == "AUTH_BOOTSTRAP_TOKEN_INVALID"
    op = esp32(DeviceIdentity.generate(), token, role="operator", client_mode="ui", scopes=VOICE_SCOPES)
    async with GatewayClient.connect(gateway.url, op) as c:
        assert c.hello["auth"]["scopes"] == VOICE_SCOPES
        assert [t["role"] for t in c.hello["auth"]["deviceTokens"]] == ["node"]


async def test_other_clients_need_manual_approval_for_a_voice_node_code(gateway):
    token = token_of(await mint(gateway, bootstrapProfile="voice-node"))
    desktop_host = esp32(DeviceIdentity.generate(), token, platform="linux", device_family="Linux")
    exc = await refused(gateway.url, desktop_host)
    assert exc.code == "NOT_PAIRED" and exc.details["recommendedNextStep"] == "wait_then_retry"


async def test_pair_command_mints_a_voice_node_code(gateway, paths):
    env = {**os.environ, "OPENCLAW_STATE_DIR": str(paths.state_dir)}
    env.pop("OPENCLAW_CONFIG_PATH", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "openclaw_desktop", "pair", "--json", "--profile", "voice-node", "--url", gateway.url,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    doc = json.loads(out)
    assert (doc["profile"], doc["access"]) == ("voice-node", "limited")
    async with GatewayClient.connect(gateway.url, esp32(DeviceIdentity.generate(), token_of(doc))) as node:
        [operator] = node.hello["auth"]["deviceTokens"]
    assert operator["scopes"] == VOICE_SCOPES
