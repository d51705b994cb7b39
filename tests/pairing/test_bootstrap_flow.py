"""Setup-code pairing over real sockets: the handoff of both tokens, single use, expiry,
profile limits, non-official clients, the setup RPCs, and persistence across restarts."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest

from openclaw_desktop.app import build_gateway
from openclaw_desktop.client.gateway_client import GatewayClient
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.pairing.bootstrap import BOOTSTRAP_TOKEN_TTL_MS
from openclaw_desktop.pairing.setup import qr_png_data_url
from openclaw_desktop.pairing.setup_code import decode_setup_code
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from tests.conftest import TOKEN, connect

from .helpers import PHONE_OPERATOR_SCOPES, android, mint, refused, token_of

FULL_SCOPES = {"operator.admin", "operator.approvals", "operator.questions", "operator.read",
               "operator.talk.secrets", "operator.write"}


async def test_setup_code_rpc_points_at_this_gateway(gateway):
    async with connect(gateway, scopes=["operator.admin"]) as admin:
        assert "device.pair.setupCode" not in admin.hello["features"]["methods"]
        assert "device.pair.setupStatus" not in admin.hello["features"]["methods"]
        assert "device.pair.setup.completed" in admin.hello["features"]["events"]
        res = await admin.call("device.pair.setupCode", {"includeQr": True})
        assert await admin.call("device.pair.setupStatus", {"setupId": res["setupId"]}) == {}
    assert set(res) == {"setupId", "expiresAtMs", "setupCode", "qrDataUrl", "gatewayUrl", "auth", "urlSource",
                        "access"}
    assert (res["gatewayUrl"], res["urlSource"], res["auth"], res["access"]) == (gateway.url, "loopback", "token",
                                                                                 "full")
    payload = decode_setup_code(res["setupCode"], now_ms=gateway.services.clock_ms())
    assert payload.url == gateway.url and payload.expires_at_ms == res["expiresAtMs"]
    assert res["expiresAtMs"] - gateway.services.clock_ms() == pytest.approx(BOOTSTRAP_TOKEN_TTL_MS, abs=5_000)
    assert len(payload.bootstrap_token) == 43 and payload.tls_fingerprint is None
    # The QR is a PNG of exactly the bare setup code.
    assert res["qrDataUrl"].startswith("data:image/png;base64,")
    assert res["qrDataUrl"] == qr_png_data_url(res["setupCode"])


async def test_setup_code_params(gateway):
    async with connect(gateway, scopes=["operator.admin"]) as admin:
        lan = await admin.call("device.pair.setupCode", {"publicUrl": "ws://192.168.1.10:18789/"})
        assert (lan["gatewayUrl"], lan["urlSource"], lan["access"], lan["accessDowngraded"]) == (
            "ws://192.168.1.10:18789", "publicUrl", "limited", True)
        assert "qrDataUrl" not in lan
        node = await admin.call("device.pair.setupCode", {"bootstrapProfile": "node",
                                                          "publicUrl": "wss://gw.example.com"})
        assert node["access"] == "node" and "accessDowngraded" not in node
        for params, message in (({"publicUrl": "ws://gw.example.com"}, "use wss://"),
                                ({"bootstrapProfile": "owner"}, "bootstrapProfile must be one of"),
                                ({"publicUrl": 5}, "publicUrl must be a non-empty string")):
            with pytest.raises(Exception, match=message):
                await admin.call("device.pair.setupCode", params)
        with pytest.raises(Exception, match="setupId must be"):
            await admin.call("device.pair.setupStatus", {})
    async with connect(gateway, scopes=["operator.pairing"]) as pairing_only:
        with pytest.raises(Exception, match="missing scope: operator.admin"):
            await pairing_only.call("device.pair.setupCode", {})


async def test_android_bootstrap_hands_off_node_and_operator_tokens(gateway):
    res = await mint(gateway)
    ident = DeviceIdentity.generate()
    async with connect(gateway, scopes=["operator.pairing"]) as watcher:
        async with GatewayClient.connect(gateway.url, android(ident, token_of(res))) as node:
            auth = node.hello["auth"]
        completed = await watcher.next_event("device.pair.setup.completed")
        listing = await watcher.call("device.pair.list")
    assert set(auth) == {"method", "role", "scopes", "deviceToken", "issuedAtMs", "deviceTokens"}
    assert (auth["method"], auth["role"], auth["scopes"]) == ("bootstrap-token", "node", [])
    [operator] = auth["deviceTokens"]
    assert operator["role"] == "operator" and set(operator["scopes"]) == FULL_SCOPES
    assert operator["deviceToken"] != auth["deviceToken"] and isinstance(operator["issuedAtMs"], int)
    assert completed["payload"] == {"setupId": res["setupId"], "deviceId": ident.device_id, "deviceName": "Pixel 9",
                                    "access": "full", "ts": completed["payload"]["ts"]}
    [device] = listing["paired"]
    assert (device["deviceId"], device["approvedVia"], device["roles"]) == (ident.device_id, "bootstrap",
                                                                           ["node", "operator"])
    # From now on the app uses the stored tokens (Android puts them in auth.token).
    async with GatewayClient.connect(gateway.url, android(ident, None, token=auth["deviceToken"])) as node:
        assert node.hello["auth"]["method"] == "device-token"
        assert "deviceTokens" not in node.hello["auth"]
    ui = android(ident, None, token=operator["deviceToken"], role="operator", client_mode="ui",
                 scopes=PHONE_OPERATOR_SCOPES)
    async with GatewayClient.connect(gateway.url, ui) as op:
        assert op.hello["auth"]["method"] == "device-token"
        assert (await op.call("status"))["ok"] is True
        assert (await op.call("health"))["ok"] is True
    async with connect(gateway, scopes=["operator.admin"]) as admin:
        status = await admin.call("device.pair.setupStatus", {"setupId": res["setupId"]})
        surfaces = await admin.call("node.pair.list")
    assert status["completion"]["deviceId"] == ident.device_id and status["completion"]["access"] == "full"
    # The node's first command surface was approved along with the device.
    assert [p for p in surfaces["pending"] if p.get("nodeId") == ident.device_id] == []
    assert ident.device_id in [p["nodeId"] for p in surfaces["paired"]]


async def test_ios_and_node_only_profiles(gateway):
    ios = DeviceIdentity.generate()
    opts = android(ios, token_of(await mint(gateway, bootstrapProfile="limited")), client_id="openclaw-ios",
                   platform="iOS 18.4.0", device_family="iPhone")
    async with GatewayClient.connect(gateway.url, opts) as node:
        [operator] = node.hello["auth"]["deviceTokens"]
    assert "operator.admin" not in operator["scopes"] and "operator.write" in operator["scopes"]
    host = DeviceIdentity.generate()
    opts = android(host, token_of(await mint(gateway, bootstrapProfile="node")), client_id="node-host",
                   platform="linux", device_family="Linux")
    async with GatewayClient.connect(gateway.url, opts) as node:
        assert node.hello["auth"]["method"] == "bootstrap-token" and "deviceTokens" not in node.hello["auth"]


async def test_operator_socket_may_bootstrap_too(gateway):
    ident = DeviceIdentity.generate()
    opts = android(ident, token_of(await mint(gateway)), role="operator", client_mode="ui",
                   scopes=["operator.admin"])
    async with GatewayClient.connect(gateway.url, opts) as op:
        auth = op.hello["auth"]
        assert (await op.call("device.pair.setupCode", {}))["access"] == "full"  # it really is admin
    assert (auth["role"], auth["scopes"]) == ("operator", ["operator.admin"])
    assert [t["role"] for t in auth["deviceTokens"]] == ["node"]


async def test_a_setup_code_works_once(gateway):
    token = token_of(await mint(gateway))
    ident = DeviceIdentity.generate()
    async with GatewayClient.connect(gateway.url, android(ident, token)):
        pass
    for who in (ident, DeviceIdentity.generate()):
        exc = await refused(gateway.url, android(who, token))
        assert exc.details["code"] == "AUTH_BOOTSTRAP_TOKEN_INVALID"
        assert exc.details["recommendedNextStep"] == "update_auth_credentials"
        assert str(exc) == "INVALID_REQUEST: unauthorized: bootstrap token invalid or expired"


async def test_unknown_token_is_refused(gateway):
    exc = await refused(gateway.url, android(DeviceIdentity.generate(), "not-a-real-token"))
    assert exc.details["code"] == "AUTH_BOOTSTRAP_TOKEN_INVALID"


async def test_expired_setup_code_is_refused(gateway):
    early = token_of(await mint(gateway))
    late = token_of(await mint(gateway))
    real_clock = gateway.services.clock_ms
    try:
        gateway.services.clock_ms = lambda: real_clock() + BOOTSTRAP_TOKEN_TTL_MS - 60_000
        async with GatewayClient.connect(gateway.url, android(DeviceIdentity.generate(), early)) as node:
            assert node.hello["auth"]["method"] == "bootstrap-token"
        gateway.services.clock_ms = lambda: real_clock() + BOOTSTRAP_TOKEN_TTL_MS + 1
        exc = await refused(gateway.url, android(DeviceIdentity.generate(), late))
    finally:
        gateway.services.clock_ms = real_clock
    assert exc.details["code"] == "AUTH_BOOTSTRAP_TOKEN_INVALID"


async def test_role_and_scopes_must_fit_the_profile(gateway):
    node_only = token_of(await mint(gateway, bootstrapProfile="node"))
    limited = token_of(await mint(gateway, bootstrapProfile="limited"))
    ident = DeviceIdentity.generate()
    for token, scopes in ((node_only, PHONE_OPERATOR_SCOPES), (limited, ["operator.admin"])):
        opts = android(ident, token, role="operator", client_mode="ui", scopes=scopes)
        assert (await refused(gateway.url, opts)).details["code"] == "AUTH_BOOTSTRAP_TOKEN_INVALID"
    # A refused attempt does not bind the token: another device can still use it.
    async with GatewayClient.connect(gateway.url, android(DeviceIdentity.generate(), node_only)) as node:
        assert node.hello["auth"]["method"] == "bootstrap-token"


async def test_non_official_client_waits_for_manual_approval(gateway):
    res = await mint(gateway, bootstrapProfile="limited")
    token, ident = token_of(res), DeviceIdentity.generate()
    lookalike = android(ident, token, platform="linux")  # claims to be the Android app, is not
    async with connect(gateway, scopes=["operator.pairing"]) as admin:
        exc = await refused(gateway.url, lookalike)
        assert exc.code == "NOT_PAIRED" and exc.error["retryable"] is True
        details = exc.details
        assert details["code"] == "PAIRING_REQUIRED" and details["reason"] == "not-paired"
        assert (details["recommendedNextStep"], details["retryable"], details["pauseReconnect"]) == (
            "wait_then_retry", True, False)
        requested = (await admin.next_event("device.pair.requested"))["payload"]
        assert requested["requestId"] == details["requestId"]
        assert requested["roles"] == ["node", "operator"] and "operator.write" in requested["scopes"]
        # The token is now bound to this device: nobody else can take it meanwhile.
        other = await refused(gateway.url, android(DeviceIdentity.generate(), token))
        assert other.details["code"] == "AUTH_BOOTSTRAP_TOKEN_INVALID"
        # Retrying before approval keeps the same request.
        assert (await refused(gateway.url, lookalike)).details["requestId"] == details["requestId"]
        approved = await admin.call("device.pair.approve", {"requestId": details["requestId"]})
        assert approved["device"]["approvedVia"] == "owner"
    async with GatewayClient.connect(gateway.url, lookalike) as node:
        auth = node.hello["auth"]
    assert auth["method"] == "bootstrap-token" and [t["role"] for t in auth["deviceTokens"]] == ["operator"]
    assert (await refused(gateway.url, lookalike)).details["code"] == "AUTH_BOOTSTRAP_TOKEN_INVALID"


async def test_shared_secret_wins_over_a_bootstrap_token(gateway):
    token = token_of(await mint(gateway))
    opts = android(DeviceIdentity.generate(), token, token=TOKEN)
    async with GatewayClient.connect(gateway.url, opts) as node:
        assert node.hello["auth"]["method"] == "token"  # paired silently on loopback, as before
    async with GatewayClient.connect(gateway.url, android(DeviceIdentity.generate(), token)) as node:
        assert node.hello["auth"]["method"] == "bootstrap-token"  # and the code is still unused


async def test_tokens_and_completions_survive_a_restart(paths):
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN))
    try:
        res = await mint(gw)
    finally:
        await gw.close()
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN))
    ident = DeviceIdentity.generate()
    try:
        async with GatewayClient.connect(gw.url, android(ident, token_of(res))) as node:
            assert node.hello["auth"]["method"] == "bootstrap-token"
    finally:
        await gw.close()
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN))
    try:
        async with connect(gw, scopes=["operator.admin"]) as admin:
            status = await admin.call("device.pair.setupStatus", {"setupId": res["setupId"]})
        assert status["completion"]["deviceId"] == ident.device_id
        assert (await refused(gw.url, android(ident, token_of(res)))).details["code"] == \
            "AUTH_BOOTSTRAP_TOKEN_INVALID"
    finally:
        await gw.close()


async def test_pair_command_mints_codes_a_running_gateway_accepts(gateway, paths):
    env = {**os.environ, "OPENCLAW_STATE_DIR": str(paths.state_dir)}
    env.pop("OPENCLAW_CONFIG_PATH", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "openclaw_desktop", "pair", "--json", "--profile", "limited", "--url", gateway.url,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    doc = json.loads(out)
    assert doc["pairLink"] == "oc-pair://" + doc["setupCode"] and doc["access"] == "limited"
    async with GatewayClient.connect(gateway.url, android(DeviceIdentity.generate(), token_of(doc))) as node:
        assert node.hello["auth"]["method"] == "bootstrap-token"
