"""Minimal, correct OpenClaw gateway client.

Waits for ``connect.challenge``, signs the nonce with an Ed25519 identity when given
one, sends ``connect`` and keeps reading: responses complete pending calls (a
``status: "accepted"`` interim answer keeps an ``expect_final`` call open), events go
to a bounded queue (oldest dropped when full, counted in ``dropped_events``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import ssl
import uuid
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from openclaw_desktop.protocol.device_auth import DeviceIdentity, SignedFields


class TlsPinMismatch(ConnectionError):
    """The ``wss://`` server's certificate does not have the pinned SHA-256."""


class RpcError(Exception):
    """An ``ok:false`` response; ``error`` is the wire ErrorShape."""

    def __init__(self, error: dict[str, Any]) -> None:
        self.error = error
        self.code = error.get("code")
        self.details = error.get("details") or {}
        super().__init__(f"{self.code}: {error.get('message')}")


@dataclass
class ClientOptions:
    """What to present in ``connect``."""

    token: str | None = None
    password: str | None = None
    device_token: str | None = None
    bootstrap_token: str | None = None
    role: str = "operator"
    scopes: list[str] = field(default_factory=list)
    client_id: str = "openclaw-linux"
    client_mode: str = "ui"
    platform: str = "linux"
    device_family: str = "Linux"
    display_name: str | None = None
    identity: DeviceIdentity | None = None
    caps: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    min_protocol: int = 4
    max_protocol: int = 4
    max_events: int = 1000
    tls_fingerprint: str | None = None
    """Pin for ``wss://``: hex SHA-256 of the server certificate (as in setup codes). With a
    pin the certificate chain is not checked; the pin is, before anything is sent."""


def _check_pin(ws: ClientConnection, fingerprint: str) -> None:
    ssl_object = ws.transport.get_extra_info("ssl_object")
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    want = fingerprint.replace(":", "").strip().lower()
    if der is None or hashlib.sha256(der).hexdigest() != want:
        raise TlsPinMismatch("server certificate does not match the pinned SHA-256 fingerprint")


class GatewayClient:
    """One connection. ``async with GatewayClient.connect(url, opts) as c: await c.call(...)``."""

    def __init__(self, ws: ClientConnection, opts: ClientOptions) -> None:
        self.ws = ws
        self.opts = opts
        self.hello: dict[str, Any] = {}
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=opts.max_events)
        self.dropped_events = 0
        self._ids = itertools.count(1)
        self._pending: dict[str, tuple[asyncio.Future[Any], bool]] = {}
        self._reader: asyncio.Task[None] | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str, opts: ClientOptions, *, timeout: float = 10.0):  # type: ignore[no-untyped-def]
        extra: dict[str, Any] = {}
        if url.startswith("wss://") and opts.tls_fingerprint:
            pinned = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            pinned.check_hostname, pinned.verify_mode = False, ssl.CERT_NONE  # trust = the pin, below
            extra["ssl"] = pinned
        async with connect(url, max_size=None, compression=None, open_timeout=timeout, **extra) as ws:
            if "ssl" in extra:
                _check_pin(ws, opts.tls_fingerprint or "")
            client = cls(ws, opts)
            async with asyncio.timeout(timeout):
                await client._handshake()
            client._reader = asyncio.create_task(client._read_loop())
            try:
                yield client
            finally:
                client._reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await client._reader

    def connect_params(self, nonce: str, signed_at: int) -> dict[str, Any]:
        o = self.opts
        auth = {k: v for k, v in (("token", o.token), ("password", o.password), ("deviceToken", o.device_token),
                                  ("bootstrapToken", o.bootstrap_token)) if v}
        params: dict[str, Any] = {
            "minProtocol": o.min_protocol, "maxProtocol": o.max_protocol,
            "client": {"id": o.client_id, "version": "test", "platform": o.platform, "deviceFamily": o.device_family,
                       "mode": o.client_mode, "instanceId": str(uuid.uuid4())},
            "role": o.role, "scopes": o.scopes, "auth": auth, "caps": o.caps,
        }
        if o.display_name:
            params["client"]["displayName"] = o.display_name
        if o.commands:
            params["commands"] = o.commands
        if o.identity is not None:
            token = o.token or o.device_token or o.bootstrap_token or ""
            fields = SignedFields(o.identity.device_id, o.client_id, o.client_mode, o.role, tuple(o.scopes), signed_at,
                                  token, nonce, o.platform, o.device_family)
            params["device"] = o.identity.sign_connect(fields)
        return params

    async def _handshake(self) -> None:
        challenge = json.loads(await self.ws.recv())
        if challenge.get("event") != "connect.challenge":
            raise RpcError({"code": "PROTOCOL", "message": f"expected connect.challenge, got {challenge}"})
        nonce, ts = challenge["payload"]["nonce"], challenge["payload"]["ts"]
        frame_id = f"{next(self._ids)}:{uuid.uuid4()}"
        await self.ws.send(json.dumps({"type": "req", "id": frame_id, "method": "connect",
                                       "params": self.connect_params(nonce, ts)}))
        while True:
            msg = json.loads(await self.ws.recv())
            if msg.get("type") == "res" and msg.get("id") == frame_id:
                if not msg.get("ok"):
                    raise RpcError(msg.get("error") or {})
                self.hello = msg["payload"]
                return
            self._queue_event(msg)

    def _queue_event(self, msg: dict[str, Any]) -> None:
        if msg.get("type") != "event":
            return
        if self.events.full():
            self.events.get_nowait()
            self.dropped_events += 1
        self.events.put_nowait(msg)

    async def _read_loop(self) -> None:
        try:
            async for raw in self.ws:
                msg = json.loads(raw)
                if msg.get("type") == "res":
                    entry = self._pending.get(msg.get("id"))
                    if entry is None:
                        continue
                    fut, expect_final = entry
                    payload = msg.get("payload")
                    if msg.get("ok") and expect_final and isinstance(payload, dict) \
                            and payload.get("status") == "accepted":
                        continue
                    self._pending.pop(msg["id"], None)
                    if not fut.done():
                        if msg.get("ok"):
                            fut.set_result(payload)
                        else:
                            fut.set_exception(RpcError(msg.get("error") or {}))
                else:
                    self._queue_event(msg)
        except ConnectionClosed:
            pass
        finally:
            for fut, _ in self._pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("gateway connection closed"))
            self._pending.clear()

    async def call(self, method: str, params: Any = None, *, timeout: float = 30.0, expect_final: bool = False) -> Any:
        """Send one request and await its (final) response; raises RpcError on ``ok:false``."""
        frame_id = f"{next(self._ids)}:{uuid.uuid4()}"
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[frame_id] = (fut, expect_final)
        frame: dict[str, Any] = {"type": "req", "id": frame_id, "method": method}
        if params is not None:
            frame["params"] = params
        await self.ws.send(json.dumps(frame))
        try:
            async with asyncio.timeout(timeout):
                return await fut
        finally:
            self._pending.pop(frame_id, None)

    async def next_event(self, name: str | None = None, *, timeout: float = 5.0) -> dict[str, Any]:
        """The next event (optionally the next one called ``name``), skipping others."""
        async with asyncio.timeout(timeout):
            while True:
                msg = await self.events.get()
                if name is None or msg.get("event") == name:
                    return msg
