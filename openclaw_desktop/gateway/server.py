"""The asyncio WebSocket + HTTP server: accept, handshake, pump frames, tick, shut down.

Only pumps data between sockets and the sans-I/O core. Each connection's request
handlers run as tasks owned by that connection and are cancelled when it closes.
Shutdown order: stop listening, broadcast ``shutdown``, close sockets with 1001
"going away", cancel the tick, then the caller closes storage.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import ssl
import uuid
from collections import Counter
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from openclaw_desktop.errors import ErrorCode, GatewayError, invalid_request
from openclaw_desktop.protocol.connect import parse_connect
from openclaw_desktop.protocol.constants import (
    BUSY_MESSAGE,
    CLOSE_GOING_AWAY,
    CLOSE_POLICY_VIOLATION,
    HANDSHAKE_TIMEOUT_S,
    MAX_INFLIGHT_REQUESTS,
    MAX_PAYLOAD_BYTES,
    MAX_PREAUTH_PAYLOAD_BYTES,
    TICK_INTERVAL_MS,
)
from openclaw_desktop.protocol.frames import (
    RequestFrame,
    encode_error,
    encode_event,
    encode_ok,
    error_request_id,
    parse_frame,
    strip_id_detail,
)

from .connection import Connection
from .dispatcher import MethodRegistry
from .handlers.health import health_summary
from .handshake import admit, hello_ok
from .http_routes import is_upgrade, json_response, route
from .hub import EVENT_SCOPES
from .join_http import is_join_path, join_route_for
from .presence import PresenceBroadcaster, presence_list
from .services import GatewayServices

log = logging.getLogger("gateway")

MAX_PREAUTH_TOTAL = 1024
MAX_PREAUTH_PER_IP = 256
_FORWARD_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP")


def _is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


class GatewayServer:
    """Owns the listening socket and every connection. Use :meth:`start` / :meth:`stop`."""

    def __init__(self, svc: GatewayServices, registry: MethodRegistry, host: str, port: int,
                 tick_interval_s: float = TICK_INTERVAL_MS / 1000,
                 handshake_timeout_s: float = HANDSHAKE_TIMEOUT_S,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.svc = svc
        self.ssl_context = ssl_context  # set: serve wss:// (gateway/tls.py builds it)
        self.registry = registry
        self.host, self.port = host, port
        self.tick_interval_s = tick_interval_s
        self.handshake_timeout_s = handshake_timeout_s
        self.ready = False
        self._server: Server | None = None
        self._tick_task: asyncio.Task[None] | None = None
        self._preauth: Counter[str] = Counter()
        self.presence = PresenceBroadcaster(svc)
        self.max_preauth_total = MAX_PREAUTH_TOTAL
        self.max_preauth_per_ip = MAX_PREAUTH_PER_IP
        self.join_route = join_route_for(svc)  # GET /j/<shortcode> (join URLs)

    @property
    def events(self) -> list[str]:
        """Event names we emit (advertised in hello-ok)."""
        return ["connect.challenge", *[e for e in EVENT_SCOPES if e in _EMITTED]]

    async def start(self) -> int:
        """Listen and return the bound port (useful with port 0). Raises OSError if taken."""
        self._server = await serve(
            self._handle, self.host, self.port,
            process_request=self._process_request,
            compression=None,  # the reference declines permessage-deflate too
            max_size=MAX_PREAUTH_PAYLOAD_BYTES,
            max_queue=64,
            ping_interval=30, ping_timeout=25,
            open_timeout=self.handshake_timeout_s,
            server_header=f"openclaw-desktop/{self.svc.version}",
            ssl=self.ssl_context,
        )
        sock = next(iter(self._server.sockets))
        self.port = sock.getsockname()[1]
        self._tick_task = asyncio.create_task(self._tick_loop(), name="gateway-tick")
        self.ready = True
        log.info("gateway listening", extra={"fields": {"host": self.host, "port": self.port}})
        return self.port

    # ---- HTTP ------------------------------------------------------------------------
    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        ip = self._remote_ip(connection)
        if not is_upgrade(request) and is_join_path(request.path.partition("?")[0]):
            forwarded = any(request.headers.get(h) for h in _FORWARD_HEADERS)
            return self.join_route.handle(request, ip, local=_is_loopback(ip) and not forwarded)
        response = route(request, self.ready)
        if response is not None:
            return response
        if sum(self._preauth.values()) >= self.max_preauth_total or self._preauth[ip] >= self.max_preauth_per_ip:
            return json_response(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "too many pending handshakes"})
        return None

    @staticmethod
    def _remote_ip(ws: ServerConnection) -> str:
        addr = ws.remote_address
        return str(addr[0]) if addr else "unknown"

    # ---- one connection ---------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        ip = self._remote_ip(ws)
        forwarded = any(ws.request.headers.get(h) for h in _FORWARD_HEADERS) if ws.request else False
        conn = Connection(ws=ws, remote_ip=ip, local=_is_loopback(ip) and not forwarded, nonce=str(uuid.uuid4()))
        self._preauth[ip] += 1
        counted = True
        try:
            await conn.send_text(encode_event("connect.challenge", {"nonce": conn.nonce, "ts": self.svc.clock_ms()}))
            try:
                async with asyncio.timeout(self.handshake_timeout_s):
                    ok = await self._handshake(conn)
            except TimeoutError:
                await ws.close(CLOSE_POLICY_VIOLATION, "handshake timeout")
                return
            if not ok:
                return
            self._preauth[ip] -= 1
            counted = False
            ws.protocol.max_message_size = MAX_PAYLOAD_BYTES
            await self._serve_requests(conn)
        except ConnectionClosed:
            pass
        finally:
            if counted:
                self._preauth[ip] -= 1
                if self._preauth[ip] <= 0:
                    del self._preauth[ip]
            await conn.cancel_tasks()
            if self.svc.hub.remove(conn):
                if conn.in_presence:
                    self.presence.changed()
                for hook in self.svc.disconnect_hooks:
                    try:
                        hook(conn)
                    except Exception:  # one broken hook must not skip the others
                        log.exception("disconnect hook failed")

    async def _handshake(self, conn: Connection) -> bool:
        """Read the first frame and admit it; False when the socket was refused."""
        raw = await conn.ws.recv()
        try:
            frame = parse_frame(raw)
        except GatewayError as err:
            rid = error_request_id(err)
            await self._refuse(conn, rid or "connect", invalid_request(
                "invalid handshake: first request must be connect"), "invalid handshake")
            return False
        if frame.method != "connect":
            await self._refuse(conn, frame.id, invalid_request("invalid handshake: first request must be connect"),
                               "invalid handshake")
            return False
        try:
            params = parse_connect(frame.params)
            auth = await admit(conn, params, self.svc)
            conn.permissions, conn.path_env = dict(params.permissions), params.path_env
        except GatewayError as err:
            log.info("connect refused", extra={"fields": {"ip": conn.remote_ip, "error": err.message}})
            await self._refuse(conn, frame.id, err, err.close_reason or err.message, err.close_code)
            return False
        self.svc.hub.add(conn)
        # Hooks run before hello-ok so that once a client holds its hello, the gateway's
        # view of it (node registration, pending surface requests) is already in place.
        for hook in self.svc.connect_hooks:
            await hook(conn)
        hello = hello_ok(conn, auth, self.svc, self.registry.names(), self.events,
                         presence_list(self.svc), health_summary(self.svc))
        await conn.send_text(encode_ok(frame.id, hello))
        log.info("client connected", extra={"fields": {"connId": conn.conn_id, "role": conn.role, "ip": conn.remote_ip,
                                                       "client": conn.client.id if conn.client else None}})
        if conn.in_presence:
            self.presence.changed()
        for hook in self.svc.ready_hooks:
            await hook(conn)
        return True

    async def _refuse(self, conn: Connection, frame_id: str, err: GatewayError, reason: str,
                      code: int | None = None) -> None:
        await conn.send_text(encode_error(frame_id, strip_id_detail(err)))
        await conn.ws.close(code or CLOSE_POLICY_VIOLATION, reason[:123])

    async def _serve_requests(self, conn: Connection) -> None:
        async for raw in conn.ws:
            if conn.inflight >= MAX_INFLIGHT_REQUESTS:
                # Back-pressure: refuse instead of queueing without bound.
                rid = _peek_id(raw)
                busy = GatewayError(ErrorCode.UNAVAILABLE, BUSY_MESSAGE, retryable=True)
                await conn.send_text(encode_error(rid or "unknown", busy))
                continue
            try:
                frame = parse_frame(raw)
            except GatewayError as err:
                await conn.send_text(encode_error(error_request_id(err) or "unknown", strip_id_detail(err)))
                continue
            conn.spawn(self._run_request(conn, frame))

    async def _run_request(self, conn: Connection, frame: RequestFrame) -> None:
        if frame.method == "connect":
            await conn.send_text(encode_error(frame.id, invalid_request("connect already completed")))
            return
        try:
            payload = await self.registry.dispatch(conn, frame)
        except GatewayError as err:
            await conn.send_text(encode_error(frame.id, err))
            return
        await conn.send_text(encode_ok(frame.id, payload))

    # ---- periodic ---------------------------------------------------------------------
    async def _tick_loop(self) -> None:
        # Clients drop a socket after 2 x tickIntervalMs of silence; send well within it.
        while True:
            await asyncio.sleep(self.tick_interval_s)
            self.svc.hub.broadcast("tick", {"ts": self.svc.clock_ms()})

    # ---- shutdown ---------------------------------------------------------------------
    async def stop(self, reason: str = "gateway stopping") -> None:
        """Stop listening, tell clients, close them with 1001, stop the tick."""
        self.ready = False
        if self._server is None:
            return
        self._server.server.close()  # stop accepting first
        self.presence.close()
        self.svc.hub.broadcast("shutdown", {"reason": reason})
        await asyncio.sleep(0)  # let the shutdown frames reach the transports
        closing = [c.ws.close(CLOSE_GOING_AWAY, "going away") for c in self.svc.hub]
        if closing:
            await asyncio.gather(*closing, return_exceptions=True)
        self._server.close(close_connections=True)
        await self._server.wait_closed()
        if self._tick_task is not None:
            self._tick_task.cancel()
            try:
                await self._tick_task
            except asyncio.CancelledError:
                if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                    raise
        self._server = None


_EMITTED = frozenset({"tick", "shutdown", "presence", "config.changed", "device.pair.requested",
                      "device.pair.resolved", "device.pair.changed", "exec.approval.requested",
                      "exec.approval.resolved", "chat", "agent", "sessions.changed", "node.pair.requested",
                      "node.pair.resolved", "node.presence", "voicewake.changed",
                      "device.pair.setup.completed", "device.pair.setup.deliveryUncertain",
                      "node.invoke.progress"})


def _peek_id(raw: Any) -> str | None:
    try:
        frame = parse_frame(raw)
    except GatewayError as err:
        return error_request_id(err)
    return frame.id
