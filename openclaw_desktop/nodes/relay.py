"""Live node sessions and the invoke relay.

``node.invoke`` becomes a ``node.invoke.request`` event to the node and a future that
completes with the node's ``node.invoke.result``. Every pending invoke fails closed:
on its deadline (default 30 s), when the node disconnects, or at shutdown.
``node.invoke.progress`` chunks go to the invoke's ``on_progress`` callback (the
gateway wires it to the calling connection); progress for unknown or finished
invokes is ignored.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from openclaw_desktop.errors import ErrorCode, GatewayError
from openclaw_desktop.protocol.constants import DEFAULT_INVOKE_TIMEOUT_MS

from .surfaces import NodeInfo, Surface

SendEvent = Callable[[str, dict[str, Any]], Awaitable[None]]
OnProgress = Callable[[dict[str, Any]], None]
"""Receives ``{invokeId, nodeId, seq, chunk}`` for each progress chunk of one invoke."""


@dataclass
class NodeSession:
    """One connected node socket."""

    conn_id: str
    info: NodeInfo
    declared: Surface
    platform: str
    connected_at_ms: int
    send: SendEvent
    path_env: str | None = None
    host_stats: dict[str, Any] | None = None


@dataclass
class PendingInvoke:
    id: str
    node_id: str
    command: str
    future: asyncio.Future[dict[str, Any]]
    on_progress: OnProgress | None = None
    progress_chunks: int = 0


def _unavailable(message: str, details: dict[str, Any]) -> GatewayError:
    return GatewayError(ErrorCode.UNAVAILABLE, message, details)


class NodeRelay:
    """Sessions by node id plus the invokes in flight."""

    def __init__(self) -> None:
        self.sessions: dict[str, NodeSession] = {}
        self._pending: dict[str, PendingInvoke] = {}

    def connect(self, session: NodeSession) -> NodeSession | None:
        """Register a session; returns the one it replaced (same node reconnecting)."""
        old = self.sessions.get(session.info.node_id)
        self.sessions[session.info.node_id] = session
        return old

    def disconnect(self, node_id: str, conn_id: str) -> bool:
        """Drop the session if it is still this connection; fail its invokes."""
        session = self.sessions.get(node_id)
        if session is None or session.conn_id != conn_id:
            return False
        del self.sessions[node_id]
        for pending in [p for p in self._pending.values() if p.node_id == node_id]:
            self._fail(pending, _unavailable(f"DISCONNECTED: node disconnected ({pending.command})",
                                             {"code": "DISCONNECTED", "nodeId": node_id}))
        return True

    async def invoke(self, node_id: str, command: str, params: Any, *, timeout_ms: int | None = None,
                     idempotency_key: str | None = None, session_key: str | None = None,
                     on_progress: OnProgress | None = None) -> dict[str, Any]:
        """Relay one command and wait for its result (raises GatewayError on failure).

        ``on_progress`` is called synchronously for each progress chunk while the
        invoke is pending (never after it finished).
        """
        session = self.sessions.get(node_id)
        if session is None:
            raise _unavailable("node not connected", {"code": "NOT_CONNECTED", "nodeId": node_id})
        timeout = DEFAULT_INVOKE_TIMEOUT_MS if timeout_ms is None else timeout_ms
        pending = PendingInvoke(str(uuid.uuid4()), node_id, command, asyncio.get_running_loop().create_future(),
                                on_progress)
        self._pending[pending.id] = pending
        payload: dict[str, Any] = {"id": pending.id, "nodeId": node_id, "command": command,
                                   "paramsJSON": None if params is None else json.dumps(params),
                                   "timeoutMs": timeout, "idempotencyKey": idempotency_key or pending.id}
        if session_key:
            payload["sessionKey"] = session_key
        try:
            await session.send("node.invoke.request", payload)
            async with asyncio.timeout(timeout / 1000 if timeout > 0 else None):
                return await pending.future
        except TimeoutError:
            await session.send("node.invoke.cancel", {"invokeId": pending.id, "nodeId": node_id})
            raise _unavailable("TIMEOUT: node invoke timed out", {"code": "TIMEOUT", "nodeId": node_id}) from None
        finally:
            self._pending.pop(pending.id, None)

    def result(self, node_id: str, params: dict[str, Any]) -> bool:
        """Apply a ``node.invoke.result``; False for late or unknown ids (ignored)."""
        pending = self._pending.get(str(params.get("id")))
        if pending is None or pending.node_id != node_id or pending.future.done():
            return False
        payload = params.get("payload")
        text = params.get("payloadJSON")
        if payload is None and isinstance(text, str):
            try:
                payload = json.loads(text)
            except ValueError:
                payload = None
        if params.get("ok") is True:
            pending.future.set_result({"ok": True, "nodeId": node_id, "command": pending.command,
                                       "payload": payload, "payloadJSON": text if isinstance(text, str)
                                       else json.dumps(payload)})
        else:
            err = params.get("error") if isinstance(params.get("error"), dict) else {}
            code, message = str(err.get("code") or "UNAVAILABLE"), str(err.get("message") or "node command failed")
            shown = message if message.startswith(code) else f"{code}: {message}"
            self._fail(pending, _unavailable(shown, {"nodeError": {"code": code, "message": message},
                                                     "nodeCommandDispatched": True}))
        return True

    def progress(self, node_id: str, invoke_id: str, seq: int, chunk: str) -> bool:
        """Apply one ``node.invoke.progress``; False for unknown, foreign or finished invokes."""
        pending = self._pending.get(invoke_id)
        if pending is None or pending.node_id != node_id or pending.future.done():
            return False
        pending.progress_chunks += 1
        if pending.on_progress is not None:
            pending.on_progress({"invokeId": invoke_id, "nodeId": node_id, "seq": seq, "chunk": chunk})
        return True

    def close(self) -> None:
        for pending in list(self._pending.values()):
            self._fail(pending, _unavailable("gateway shutting down", {"code": "SHUTDOWN"}))

    @staticmethod
    def _fail(pending: PendingInvoke, error: GatewayError) -> None:
        if not pending.future.done():
            pending.future.set_exception(error)
