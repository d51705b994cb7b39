"""A bootstrap connect whose socket dies before hello-ok: ``device.pair.setup.deliveryUncertain``
reaches an admin watcher and ``device.pair.setupStatus`` reports it (also after a restart)."""

from __future__ import annotations

import json

from websockets.asyncio.client import connect as ws_connect

from openclaw_desktop.app import build_gateway
from openclaw_desktop.client.gateway_client import GatewayClient
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from tests.conftest import TOKEN, connect

from .helpers import android, mint, token_of


async def connect_then_hang_up(url: str, ident: DeviceIdentity, bootstrap_token: str) -> None:
    """Send a valid bootstrap ``connect`` and close the socket without reading the answer."""
    async with ws_connect(url, compression=None) as ws:
        challenge = json.loads(await ws.recv())
        nonce, ts = challenge["payload"]["nonce"], challenge["payload"]["ts"]
        params = GatewayClient(ws, android(ident, bootstrap_token)).connect_params(nonce, ts)
        await ws.send(json.dumps({"type": "req", "id": "c1", "method": "connect", "params": params}))
        await ws.close()  # the close frame follows the connect frame at once


async def test_hello_not_delivered_is_reported_as_uncertain(paths):
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    ident = DeviceIdentity.generate()
    try:
        res = await mint(gw)
        async with connect(gw, scopes=["operator.admin"]) as watcher:
            assert "device.pair.setup.deliveryUncertain" in watcher.hello["features"]["events"]
            await connect_then_hang_up(gw.url, ident, token_of(res))
            event = await watcher.next_event("device.pair.setup.deliveryUncertain")
            status = await watcher.call("device.pair.setupStatus", {"setupId": res["setupId"]})
            listing = await watcher.call("device.pair.list")
            # No completed event was sent for this setup.
            assert [e for e in list(watcher.events._queue) if e["event"] == "device.pair.setup.completed"] == []
        assert event["payload"] == {"setupId": res["setupId"], "deviceId": ident.device_id, "deviceName": "Pixel 9",
                                    "access": "full", "ts": event["payload"]["ts"]}
        assert status == {"deliveryUncertain": event["payload"]}
        # The handoff itself happened (device paired, token consumed); only delivery is unknown.
        assert [d["deviceId"] for d in listing["paired"]] == [ident.device_id]
    finally:
        await gw.close()
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    try:
        async with connect(gw, scopes=["operator.admin"]) as admin:
            again = await admin.call("device.pair.setupStatus", {"setupId": res["setupId"]})
        assert again == status
    finally:
        await gw.close()


async def test_pairing_scope_watchers_only(gateway):
    res = await mint(gateway)
    async with connect(gateway, scopes=["operator.read"]) as reader, \
            connect(gateway, scopes=["operator.pairing"]) as pairing:
        await connect_then_hang_up(gateway.url, DeviceIdentity.generate(), token_of(res))
        await pairing.next_event("device.pair.setup.deliveryUncertain")
        await reader.call("health")  # a round trip: anything pushed to it earlier has arrived
        assert "device.pair.setup.deliveryUncertain" not in [e["event"] for e in list(reader.events._queue)]


async def test_delivered_hello_is_confirmed_not_uncertain(gateway):
    res = await mint(gateway)
    async with connect(gateway, scopes=["operator.admin"]) as watcher:
        async with GatewayClient.connect(gateway.url, android(DeviceIdentity.generate(), token_of(res))):
            pass
        completed = await watcher.next_event("device.pair.setup.completed")
        status = await watcher.call("device.pair.setupStatus", {"setupId": res["setupId"]})
        assert "device.pair.setup.deliveryUncertain" not in [e["event"] for e in list(watcher.events._queue)]
    assert status == {"completion": completed["payload"]}
