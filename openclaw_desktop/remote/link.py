"""The app's long-lived operator connection to a gateway (hosted here or remote).

The tray app's windows (chat, settings, pairing dialogs) and the voice responder all talk
to the gateway through one ``GatewayLink``, the same way whether the gateway runs in this
process or on a server (attach mode). It reconnects by itself with a capped back-off and
tells listeners about every state change, so a window can show "not connected —
retrying" instead of failing.

Events are delivered to plain callables on the loop's thread; a listener that raises is
logged and skipped, never allowed to stop the pump. Must not import Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed

from openclaw_desktop.client.gateway_client import GatewayClient
from openclaw_desktop.protocol import scopes as S
from openclaw_desktop.remote.operator import AttachError, RemoteOperator

log = logging.getLogger(__name__)

FULL_OPERATOR_SCOPES = (S.ADMIN, S.READ, S.WRITE, S.APPROVALS, S.PAIRING)
"""What the desktop UI asks for: it approves commands and devices and edits config."""

CONNECTING, CONNECTED, DISCONNECTED, STOPPED = "connecting", "connected", "disconnected", "stopped"
MAX_RECONNECT_DELAY_S = 10.0

EventListener = Callable[[str, dict[str, Any]], None]
StateListener = Callable[[str, "str | None"], None]


class LinkDown(ConnectionError):
    """A call was made while the link is not connected (the message says why)."""


class GatewayLink:
    """Persistent operator connection with automatic reconnect.

    ``start()`` returns at once; the link connects in the background. ``call()`` fails
    fast with :class:`LinkDown` while disconnected rather than queueing, because a UI
    action replayed minutes later would surprise the user.
    """

    def __init__(self, url: str, state_dir: Path, *, token: str | None = None, password: str | None = None,
                 scopes: tuple[str, ...] = FULL_OPERATOR_SCOPES, reconnect_delay_s: float = 1.0) -> None:
        self.url = url
        self.state_dir = state_dir
        self.token = token
        self.password = password
        self.scopes = scopes
        self.reconnect_delay_s = reconnect_delay_s
        self.state = STOPPED
        self.last_error: str | None = None
        self.hello: dict[str, Any] | None = None
        self._client: GatewayClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._event_listeners: list[EventListener] = []
        self._state_listeners: list[StateListener] = []

    # ---- listeners ------------------------------------------------------------------
    def add_event_listener(self, cb: EventListener) -> Callable[[], None]:
        """Call ``cb(event_name, payload)`` for every gateway event; returns a remover."""
        self._event_listeners.append(cb)
        return lambda: self._event_listeners.remove(cb) if cb in self._event_listeners else None

    def add_state_listener(self, cb: StateListener) -> Callable[[], None]:
        """Call ``cb(state, last_error)`` on every state change; returns a remover."""
        self._state_listeners.append(cb)
        return lambda: self._state_listeners.remove(cb) if cb in self._state_listeners else None

    # ---- lifecycle ------------------------------------------------------------------
    async def start(self) -> None:
        """Begin connecting in the background (idempotent)."""
        if self._task is None or self._task.done():
            self._set_state(CONNECTING, None)
            self._task = asyncio.create_task(self._run(), name=f"gateway-link {self.url}")

    async def wait_connected(self, timeout_s: float = 10.0) -> None:
        """Wait until connected; raises ``TimeoutError`` (message: the last error)."""
        try:
            async with asyncio.timeout(timeout_s):
                await self._connected.wait()
        except TimeoutError:
            raise TimeoutError(f"not connected to {self.url}: {self.last_error or 'timed out'}") from None

    async def reconnect(self, *, url: str | None = None, token: str | None = None,
                        password: str | None = None) -> None:
        """Drop the connection and connect again, optionally to new credentials or URL
        (after a token rotation, or when the user switches gateways)."""
        await self.close()
        if url is not None:
            self.url = url
        if token is not None or password is not None:
            self.token, self.password = token, password
        await self.start()

    async def close(self) -> None:
        """Disconnect and stop reconnecting; idempotent."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._set_state(STOPPED, self.last_error)

    # ---- calls ----------------------------------------------------------------------
    async def call(self, method: str, params: dict[str, Any] | None = None, *, expect_final: bool = False,
                   timeout_s: float = 30.0) -> Any:
        """One RPC. Raises :class:`LinkDown` when not connected, ``RpcError`` on ``ok:false``."""
        client = self._client
        if client is None or self.state != CONNECTED:
            raise LinkDown(f"not connected to the gateway ({self.last_error or self.state})")
        try:
            return await client.call(method, params, timeout=timeout_s, expect_final=expect_final)
        except (ConnectionError, ConnectionClosed) as exc:  # closing sockets raise the latter on send
            raise LinkDown(f"the gateway connection dropped: {exc}") from None

    # ---- internals ------------------------------------------------------------------
    def _set_state(self, state: str, error: str | None) -> None:
        if state == self.state and error == self.last_error:
            return
        self.state, self.last_error = state, error
        if state == CONNECTED:
            self._connected.set()
        else:
            self._connected.clear()
        for cb in list(self._state_listeners):
            try:
                cb(state, error)
            except Exception:
                log.exception("link state listener failed")

    async def _run(self) -> None:
        delay = self.reconnect_delay_s
        while True:
            operator = RemoteOperator(self.url, self.state_dir, token=self.token, password=self.password,
                                      scopes=self.scopes)
            try:
                async with operator.connect() as client:
                    self._client, self.hello = client, client.hello
                    delay = self.reconnect_delay_s
                    self._set_state(CONNECTED, None)
                    await self._pump(client)
                error = "the gateway closed the connection"
            except AttachError as exc:
                error = str(exc)
            except (OSError, TimeoutError) as exc:
                error = f"cannot reach {self.url}: {exc or type(exc).__name__}"
            finally:
                self._client, self.hello = None, None
            log.info("gateway link down: %s (retrying in %.1f s)", error, delay)
            self._set_state(DISCONNECTED, error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RECONNECT_DELAY_S)
            self._set_state(CONNECTING, error)

    async def _pump(self, client: GatewayClient) -> None:
        """Deliver events until the socket closes (then drain what was already read)."""
        closed = asyncio.ensure_future(client.ws.wait_closed())
        getter: asyncio.Future[dict[str, Any]] | None = None
        try:
            while True:
                getter = asyncio.ensure_future(client.events.get())
                done, _ = await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    while not client.events.empty():
                        self._deliver(client.events.get_nowait())
                    return
                self._deliver(getter.result())
        finally:
            closed.cancel()
            if getter is not None:
                getter.cancel()

    def _deliver(self, msg: dict[str, Any]) -> None:
        name, payload = str(msg.get("event")), msg.get("payload")
        payload = payload if isinstance(payload, dict) else {"value": payload}
        for cb in list(self._event_listeners):
            try:
                cb(name, payload)
            except Exception:
                log.exception("link event listener failed on %s", name)
