"""Qt + asyncio on one loop for tests (as in the app), plus a LAN-looking pairing client.

The ``qloop`` fixture (``tests/ui/conftest.py``) is a qasync loop on pytest-qt's
QApplication: ``run(qloop, coro)`` runs a coroutine while Qt events (dialogs, timers,
clicks) are processed, the same way the tray app runs. ``until`` polls a condition
without blocking either side.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

from shiboken6 import isValid
from websockets.asyncio.client import connect as ws_connect

from openclaw_desktop.client.gateway_client import (
    ClientOptions,
    GatewayClient,
    RpcError,
)
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from tests.conftest import TOKEN


def run(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], timeout: float = 30.0) -> Any:
    """Run ``coro`` on the Qt loop with a deadline (a hung test fails instead of hanging)."""
    return loop.run_until_complete(asyncio.wait_for(coro, timeout))


async def until(condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll ``condition`` (Qt and asyncio keep running) until truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def gone(widget: Any) -> bool:
    """Closed: hidden, or already deleted by Qt (dialogs delete themselves after closing)."""
    return not isValid(widget) or not widget.isVisible()


async def request_pairing_from_lan(url: str, identity: DeviceIdentity, *, role: str = "operator",
                                   scopes: list[str] | None = None, display_name: str = "Pixel 8",
                                   commands: list[str] | None = None) -> dict[str, Any]:
    """Connect like a phone on the LAN (a forwarded-for header makes the socket non-local,
    so no silent approval) and return the NOT_PAIRED details the gateway answers with."""
    opts = ClientOptions(token=TOKEN, role=role, scopes=scopes if scopes is not None else ["operator.read"],
                         client_id="openclaw-android", client_mode="ui" if role == "operator" else "node",
                         identity=identity, display_name=display_name, platform="android 15",
                         device_family="Android", commands=commands or [])
    async with ws_connect(url, additional_headers={"X-Forwarded-For": "192.168.1.77"}) as ws:
        client = GatewayClient(ws, opts)
        try:
            await client._handshake()
        except RpcError as exc:
            return exc.details
    raise AssertionError("the gateway paired a LAN device silently")
