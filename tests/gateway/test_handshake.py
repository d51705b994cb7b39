"""The connect handshake over a real socket: hello-ok, and every refusal with its close code."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from openclaw_desktop.client.gateway_client import (
    ClientOptions,
    GatewayClient,
    RpcError,
)
from tests.conftest import TOKEN, cli_opts, connect

REQUIRED_HELLO = ["type", "protocol", "server", "features", "snapshot", "auth", "policy"]


async def test_hello_ok_has_every_required_field(gateway):
    async with connect(gateway, scopes=["operator.read"]) as c:
        hello = c.hello
    assert all(k in hello for k in REQUIRED_HELLO)
    assert hello["type"] == "hello-ok" and hello["protocol"] == 4
    assert hello["server"]["version"] and hello["server"]["connId"]
    assert hello["policy"] == {"maxPayload": 26214400, "maxBufferedBytes": 52428800, "tickIntervalMs": 30000}
    snap = hello["snapshot"]
    assert snap["sessionDefaults"]["mainSessionKey"] == "agent:main:main"
    assert isinstance(snap["uptimeMs"], int) and set(snap["stateVersion"]) == {"presence", "health"}
    assert any(p.get("reason") == "self" for p in snap["presence"])
    assert hello["auth"]["role"] == "operator" and hello["auth"]["scopes"] == ["operator.read"]
    # features list exactly what is registered: every advertised method answers something
    # other than "unknown method".
    assert {"health", "chat.send", "device.pair.approve"} <= set(hello["features"]["methods"])
    assert "talk.speak" not in hello["features"]["methods"]  # not implemented, so not listed
    assert {"connect.challenge", "tick", "presence", "shutdown"} <= set(hello["features"]["events"])


async def test_every_advertised_method_is_known(gateway):
    async with connect(gateway) as c:
        for method in c.hello["features"]["methods"]:
            try:
                await c.call(method, {})
            except RpcError as exc:
                assert not str(exc).endswith(f"unknown method: {method}")


async def raw_socket(gateway):
    ws = await ws_connect(gateway.url, compression=None)
    challenge = json.loads(await ws.recv())
    assert challenge["event"] == "connect.challenge" and "seq" not in challenge
    assert isinstance(challenge["payload"]["ts"], int) and challenge["payload"]["nonce"]
    return ws, challenge["payload"]


async def expect_refusal(ws, code: int) -> dict:
    reply = json.loads(await ws.recv())
    with pytest.raises(ConnectionClosed):
        await ws.recv()
    assert ws.close_code == code
    return reply


async def test_first_frame_must_be_connect(gateway):
    ws, _ = await raw_socket(gateway)
    await ws.send(json.dumps({"type": "req", "id": "1", "method": "health"}))
    reply = await expect_refusal(ws, 1008)
    assert reply["id"] == "1" and reply["error"]["message"] == "invalid handshake: first request must be connect"


@pytest.mark.parametrize("frame", ["{not json", b"\x00binary", json.dumps({"type": "event", "event": "x"})])
async def test_garbage_first_frame_is_refused(gateway, frame):
    ws, _ = await raw_socket(gateway)
    await ws.send(frame)
    reply = await expect_refusal(ws, 1008)
    assert reply["ok"] is False and reply["error"]["code"] == "INVALID_REQUEST"


async def test_oversized_preauth_frame_closes_1009(gateway):
    ws, _ = await raw_socket(gateway)
    await ws.send("x" * (64 * 1024 + 1))
    with pytest.raises(ConnectionClosed):
        await ws.recv()
    assert ws.close_code == 1009


async def test_protocol_mismatch_closes_1002(gateway):
    with pytest.raises(RpcError) as exc:
        async with connect(gateway, cli_opts(min_protocol=5, max_protocol=6)):
            pass
    assert exc.value.details["code"] == "PROTOCOL_MISMATCH" and exc.value.details["expectedProtocol"] == 4


async def test_wrong_token_is_refused_with_details(gateway):
    ws, _ = await raw_socket(gateway)
    await ws.send(json.dumps({"type": "req", "id": "c", "method": "connect", "params": {
        "minProtocol": 4, "maxProtocol": 4, "client": {"id": "cli", "mode": "cli"}, "auth": {"token": "wrong"}}}))
    reply = await expect_refusal(ws, 1008)
    assert reply["error"]["details"]["code"] == "AUTH_TOKEN_MISMATCH"
    assert reply["error"]["details"]["recommendedNextStep"] == "update_auth_credentials"
    assert ws.close_reason.startswith("unauthorized: gateway token mismatch")


async def test_missing_token_is_refused(gateway):
    with pytest.raises(RpcError) as exc:
        async with connect(gateway, cli_opts(token=None)):
            pass
    assert exc.value.details["code"] == "AUTH_TOKEN_MISSING"


async def test_handshake_timeout_closes_silent_sockets(paths):
    from openclaw_desktop.app import build_gateway
    from openclaw_desktop.config.service import Overrides

    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False, handshake_timeout_s=0.3)
    try:
        ws, _ = await raw_socket(gw)
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(3):
                await ws.recv()
        assert ws.close_code == 1008
        # The gateway keeps serving others.
        async with connect(gw) as c:
            assert (await c.call("health"))["ok"] is True
    finally:
        await gw.close()


async def test_node_role_requires_device_identity(gateway):
    with pytest.raises(RpcError) as exc:
        async with connect(gateway, cli_opts(role="node", client_id="node-host", client_mode="node", scopes=[])):
            pass
    assert exc.value.code == "NOT_PAIRED" and exc.value.details["code"] == "DEVICE_IDENTITY_REQUIRED"


async def test_deviceless_non_cli_operator_gets_no_scopes(gateway):
    opts = ClientOptions(token=TOKEN, client_id="openclaw-linux", client_mode="ui", scopes=["operator.admin"])
    async with GatewayClient.connect(gateway.url, opts) as c:
        assert c.hello["auth"]["scopes"] == []
        assert (await c.call("health"))["ok"] is True  # health needs no scope
        with pytest.raises(RpcError) as exc:
            await c.call("status")
        assert exc.value.code == "FORBIDDEN" and str(exc.value) == "FORBIDDEN: missing scope: operator.read"


async def test_auth_mode_none_and_password(paths):
    from openclaw_desktop.app import build_gateway
    from openclaw_desktop.config.service import Overrides

    gw = await build_gateway(paths, Overrides(port=0, auth_mode="password", password="pw"), log_to_file=False)
    try:
        async with connect(gw, cli_opts(token=None, password="pw")) as c:
            assert c.hello["auth"]["method"] == "password"
        with pytest.raises(RpcError) as exc:
            async with connect(gw, cli_opts(token=None, password="nope")):
                pass
        assert exc.value.details["code"] == "AUTH_PASSWORD_MISMATCH"
    finally:
        await gw.close()
    gw = await build_gateway(paths, Overrides(port=0, auth_mode="none"), log_to_file=False)
    try:
        async with connect(gw, cli_opts(token=None)) as c:
            assert c.hello["auth"]["method"] == "none"
    finally:
        await gw.close()


async def test_pending_handshakes_are_bounded(gateway):
    from websockets.exceptions import InvalidStatus

    gateway.server.max_preauth_per_ip = 2
    held = [await raw_socket(gateway) for _ in range(2)]
    with pytest.raises(InvalidStatus) as exc:
        await raw_socket(gateway)
    assert exc.value.response.status_code == 503
    for ws, _ in held:
        await ws.close()
    await asyncio.sleep(0.05)
    async with connect(gateway) as c:  # slots are freed when those sockets go away
        assert (await c.call("health"))["ok"] is True
