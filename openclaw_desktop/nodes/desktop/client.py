"""This desktop as an OpenClaw node: a reconnecting ``role:"node"`` client.

Built on :class:`~openclaw_desktop.client.gateway_client.GatewayClient`. One connection
at a time; ``node.invoke.request`` events run as tasks (at most ``max_concurrent_invokes``,
more are answered ``UNAVAILABLE`` at once), each under the request's ``timeoutMs`` and
answered with ``node.invoke.result``; ``node.invoke.cancel`` cancels the task.

Reconnects with backoff (1 s doubling to 30 s, reset after a hello). Pauses without
retrying on failures a retry cannot fix (``PAIRING_REQUIRED``: the request id is logged
and reported; call :meth:`DesktopNode.resume` or restart after approval). Device tokens
from ``hello-ok.auth.deviceToken`` are stored and presented when no shared secret is
configured; ``AUTH_DEVICE_TOKEN_MISMATCH`` clears the stored token.

Cancellation of :meth:`DesktopNode.run` cancels in-flight invokes, closes the socket and
re-raises. Bad frames from the gateway never crash the node: the socket is closed and
the loop reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import shutil
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from openclaw_desktop import __version__
from openclaw_desktop.client.gateway_client import (
    ClientOptions,
    GatewayClient,
    RpcError,
)
from openclaw_desktop.protocol.device_auth import DeviceIdentity

from .commands import CommandRegistry
from .identity import DeviceTokenStore, StoredToken
from .ports import CommandError
from .wire import (
    Backoff,
    InvokeRequest,
    Next,
    parse_invoke_request,
    plan_after_connect_error,
    result_error,
    result_ok,
)

log = logging.getLogger(__name__)
ROLE = "node"
_CLOSED = {"type": "_closed"}  # sentinel the reader queues when the socket is gone


def client_identity(platform: str = sys.platform) -> tuple[str, str, str]:
    """``(client.id, client.platform, client.deviceFamily)`` for this OS.

    Ids come from the official gateway's closed enum: ``openclaw-linux`` is the Linux
    desktop app's id; there is no Windows app id and ``openclaw-macos`` implies the Mac
    app's worker protocol, so other systems present themselves as ``node-host``.
    """
    if platform.startswith("linux"):
        return "openclaw-linux", "linux", "Linux"
    if platform == "darwin":
        return "node-host", "darwin", "Mac"
    if platform in ("win32", "cygwin"):
        return "node-host", "win32", "Windows"
    return "node-host", platform, ""


@dataclass(frozen=True)
class NodeSettings:
    """How to reach the gateway and present this node."""

    url: str
    token: str | None = None
    password: str | None = None
    display_name: str | None = None
    version: str = __version__
    instance_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 30.0
    max_concurrent_invokes: int = 4
    connect_timeout_s: float = 15.0
    result_ack_timeout_s: float = 30.0
    pairing_retry_s: float | None = 10.0
    """While a pairing request waits for approval on the gateway, try again this often
    (approval there is enough, nobody has to restart the node); None = wait for
    :meth:`DesktopNode.resume`."""


class NodeState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    PAUSED = "paused"
    STOPPED = "stopped"


@dataclass(frozen=True)
class NodeStatus:
    """Reported through ``on_status`` (the UI shows it; tests assert on it)."""

    state: NodeState
    message: str = ""
    request_id: str | None = None


@dataclass
class NodeClientOptions(ClientOptions):
    """ClientOptions plus the node-only connect fields."""

    version: str = __version__
    instance_id: str = ""
    permissions: dict[str, bool] = field(default_factory=dict)
    path_env: str | None = None


class NodeGatewayClient(GatewayClient):
    """GatewayClient that sends node metadata and queues a sentinel when reading stops."""

    opts: NodeClientOptions

    def connect_params(self, nonce: str, signed_at: int) -> dict[str, Any]:
        params = super().connect_params(nonce, signed_at)
        o = self.opts
        params["client"]["version"] = o.version
        if o.instance_id:
            params["client"]["instanceId"] = o.instance_id
        params["permissions"] = dict(o.permissions)
        params["commands"] = list(o.commands)
        if o.path_env:
            params["pathEnv"] = o.path_env
        return params

    async def _read_loop(self) -> None:
        try:
            await super()._read_loop()
        except Exception as exc:  # noqa: BLE001 - a frame that is not a JSON object: drop the link, reconnect
            log.warning("gateway sent an unreadable frame (%s: %s); reconnecting", type(exc).__name__, exc)
            await self.ws.close(1002, "bad frame")
        finally:
            if self.events.full():
                self.events.get_nowait()
            self.events.put_nowait(_CLOSED)


class DesktopNode:
    """Runs the node until cancelled. ``on_status`` gets every state change."""

    def __init__(self, settings: NodeSettings, registry: CommandRegistry, identity: DeviceIdentity,
                 tokens: DeviceTokenStore, *, on_status: Callable[[NodeStatus], None] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.settings, self.registry, self.identity, self.tokens = settings, registry, identity, tokens
        self.on_status = on_status
        self.status = NodeStatus(NodeState.STOPPED)
        self._sleep = sleep
        self._resume = asyncio.Event()
        self._invokes: dict[str, asyncio.Task[None]] = {}
        self._background: set[asyncio.Task[Any]] = set()

    @property
    def node_id(self) -> str:
        return self.identity.device_id

    def resume(self) -> None:
        """Leave the paused state (e.g. after the operator approved the pairing)."""
        self._resume.set()

    def _report(self, state: NodeState, message: str = "", request_id: str | None = None) -> None:
        self.status = NodeStatus(state, message, request_id)
        if self.on_status is not None:
            try:
                self.on_status(self.status)
            except Exception:  # a broken observer must not stop the node
                log.exception("node status callback failed")

    def options(self, stored: StoredToken | None, prefer_device_token: bool) -> NodeClientOptions:
        s = self.settings
        client_id, platform, family = client_identity()
        use_token = stored is not None and (prefer_device_token or not (s.token or s.password))
        return NodeClientOptions(
            token=None if use_token else s.token, password=s.password,
            device_token=stored.token if use_token and stored else None,
            role=ROLE, scopes=[], client_id=client_id, client_mode="node", platform=platform, device_family=family,
            display_name=s.display_name, identity=self.identity, caps=self.registry.caps,
            commands=self.registry.commands, version=s.version, instance_id=s.instance_id,
            permissions=self.registry.permissions, path_env=os.environ.get("PATH"))

    async def run(self) -> None:
        """Connect, serve, reconnect; returns only by cancellation (which is re-raised)."""
        s = self.settings
        backoff = Backoff(s.backoff_initial_s, s.backoff_max_s)
        prefer_device_token = tried_device_token = False
        try:
            while True:
                stored = self.tokens.get(s.url, ROLE, self.node_id)
                self._report(NodeState.CONNECTING, s.url)
                try:
                    async with NodeGatewayClient.connect(s.url, self.options(stored, prefer_device_token),
                                                         timeout=s.connect_timeout_s) as client:
                        backoff.reset()
                        prefer_device_token = tried_device_token = False
                        self._remember_token(client.hello)
                        self._report(NodeState.CONNECTED, s.url)
                        reason = await self._serve(client)
                    if "device token mismatch" in reason:
                        self.tokens.clear(s.url, ROLE)
                    self._report(NodeState.DISCONNECTED, reason)
                    delay = backoff.next_delay()
                except RpcError as exc:
                    plan = plan_after_connect_error(exc.error, has_shared_secret=bool(s.token or s.password),
                                                    has_device_token=stored is not None,
                                                    tried_device_token=tried_device_token)
                    if plan.clear_device_token:
                        self.tokens.clear(s.url, ROLE)
                    if plan.use_device_token:
                        prefer_device_token = tried_device_token = True
                    if plan.next is Next.PAUSE:
                        await self._pause(plan.reason, plan.request_id)
                        backoff.reset()
                        continue
                    self._report(NodeState.DISCONNECTED, plan.reason, plan.request_id)
                    delay = 0.0 if plan.next is Next.RETRY_NOW else (
                        plan.delay_ms / 1000 if plan.delay_ms is not None else backoff.next_delay())
                except Exception as exc:  # noqa: BLE001 - network, handshake timeout, refused upgrade, ...
                    self._report(NodeState.DISCONNECTED, f"{type(exc).__name__}: {exc}")
                    delay = backoff.next_delay()
                log.info("node: reconnecting to %s in %.1f s", s.url, delay)
                await self._sleep(delay)
        finally:
            await self._cancel_background()
            self._report(NodeState.STOPPED)

    async def _pause(self, reason: str, request_id: str | None) -> None:
        retry_s = self.settings.pairing_retry_s if request_id else None
        if request_id:
            log.warning("node: pairing required (requestId %s): approve it on the gateway (e.g. "
                        "`openclaw devices approve %s`)%s", request_id, request_id,
                        f"; trying again every {retry_s:g} s" if retry_s else ", then restart this node")
        else:
            log.warning("node: not reconnecting: %s", reason)
        self._report(NodeState.PAUSED, reason, request_id)
        self._resume.clear()
        if retry_s is None:
            await self._resume.wait()
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(retry_s):
                await self._resume.wait()

    def _remember_token(self, hello: dict[str, Any]) -> None:
        auth = _obj(hello.get("auth"))
        token = auth.get("deviceToken")
        if isinstance(token, str) and token:
            scopes = auth.get("scopes")
            scopes = scopes if isinstance(scopes, list) else []
            issued = auth.get("issuedAtMs")
            issued = issued if isinstance(issued, int) else None
            try:
                self.tokens.put(self.settings.url, ROLE, StoredToken(token, self.node_id,
                                                                     tuple(map(str, scopes)), issued))
            except OSError as exc:
                log.warning("node: could not store the device token: %s", exc)

    async def _serve(self, client: NodeGatewayClient) -> str:
        """Handle events until the socket closes; returns the close reason."""
        tick_ms = _obj(client.hello.get("policy")).get("tickIntervalMs")
        tick_s = tick_ms / 1000 if isinstance(tick_ms, int) and tick_ms > 0 else 30.0
        self._spawn(self._publish_host_stats(client))
        try:
            while True:
                try:
                    # Reference watchdog: nothing at all for two tick intervals = dead link.
                    async with asyncio.timeout(2 * tick_s + 5):
                        msg = await client.events.get()
                except TimeoutError:
                    await client.ws.close(4000, "tick timeout")
                    return "tick timeout"
                if msg is _CLOSED:
                    return client.ws.close_reason or "connection closed"
                self._on_event(client, msg)
        finally:
            await self._cancel_invokes()

    def _on_event(self, client: NodeGatewayClient, msg: dict[str, Any]) -> None:
        event, payload = msg.get("event"), msg.get("payload")
        if event == "node.invoke.request":
            self._start_invoke(client, payload)
        elif event == "node.invoke.cancel" and isinstance(payload, dict):
            task = self._invokes.get(str(payload.get("invokeId") or payload.get("id")))
            if task is not None:
                task.cancel()
        elif event == "node.pair.resolved" and isinstance(payload, dict):
            log.info("node: command surface %s (request %s)", payload.get("decision"), payload.get("requestId"))
            if payload.get("decision") == "approved":
                self._spawn(self._publish_host_stats(client))  # the gateway may refuse it before approval

    def _start_invoke(self, client: NodeGatewayClient, payload: Any) -> None:
        req = parse_invoke_request(payload)
        if req is None:
            log.warning("node: ignoring malformed node.invoke.request")
            return
        if req.id in self._invokes:
            return  # a duplicate delivery of a request that is already running
        if len(self._invokes) >= self.settings.max_concurrent_invokes:
            self._spawn(self._send_result(client, result_error(req, self.node_id, "UNAVAILABLE",
                                                               "node busy: too many invokes in flight")))
            return
        task = asyncio.get_running_loop().create_task(self._run_invoke(client, req))
        self._invokes[req.id] = task
        task.add_done_callback(functools.partial(self._invoke_done, req.id))

    def _invoke_done(self, key: str, task: asyncio.Task[None]) -> None:
        if self._invokes.get(key) is task:
            del self._invokes[key]
        if not task.cancelled() and task.exception() is not None:
            log.error("node: invoke task failed", exc_info=task.exception())

    async def _run_invoke(self, client: NodeGatewayClient, req: InvokeRequest) -> None:
        started = time.monotonic()
        if req.params_error:
            await self._send_result(client, result_error(req, self.node_id, "INVALID_REQUEST", req.params_error))
            return
        try:
            async with asyncio.timeout(req.timeout_ms / 1000 if req.timeout_ms > 0 else None):
                result = result_ok(req, self.node_id, await self.registry.invoke(req.command, req.params))
        except CommandError as exc:
            result = result_error(req, self.node_id, exc.code, exc.message)
        except TimeoutError:
            result = result_error(req, self.node_id, "TIMEOUT", f"{req.command} timed out after {req.timeout_ms} ms")
        except Exception as exc:  # an adapter bug must still produce an answer
            log.exception("node: %s failed", req.command)
            result = result_error(req, self.node_id, "UNAVAILABLE", f"{req.command} failed: {exc}")
        outcome = "ok" if result["ok"] else result["error"]["code"]
        log.info("node: invoke %s → %s in %.0f ms", req.command, outcome, (time.monotonic() - started) * 1000)
        await self._send_result(client, result)

    async def _send_result(self, client: NodeGatewayClient, params: dict[str, Any]) -> None:
        try:
            await client.call("node.invoke.result", params, timeout=self.settings.result_ack_timeout_s)
        except Exception as exc:  # noqa: BLE001 - socket gone or refused: the gateway fails the invoke
            log.warning("node: could not deliver result of %s: %s", params.get("id"), exc)

    async def _publish_host_stats(self, client: NodeGatewayClient) -> None:
        stats = host_stats()
        try:
            await client.call("node.event", {"event": "node.host.stats", "payloadJSON": json.dumps(stats)},
                              timeout=10)
        except Exception as exc:  # noqa: BLE001 - optional ("unknown method" on older gateways)
            log.debug("node: host stats not published: %s", exc)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _cancel_invokes(self) -> None:
        tasks = list(self._invokes.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _cancel_background(self) -> None:
        await self._cancel_invokes()
        tasks = list(self._background)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def host_stats() -> dict[str, Any]:
    """``node.host.stats`` payload (what ``openclaw nodes describe`` shows)."""
    stats: dict[str, Any] = {"cpuCount": os.cpu_count() or 1}
    with contextlib.suppress(OSError, AttributeError):
        stats["loadAverage"] = [round(x, 2) for x in os.getloadavg()]
    with contextlib.suppress(ValueError, OSError, AttributeError):
        page = os.sysconf("SC_PAGE_SIZE")
        stats["memoryTotalBytes"] = page * os.sysconf("SC_PHYS_PAGES")
        stats["memoryFreeBytes"] = page * os.sysconf("SC_AVPHYS_PAGES")
    with contextlib.suppress(OSError):
        disk = shutil.disk_usage(os.path.expanduser("~"))
        stats["diskTotalBytes"], stats["diskAvailableBytes"] = disk.total, disk.free
    return stats
