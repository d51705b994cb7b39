"""mDNS advertising of ``_openclaw-gw._tcp``: the TXT record as a pure function, and the
real service browsed and resolved by a second zeroconf instance over multicast."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from zeroconf import IPVersion, ServiceStateChange
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from openclaw_desktop.app import build_gateway
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.gateway.discovery import (
    SERVICE_TYPE,
    GatewayAdvertiser,
    build_service_info,
    primary_lan_ipv4,
    start_advertising,
    txt_record,
)
from tests.conftest import TOKEN

PIN = "ab" * 32


def test_txt_record_keys():
    assert txt_record("laptop", "laptop.local", 18789) == {
        "role": "gateway", "transport": "gateway", "displayName": "laptop", "lanHost": "laptop.local",
        "gatewayPort": "18789"}
    tls = txt_record("laptop", "laptop.local", 18789, PIN)
    assert (tls["gatewayTls"], tls["gatewayTlsSha256"]) == ("1", PIN)


def test_service_info_for_a_qualified_host_name():
    info = build_service_info("laptop.example.com", "192.168.1.10", 18789, PIN)
    assert (info.type, info.name, info.server, info.port) == (
        SERVICE_TYPE, f"laptop.{SERVICE_TYPE}", "laptop.local.", 18789)
    assert info.parsed_addresses() == ["192.168.1.10"]
    assert info.decoded_properties["lanHost"] == "laptop.local"
    assert info.decoded_properties["gatewayTlsSha256"] == PIN


@pytest.mark.parametrize("bind, mode, env", [
    ("loopback", "minimal", {}), ("custom", "minimal", {}), ("lan", "off", {}),
    ("lan", "minimal", {"OPENCLAW_DISABLE_BONJOUR": "1"}),
])
def test_advertising_only_on_lan_and_when_enabled(bind, mode, env):
    assert start_advertising(bind, mode, "host", 1, None, env) is None


async def resolve(name: str, timeout_ms: int = 3000) -> AsyncServiceInfo | None:
    zc = AsyncZeroconf(ip_version=IPVersion.V4Only)
    try:
        info = AsyncServiceInfo(SERVICE_TYPE, name)
        return info if await info.async_request(zc.zeroconf, timeout_ms) else None
    finally:
        await zc.async_close()


async def test_advertised_service_is_browsed_and_resolved():
    host = f"oc-test-{uuid.uuid4().hex[:8]}"
    advertiser = GatewayAdvertiser(build_service_info(host, "127.0.0.1", 43210, PIN))
    advertiser.start()
    try:
        await asyncio.wait_for(advertiser.registered.wait(), 10)
        zc = AsyncZeroconf(ip_version=IPVersion.V4Only)
        seen: asyncio.Queue[str] = asyncio.Queue()

        def on_change(zeroconf, service_type, name, state_change):  # type: ignore[no-untyped-def]
            if state_change is ServiceStateChange.Added:
                seen.put_nowait(name)

        browser = AsyncServiceBrowser(zc.zeroconf, SERVICE_TYPE, handlers=[on_change])
        try:
            async with asyncio.timeout(10):
                while (await seen.get()) != f"{host}.{SERVICE_TYPE}":
                    pass
        finally:
            await browser.async_cancel()
            await zc.async_close()
        info = await resolve(f"{host}.{SERVICE_TYPE}")
        assert info is not None and info.port == 43210
        assert info.decoded_properties == {"role": "gateway", "transport": "gateway", "displayName": host,
                                           "lanHost": f"{host}.local", "gatewayPort": "43210",
                                           "gatewayTls": "1", "gatewayTlsSha256": PIN}
    finally:
        await advertiser.stop()
    assert await resolve(f"{host}.{SERVICE_TYPE}", 1500) is None  # goodbye sent, nobody answers


async def test_lan_gateway_advertises_its_port(paths):
    if primary_lan_ipv4() is None:
        pytest.fail("this test needs a machine with a LAN (non-loopback) IPv4 address")
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN, bind="lan"))
    try:
        assert gw.advertiser is not None
        await asyncio.wait_for(gw.advertiser.registered.wait(), 10)
        info = await resolve(gw.advertiser.info.name)
        assert info is not None and info.decoded_properties["gatewayPort"] == str(gw.server.port)
        assert info.parsed_addresses() == [primary_lan_ipv4()]
        assert "gatewayTls" not in info.decoded_properties
    finally:
        await gw.close()


async def test_stop_while_registering_is_clean():
    advertiser = GatewayAdvertiser(build_service_info(f"oc-test-{uuid.uuid4().hex[:8]}", "127.0.0.1", 1))
    advertiser.start()
    await advertiser.stop()  # probing takes ~1 s; stopping mid-way cancels it
    assert not advertiser.registered.is_set()
