"""Device pairing end to end: silent local approval, manual approval, device tokens,
replay protection, revocation, and persistence across a gateway restart."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect as ws_connect

from openclaw_desktop.app import build_gateway
from openclaw_desktop.client.gateway_client import (
    ClientOptions,
    GatewayClient,
    RpcError,
)
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.config.store import atomic_write_text
from openclaw_desktop.protocol.device_auth import DeviceIdentity, SignedFields
from tests.conftest import TOKEN, connect


def node_opts(ident: DeviceIdentity, **kw) -> ClientOptions:
    base = dict(token=TOKEN, role="node", client_id="node-host", client_mode="node", scopes=[], identity=ident,
                display_name="test node", commands=["system.which"])
    base.update(kw)
    return ClientOptions(**base)


@pytest.fixture
async def strict_gateway(paths):
    """Loopback auto-approval turned off, as for a user who wants to approve everything."""
    atomic_write_text(paths.config_path, '{gateway: {nodes: {pairing: {autoApproveLocal: false}}}} // json5')
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN))
    yield gw
    await gw.close()


async def test_local_device_is_paired_silently_and_gets_a_token(gateway):
    ident = DeviceIdentity.generate()
    async with GatewayClient.connect(gateway.url, node_opts(ident)) as c:
        auth = c.hello["auth"]
        assert auth["role"] == "node" and auth["scopes"] == [] and len(auth["deviceToken"]) >= 43
        assert auth["method"] == "token"
        assert (await c.call("node.event", {"event": "node.host.stats", "payloadJSON": "{}"}))["ok"] is True
        with pytest.raises(RpcError, match="unauthorized role: node"):
            await c.call("status")
    # The device token alone now authenticates, in auth.deviceToken or (Android) auth.token.
    for opts in (node_opts(ident, token=None, device_token=auth["deviceToken"]),
                 node_opts(ident, token=auth["deviceToken"])):
        async with GatewayClient.connect(gateway.url, opts) as c:
            assert c.hello["auth"]["method"] == "device-token"
            assert c.hello["auth"]["deviceToken"] == auth["deviceToken"]
    with pytest.raises(RpcError) as exc:
        async with GatewayClient.connect(gateway.url, node_opts(ident, token=None, device_token="forged")):
            pass
    assert exc.value.details["code"] == "AUTH_DEVICE_TOKEN_MISMATCH"
    # A token is bound to its device: another identity cannot use it.
    with pytest.raises(RpcError):
        async with GatewayClient.connect(gateway.url, node_opts(DeviceIdentity.generate(), token=None,
                                                                device_token=auth["deviceToken"])):
            pass


async def test_signature_replayed_on_another_socket_is_refused(gateway):
    ident = DeviceIdentity.generate()
    async with ws_connect(gateway.url) as first:
        nonce = json.loads(await first.recv())["payload"]
        fields = SignedFields(ident.device_id, "node-host", "node", "node", (), nonce["ts"], TOKEN, nonce["nonce"],
                              "linux", "Linux")
        device = ident.sign_connect(fields)
    async with ws_connect(gateway.url) as second:
        await second.recv()
        await second.send(json.dumps({"type": "req", "id": "1", "method": "connect", "params": {
            "minProtocol": 4, "maxProtocol": 4, "role": "node", "scopes": [],
            "client": {"id": "node-host", "mode": "node", "platform": "linux", "deviceFamily": "Linux"},
            "auth": {"token": TOKEN}, "device": device}}))
        reply = json.loads(await second.recv())
    assert reply["error"]["details"]["code"] == "DEVICE_AUTH_NONCE_MISMATCH"


async def test_manual_approval_flow(strict_gateway):
    gw = strict_gateway
    ident = DeviceIdentity.generate()
    async with connect(gw, scopes=["operator.pairing", "operator.read"]) as admin:
        with pytest.raises(RpcError) as exc:
            async with GatewayClient.connect(gw.url, node_opts(ident)):
                pass
        details = exc.value.details
        assert exc.value.code == "NOT_PAIRED" and details["code"] == "PAIRING_REQUIRED"
        assert details["reason"] == "not-paired" and details["deviceId"] == ident.device_id
        event = await admin.next_event("device.pair.requested")
        assert event["payload"]["requestId"] == details["requestId"]
        assert event["payload"]["displayName"] == "test node" and event["payload"]["role"] == "node"
        # A retry refreshes the same request instead of piling up new ones.
        with pytest.raises(RpcError) as again:
            async with GatewayClient.connect(gw.url, node_opts(ident)):
                pass
        assert again.value.details["requestId"] == details["requestId"]
        listing = await admin.call("device.pair.list")
        assert [p["requestId"] for p in listing["pending"]] == [details["requestId"]]
        assert listing["paired"] == []
        result = await admin.call("device.pair.approve", {"requestId": details["requestId"]})
        assert result["device"]["deviceId"] == ident.device_id and result["device"]["approvedVia"] == "owner"
        assert "token" not in json.dumps(result["device"]["tokens"]).replace('"tokens"', "")
        resolved = await admin.next_event("device.pair.resolved")
        assert resolved["payload"]["decision"] == "approved"
        with pytest.raises(RpcError, match="unknown requestId"):
            await admin.call("device.pair.approve", {"requestId": details["requestId"]})
    async with GatewayClient.connect(gw.url, node_opts(ident)) as c:
        assert c.hello["auth"]["deviceToken"]


async def test_reject_and_remove(strict_gateway):
    gw = strict_gateway
    ident = DeviceIdentity.generate()
    with pytest.raises(RpcError) as exc:
        async with GatewayClient.connect(gw.url, node_opts(ident)):
            pass
    async with connect(gw, scopes=["operator.pairing"]) as admin:
        rejected = await admin.call("device.pair.reject", {"requestId": exc.value.details["requestId"]})
        assert rejected["deviceId"] == ident.device_id
        assert (await admin.call("device.pair.list"))["pending"] == []
        with pytest.raises(RpcError, match="unknown deviceId"):
            await admin.call("device.pair.remove", {"deviceId": ident.device_id})


async def test_scope_upgrade_needs_approval_when_not_silent(strict_gateway):
    gw = strict_gateway
    ident = DeviceIdentity.generate()
    op = ClientOptions(token=TOKEN, identity=ident, scopes=["operator.read"], client_id="openclaw-linux")
    with pytest.raises(RpcError) as exc:
        async with GatewayClient.connect(gw.url, op):
            pass
    async with connect(gw, scopes=["operator.pairing"]) as admin:
        await admin.call("device.pair.approve", {"requestId": exc.value.details["requestId"]})
    async with GatewayClient.connect(gw.url, op) as c:
        token = c.hello["auth"]["deviceToken"]
        assert c.hello["auth"]["scopes"] == ["operator.read"]
    wider = ClientOptions(token=TOKEN, identity=ident, scopes=["operator.admin"], client_id="openclaw-linux")
    with pytest.raises(RpcError) as exc:
        async with GatewayClient.connect(gw.url, wider):
            pass
    assert exc.value.details["reason"] == "scope-upgrade"
    assert exc.value.details["approvedScopes"] == ["operator.read"]
    # With only its device token, asking for more than the token carries is a scope mismatch.
    narrow = ClientOptions(device_token=token, identity=ident, scopes=["operator.admin"], client_id="openclaw-linux")
    with pytest.raises(RpcError) as exc:
        async with GatewayClient.connect(gw.url, narrow):
            pass
    assert exc.value.details["code"] == "AUTH_SCOPE_MISMATCH"


async def test_revoke_disconnects_and_rotate_issues_new_token(gateway):
    ident = DeviceIdentity.generate()
    async with GatewayClient.connect(gateway.url, node_opts(ident)) as c:
        old = c.hello["auth"]["deviceToken"]
    async with connect(gateway, scopes=["operator.pairing"]) as admin:
        async with GatewayClient.connect(gateway.url, node_opts(ident, token=None, device_token=old)) as node:
            revoked = await admin.call("device.token.revoke", {"deviceId": ident.device_id, "role": "node"})
            assert revoked["revokedAtMs"] > 0
            await node.ws.wait_closed()
            assert node.ws.close_code == 4001
        with pytest.raises(RpcError):
            async with GatewayClient.connect(gateway.url, node_opts(ident, token=None, device_token=old)):
                pass
        rotated = await admin.call("device.token.rotate", {"deviceId": ident.device_id, "role": "node"})
        assert rotated["tokenDelivery"] == "withheld-cross-device" and "token" not in rotated
    async with GatewayClient.connect(gateway.url, node_opts(ident)) as c:
        new = c.hello["auth"]["deviceToken"]
    assert new != old
    async with GatewayClient.connect(gateway.url, node_opts(ident, token=None, device_token=new)) as c:
        assert c.hello["auth"]["method"] == "device-token"


async def test_pairing_survives_restart(paths):
    ident = DeviceIdentity.generate()
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    try:
        async with GatewayClient.connect(gw.url, node_opts(ident)) as c:
            token = c.hello["auth"]["deviceToken"]
        async with connect(gw, scopes=["operator.pairing"]) as admin:
            await admin.call("device.pair.rename", {"deviceId": ident.device_id, "label": "Build box"})
    finally:
        await gw.close()
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    try:
        async with GatewayClient.connect(gw.url, node_opts(ident, token=None, device_token=token)) as c:
            assert c.hello["auth"]["method"] == "device-token"
            async with connect(gw, scopes=["operator.pairing"]) as admin:
                paired = (await admin.call("device.pair.list"))["paired"]
        assert [(d["deviceId"], d["operatorLabel"], d["connected"]) for d in paired] == [
            (ident.device_id, "Build box", True)]
    finally:
        await gw.close()
