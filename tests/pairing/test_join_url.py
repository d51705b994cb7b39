"""Join URLs over a real gateway and a real HTTP client: ``device.pair.setupCode {joinUrl}``,
``GET /j/<shortcode>`` once, 404s that all look alike, expiry and the per-IP rate limit."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.request

import pytest

from openclaw_desktop.app import build_gateway
from openclaw_desktop.client.gateway_client import GatewayClient
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.config.store import atomic_write_text
from openclaw_desktop.pairing.bootstrap import BOOTSTRAP_TOKEN_TTL_MS
from openclaw_desktop.pairing.setup_code import decode_setup_code
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from tests.conftest import TOKEN, connect

from .helpers import android, mint

NOT_FOUND = (404, {"error": "not_found"})


def _get(url: str) -> tuple[int, dict, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, json.loads(resp.read()), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read()), dict(err.headers)


async def get(url: str) -> tuple[int, dict]:
    """GET from a worker thread (the gateway runs on this test's event loop)."""
    status, body, _headers = await asyncio.to_thread(_get, url)
    return status, body


def base(gw) -> str:  # type: ignore[no-untyped-def]
    return f"http://127.0.0.1:{gw.services.port}"


async def test_join_url_hands_out_the_setup_payload_once(gateway):
    res = await mint(gateway, joinUrl=True)
    match = re.fullmatch(rf"{base(gateway)}/j/([A-Za-z0-9_-]{{22}})", res["joinUrl"])
    assert match, res["joinUrl"]
    assert res["access"] == "node"  # join URLs are for node hosts
    status, payload, headers = await asyncio.to_thread(_get, res["joinUrl"])
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert payload == decode_setup_code(res["setupCode"]).to_json()
    assert await get(res["joinUrl"]) == NOT_FOUND  # burned
    host = android(DeviceIdentity.generate(), payload["bootstrapToken"], client_id="node-host", platform="linux",
                   device_family="Linux")
    async with GatewayClient.connect(payload["url"], host) as node:
        assert node.hello["auth"]["method"] == "bootstrap-token" and "deviceTokens" not in node.hello["auth"]


async def test_query_strings_unknown_and_malformed_paths_are_404(gateway):
    res = await mint(gateway, joinUrl=True)
    assert await get(res["joinUrl"] + "?x=1") == NOT_FOUND
    assert await get(res["joinUrl"] + "?") == NOT_FOUND
    for path in ("/j", "/j/", "/j/" + "A" * 22, "/j/short", "/j/" + res["joinUrl"][-22:] + "/x"):
        assert await get(base(gateway) + path) == NOT_FOUND, path
    assert (await get(res["joinUrl"]))[0] == 200  # none of that burned the code


async def test_join_codes_expire_with_the_bootstrap_token(gateway):
    res = await mint(gateway, joinUrl=True)
    real_clock = gateway.services.clock_ms
    gateway.services.clock_ms = lambda: real_clock() + BOOTSTRAP_TOKEN_TTL_MS + 1
    try:
        assert await get(res["joinUrl"]) == NOT_FOUND
    finally:
        gateway.services.clock_ms = real_clock


async def test_join_url_params(gateway):
    async with connect(gateway, scopes=["operator.admin"]) as admin:
        public = await admin.call("device.pair.setupCode", {"joinUrl": True, "publicUrl": "wss://gw.example.com"})
        assert re.fullmatch(r"https://gw\.example\.com/j/[A-Za-z0-9_-]{22}", public["joinUrl"])
        explicit = await admin.call("device.pair.setupCode", {"joinUrl": True, "bootstrapProfile": "node"})
        assert explicit["access"] == "node"
        assert "joinUrl" not in await admin.call("device.pair.setupCode", {})
        for params, message in (({"joinUrl": True, "bootstrapProfile": "limited"}, "require bootstrapProfile=node"),
                                ({"joinUrl": True, "publicUrl": "ws://192.168.1.10:18789"}, "need a TLS"),
                                ({"joinUrl": "yes"}, "joinUrl must be true")):
            with pytest.raises(Exception, match=message):
                await admin.call("device.pair.setupCode", params)
    # The refused requests parked nothing: only the two join codes above are live.
    assert len(gateway.services.pairing.join_codes) == 2


async def test_failed_fetches_are_rate_limited_per_ip(paths):
    atomic_write_text(paths.config_path, json.dumps({"gateway": {"auth": {"rateLimit": {
        "maxAttempts": 3, "lockoutMs": 800, "exemptLoopback": False}}}}))
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    try:
        res = await mint(gw, joinUrl=True)
        for _ in range(3):
            assert await get(base(gw) + "/j/" + "B" * 22) == NOT_FOUND
        status, body, headers = await asyncio.to_thread(_get, res["joinUrl"])
        assert (status, body, headers["Retry-After"]) == (429, {"error": "rate_limited"}, "1")
        # The handshake's limiter is a separate counter: the right token still gets in.
        async with connect(gw) as c:
            assert (await c.call("health"))["ok"] is True
        await asyncio.sleep(0.9)
        assert (await get(res["joinUrl"]))[0] == 200  # the lockout did not burn the code
    finally:
        await gw.close()


async def test_loopback_is_exempt_by_default(gateway):
    for _ in range(12):
        assert await get(base(gateway) + "/j/" + "C" * 22) == NOT_FOUND
