"""LAN discovery: advertise ``_openclaw-gw._tcp.local.`` over mDNS/DNS-SD.

The official apps list gateways that publish this service with the TXT keys of the
reference (§9.6). Advertising only runs while the gateway listens on the LAN
(``gateway.bind: "lan"``), and never blocks start-up: registration (which probes the
network for name conflicts for about a second) runs in a background task. Failures —
no network, no multicast — are logged and never fatal. Only this module imports
zeroconf.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import socket

from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

log = logging.getLogger("gateway.discovery")

SERVICE_TYPE = "_openclaw-gw._tcp.local."


def primary_lan_ipv4() -> str | None:
    """The IPv4 address of the interface holding the default route (None if offline).

    Connecting a UDP socket sends nothing; it only asks the kernel which source
    address it would use.
    """
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never actually contacted
        address = probe.getsockname()[0]
        if not ipaddress.ip_address(address).is_loopback and address != "0.0.0.0":
            return address
    return None


def short_host_name(host_name: str) -> str:
    """``laptop.example.com`` -> ``laptop`` (the ``.local`` label mDNS uses)."""
    return (host_name.split(".", 1)[0] or "openclaw").strip() or "openclaw"


def txt_record(display_name: str, lan_host: str, port: int, tls_sha256: str | None = None) -> dict[str, str]:
    """The TXT keys the apps read (``gatewayTls*`` only when serving TLS)."""
    txt = {"role": "gateway", "transport": "gateway", "displayName": display_name, "lanHost": lan_host,
           "gatewayPort": str(port)}
    if tls_sha256:
        txt["gatewayTls"] = "1"
        txt["gatewayTlsSha256"] = tls_sha256
    return txt


def build_service_info(host_name: str, address: str, port: int, tls_sha256: str | None = None) -> AsyncServiceInfo:
    """The service record for this gateway on ``address``:``port``."""
    short = short_host_name(host_name)
    instance = short.replace(".", "-")[:63]
    lan_host = f"{short}.local"
    return AsyncServiceInfo(
        SERVICE_TYPE, f"{instance}.{SERVICE_TYPE}",
        addresses=[socket.inet_aton(address)], port=port,
        properties=txt_record(short, lan_host, port, tls_sha256), server=f"{lan_host}.",
    )


class GatewayAdvertiser:
    """Publishes one service; :meth:`start` returns at once, :meth:`stop` withdraws it."""

    def __init__(self, info: AsyncServiceInfo, interfaces: list[str] | None = None) -> None:
        self.info = info
        self.interfaces = interfaces
        self.registered = asyncio.Event()
        self._zc: AsyncZeroconf | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Open the mDNS sockets and register in the background (errors are logged)."""
        try:
            if self.interfaces is None:
                self._zc = AsyncZeroconf(ip_version=IPVersion.V4Only)
            else:
                self._zc = AsyncZeroconf(interfaces=self.interfaces, ip_version=IPVersion.V4Only)
        except Exception:  # no usable interface, multicast refused, ...
            log.warning("mDNS advertising unavailable", exc_info=True)
            return
        self._task = asyncio.create_task(self._register(), name="mdns-register")

    async def _register(self) -> None:
        assert self._zc is not None
        try:
            announced = await self._zc.async_register_service(self.info, allow_name_change=True)
            await announced
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("mDNS registration failed", exc_info=True)
            return
        self.registered.set()
        log.info("advertising on mDNS", extra={"fields": {"name": self.info.name, "port": self.info.port}})

    async def stop(self) -> None:
        """Cancel a registration in flight, send goodbyes, close the sockets."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                    raise  # stop() itself was cancelled: do not swallow that
        zc, self._zc = self._zc, None
        if zc is None:
            return
        try:
            if self.registered.is_set():
                await zc.async_unregister_all_services()
            await zc.async_close()
        except Exception:
            log.warning("mDNS shutdown failed", exc_info=True)


def start_advertising(bind: str, mdns_mode: str, host_name: str, port: int, tls_sha256: str | None,
                      env: dict[str, str] | None = None) -> GatewayAdvertiser | None:
    """Start advertising when bound to the LAN and not disabled, else None.

    ``discovery.mdns.mode: "off"`` or ``OPENCLAW_DISABLE_BONJOUR=1`` (the official
    gateway's switch) turn it off; so does having no LAN address.
    """
    env = dict(os.environ) if env is None else env
    if bind != "lan" or mdns_mode == "off" or env.get("OPENCLAW_DISABLE_BONJOUR", "") not in ("", "0"):
        return None
    address = primary_lan_ipv4()
    if address is None:
        log.info("mDNS advertising skipped: no LAN address")
        return None
    advertiser = GatewayAdvertiser(build_service_info(host_name, address, port, tls_sha256))
    advertiser.start()
    return advertiser
