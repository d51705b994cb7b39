"""Core methods and robustness over real sockets: config, logs, presence, tick,
bad frames after hello, request floods, rate limiting and shutdown."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect as ws_connect

from openclaw_desktop.app import build_gateway
from openclaw_desktop.client.gateway_client import RpcError
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.config.store import atomic_write_text
from tests.conftest import TOKEN, cli_opts, connect


async def test_unknown_method_and_missing_scope_messages(gateway):
    async with connect(gateway, scopes=["operator.read"]) as c:
        with pytest.raises(RpcError) as exc:
            await c.call("foo.bar")
        assert exc.value.error == {"code": "INVALID_REQUEST", "message": "unknown method: foo.bar"}
        with pytest.raises(RpcError) as exc:
            await c.call("config.set", {"raw": "{}"})
        assert exc.value.error["message"] == "missing scope: operator.admin"
        with pytest.raises(RpcError) as exc:
            await c.call("node.event", {"event": "x"})
        assert exc.value.error["message"] == "unauthorized role: operator"
        assert (await c.call("status"))["ok"] is True


async def test_config_get_redacts_and_patch_checks_base_hash(gateway, paths):
    async with connect(gateway) as c:
        view = await c.call("config.get")
        assert view["exists"] is False and view["config"]["gateway"]["auth"]["token"] == "__OPENCLAW_REDACTED__"
        assert TOKEN not in json.dumps(view)
        await c.call("config.patch", {"raw": '{logging: {level: "debug"}}', "baseHash": view["hash"]})
        changed = await c.next_event("config.changed")
        view2 = await c.call("config.get")
        assert changed["payload"]["hash"] == view2["hash"] and "raw" not in changed["payload"]
        assert view2["parsed"] == {"logging": {"level": "debug"}}
        with pytest.raises(RpcError, match="config changed since last load"):
            await c.call("config.patch", {"raw": "{}", "baseHash": view["hash"]})
        before = paths.config_path.read_text()
        with pytest.raises(RpcError) as exc:
            await c.call("config.patch", {"raw": '{gateway: {port: "eighty"}}', "baseHash": view2["hash"]})
        assert exc.value.details["key"] == "gateway.port"
        with pytest.raises(RpcError, match="not valid JSON5"):
            await c.call("config.set", {"raw": "{oops", "baseHash": view2["hash"]})
        assert paths.config_path.read_text() == before  # a refused write changes nothing


async def test_config_set_keeps_redacted_secrets(paths):
    atomic_write_text(paths.config_path, '{gateway: {auth: {mode: "token", token: "filetoken"}}}')
    gw = await build_gateway(paths, Overrides(port=0), log_to_file=False)
    try:
        async with connect(gw, cli_opts(token="filetoken")) as c:
            view = await c.call("config.get")
            assert "filetoken" not in view["raw"] and "__OPENCLAW_REDACTED__" in view["raw"]
            raw = view["raw"].replace("}}}", "}, port: 18800}}")
            await c.call("config.set", {"raw": raw, "baseHash": view["hash"]})
        assert '"filetoken"' in paths.config_path.read_text()
        assert (paths.config_path.stat().st_mode & 0o777) == 0o600
    finally:
        await gw.close()


async def test_logs_tail_pages_through_our_log(gateway):
    async with connect(gateway) as c:
        first = await c.call("logs.tail", {"limit": 5})
        assert first["lines"] and all(json.loads(line)["msg"] for line in first["lines"])
        assert any("gateway listening" in line for line in (await c.call("logs.tail", {"cursor": 0}))["lines"])
        nxt = await c.call("logs.tail", {"cursor": first["cursor"]})
        assert nxt["cursor"] >= first["cursor"]
        with pytest.raises(RpcError, match="invalid logs.tail params"):
            await c.call("logs.tail", {"limit": 0})


async def test_presence_snapshot_and_events(gateway):
    from openclaw_desktop.client.gateway_client import ClientOptions, GatewayClient

    ui = ClientOptions(token=TOKEN, client_id="openclaw-linux", client_mode="ui", display_name="second")
    async with connect(gateway, scopes=["operator.read"]) as watcher:
        # One-shot CLI sockets (like the watcher) are not listed, as upstream.
        assert [p["reason"] for p in await watcher.call("system-presence")] == ["self"]
        async with GatewayClient.connect(gateway.url, ui):
            event = await watcher.next_event("presence")
            assert event["stateVersion"]["presence"] >= 1 and isinstance(event["seq"], int)
            assert [p.get("host") for p in event["payload"]["presence"]][1:] == ["second"]
            listing = await watcher.call("system-presence")
            assert any(p.get("host") == "second" for p in listing)
        left = await watcher.next_event("presence")
        assert len(left["payload"]["presence"]) == 1 and left["seq"] == event["seq"] + 1
        assert left["stateVersion"]["presence"] > event["stateVersion"]["presence"]


async def test_tick_reaches_operators_and_nodes_with_seq(paths):
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False, tick_interval_s=0.1)
    try:
        async with connect(gw) as c:
            a = await c.next_event("tick")
            b = await c.next_event("tick")
            assert b["seq"] > a["seq"] and b["payload"]["ts"] >= a["payload"]["ts"]
    finally:
        await gw.close()


async def test_bad_frames_after_hello_do_not_drop_the_socket(gateway):
    async with connect(gateway) as c:
        for junk in ("{bad", b"\x01\x02", json.dumps({"type": "req", "id": "q"})):
            await c.ws.send(junk)
        assert (await c.call("health"))["ok"] is True
        with pytest.raises(RpcError, match="connect already completed"):
            await c.call("connect", {})


async def test_request_flood_is_bounded_and_others_are_unaffected(gateway):
    async with connect(gateway) as flooder, connect(gateway) as bystander:
        frames = [json.dumps({"type": "req", "id": f"f{i}", "method": "health"}) for i in range(2000)]
        await asyncio.gather(*(flooder.ws.send(f) for f in frames))
        assert (await bystander.call("health"))["ok"] is True
        assert (await flooder.call("health", timeout=30))["ok"] is True


async def test_failed_attempts_are_rate_limited(paths):
    atomic_write_text(paths.config_path, json.dumps({"gateway": {"auth": {"rateLimit": {
        "maxAttempts": 3, "exemptLoopback": False}}}}))
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    try:
        codes = []
        for _ in range(4):
            with pytest.raises(RpcError) as exc:
                async with connect(gw, cli_opts(token="wrong")):
                    pass
            codes.append(exc.value.details["code"])
        assert codes == ["AUTH_TOKEN_MISMATCH"] * 3 + ["AUTH_RATE_LIMITED"]
        with pytest.raises(RpcError) as exc:  # even the right token waits out the lockout
            async with connect(gw):
                pass
        assert exc.value.error["retryable"] is True and exc.value.error["retryAfterMs"] > 0
    finally:
        await gw.close()


async def test_shutdown_event_then_going_away(paths):
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    async with connect(gw) as c:
        await gw.close()
        event = await c.next_event("shutdown")
        assert event["payload"]["reason"]
        await c.ws.wait_closed()
        assert c.ws.close_code == 1001
    with pytest.raises(OSError):
        async with ws_connect(gw.url, open_timeout=1):
            pass


async def test_http_probes_share_the_port(gateway):
    import urllib.request

    base = gateway.url.replace("ws://", "http://")

    def get(path):
        try:
            with urllib.request.urlopen(base + path, timeout=2) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    assert await asyncio.to_thread(get, "/health") == (200, {"ok": True, "status": "live"})
    assert await asyncio.to_thread(get, "/healthz") == (200, {"ok": True, "status": "live"})
    assert await asyncio.to_thread(get, "/readyz") == (200, {"ready": True})
    assert (await asyncio.to_thread(get, "/nope"))[0] == 404


async def test_presence_bursts_are_coalesced(gateway):
    from contextlib import AsyncExitStack

    from openclaw_desktop.client.gateway_client import ClientOptions, GatewayClient

    async with connect(gateway, scopes=["operator.read"]) as watcher, AsyncExitStack() as stack:
        opts = [ClientOptions(token=TOKEN, client_id="openclaw-linux", client_mode="ui", display_name=f"ui{i}")
                for i in range(20)]
        await asyncio.gather(*(stack.enter_async_context(GatewayClient.connect(gateway.url, o)) for o in opts))
        events = []
        while True:
            events.append(await watcher.next_event("presence", timeout=2))
            if len(events[-1]["payload"]["presence"]) == 21:
                break
        assert len(events) < 10  # 20 connects, a handful of events, the last one complete
