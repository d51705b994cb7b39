"""One client socket after (or during) the handshake: identity, scopes and sending.

Sending never blocks the broadcaster on a slow reader: frames go through websockets'
``send`` (which applies back-pressure to this connection only); a reader whose kernel
buffer plus queue exceeds ``MAX_BUFFERED_BYTES`` is closed as too slow.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from openclaw_desktop.protocol.connect import ClientInfo
from openclaw_desktop.protocol.constants import (
    CLOSE_POLICY_VIOLATION,
    MAX_BUFFERED_BYTES,
)
from openclaw_desktop.protocol.frames import event_frame_parts

log = logging.getLogger(__name__)

# Client modes of short-lived tool sockets (one RPC, then gone).
_TRANSIENT_MODES = frozenset({"cli", "probe", "backend", "test"})


@dataclass
class Connection:
    """Server-side state of one socket. ``role`` is None until ``hello-ok`` is sent."""

    ws: ServerConnection
    remote_ip: str
    local: bool
    nonce: str
    conn_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    role: str | None = None
    scopes: tuple[str, ...] = ()
    client: ClientInfo | None = None
    device_id: str | None = None
    auth_method: str | None = None
    connected_at_ms: int = 0
    caps: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    permissions: dict[str, bool] = field(default_factory=dict)
    path_env: str | None = None
    unauthorized_streak: int = 0
    _seq: int = 0
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    @property
    def authenticated(self) -> bool:
        return self.role is not None

    async def send_text(self, text: str) -> None:
        """Send one frame; a closed socket is ignored (the reader loop notices)."""
        try:
            await self.ws.send(text)
        except ConnectionClosed:
            pass

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def push_event(self, event: str, payload: Any, *, state_version: dict[str, int] | None = None) -> None:
        """Queue one broadcast event for this connection (see :meth:`push_frame`)."""
        self.push_frame(*event_frame_parts(event, payload, state_version))

    def push_frame(self, head: str, tail: str) -> None:
        """Queue a pre-encoded broadcast frame, stamping this connection's next ``seq``.

        The seq is taken now so its order matches call order; the write happens in a
        tracked task. Slow consumers beyond the buffer budget are disconnected.
        """
        transport = self.ws.transport
        if transport is not None and transport.get_write_buffer_size() > MAX_BUFFERED_BYTES:
            self.spawn(self.ws.close(CLOSE_POLICY_VIOLATION, "slow consumer"))
            return
        self.spawn(self.send_text(f"{head}{self.next_seq()}{tail}"))

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Run a coroutine tied to this connection; cancelled when it closes."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("connection task failed", exc_info=task.exception())

    @property
    def inflight(self) -> int:
        return len(self._tasks)

    async def cancel_tasks(self) -> None:
        """Cancel and await everything this connection started."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def in_presence(self) -> bool:
        """Listed in presence? Like upstream, one-shot device-less CLI/probe sockets are not."""
        if not self.authenticated:
            return False
        if self.device_id is not None:
            return True
        return self.client is not None and self.client.mode not in _TRANSIENT_MODES

    def presence_entry(self) -> dict[str, Any]:
        """This connection's ``PresenceEntry``."""
        c = self.client
        entry: dict[str, Any] = {"ts": self.connected_at_ms, "ip": self.remote_ip, "reason": "connect",
                                 "roles": [self.role] if self.role else [], "scopes": list(self.scopes),
                                 "onlineSince": self.connected_at_ms}
        if c is not None:
            for key, value in (("clientId", c.id), ("mode", c.mode), ("version", c.version or None),
                               ("platform", c.platform), ("deviceFamily", c.device_family),
                               ("host", c.display_name), ("instanceId", c.instance_id),
                               ("modelIdentifier", c.model_identifier)):
                if value:
                    entry[key] = value
        if self.device_id:
            entry["deviceId"] = self.device_id
        return entry
