"""A real HTTP server on 127.0.0.1 (port 0) that speaks the Anthropic Messages API.

It runs in a background thread (``ThreadingHTTPServer``), so it answers while the
test's event loop is busy running a gateway, and works from sync and async tests:

    with FakeAnthropic() as api:
        api.push(Turn([Text(["Hel", "lo"]), ToolUse("toolu_1", "read", {"path": "a"})]))
        api.push_error(429, "slow down", retry_after="2")
        model = AnthropicModel("sk-test", base_url=api.base_url)

``POST /v1/messages`` pops the next scripted :class:`Turn` or :class:`ErrorReply`
(see :mod:`tests.support.anthropic_script`); with nothing scripted it answers
``echo: <last user text>``. Every request body is kept in :attr:`requests`. A client
that goes away mid-stream is counted in :attr:`disconnects`. All state is guarded by
one lock.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from tests.support.anthropic_script import (
    ErrorReply,
    Frame,
    Turn,
    echo_turn,
    message_body,
    stream_frames,
)

#: How often a waiting handler checks for a closed client socket or a stopping server.
_POLL_S = 0.01


class FakeAnthropic:
    """The scripted fake server; see the module docstring."""

    def __init__(self, *, ping: bool = True) -> None:
        self.ping = ping
        self._lock = threading.Condition()
        self._script: deque[Turn | ErrorReply] = deque()
        self._requests: list[dict[str, Any]] = []
        self._headers: list[dict[str, str]] = []
        self._disconnects = 0
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> Self:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        httpd.daemon_threads = True  # keep-alive handlers must not block stop()
        httpd.fake = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-anthropic", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()  # ends handlers that are pausing mid-stream
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.to_thread(self.stop)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (pass it as the SDK's ``base_url``)."""
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # -- scripting -------------------------------------------------------------------

    def push(self, *items: Turn | ErrorReply) -> None:
        """Queue replies, answered in order, one per request."""
        with self._lock:
            self._script.extend(items)

    def push_error(self, status: int, message: str = "scripted error", *,
                   error_type: str | None = None, retry_after: str | None = None,
                   retry_after_ms: str | None = None) -> None:
        """Queue one :class:`ErrorReply`."""
        self.push(ErrorReply(status, message, error_type, retry_after, retry_after_ms))

    @property
    def pending(self) -> int:
        """Scripted replies not yet used."""
        with self._lock:
            return len(self._script)

    # -- observations ----------------------------------------------------------------

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every ``/v1/messages`` request body so far (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def request_headers(self) -> list[dict[str, str]]:
        """The headers of each request in :attr:`requests` (lower-case names)."""
        with self._lock:
            return list(self._headers)

    @property
    def disconnects(self) -> int:
        """Streams the client closed before the server finished them."""
        with self._lock:
            return self._disconnects

    def wait_for_disconnects(self, count: int = 1, timeout_s: float = 5.0) -> bool:
        """Block until :attr:`disconnects` reaches ``count``; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._disconnects >= count, timeout_s)

    async def wait_for_disconnects_async(self, count: int = 1, timeout_s: float = 5.0) -> bool:
        """:meth:`wait_for_disconnects` without blocking the event loop."""
        return await asyncio.to_thread(self.wait_for_disconnects, count, timeout_s)

    # -- used by the handler threads -------------------------------------------------

    def _take(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[Turn | ErrorReply, str]:
        with self._lock:
            self._requests.append(body)
            self._headers.append(headers)
            reply = self._script.popleft() if self._script else echo_turn(body)
            return reply, f"msg_fake_{next(self._ids):04d}"

    def _record_disconnect(self) -> None:
        with self._lock:
            self._disconnects += 1
            self._lock.notify_all()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked bodies, like the real API
    timeout = 30  # an idle keep-alive connection's thread ends eventually

    def setup(self) -> None:
        super().setup()
        # Each SSE event is its own small write; without NODELAY, Nagle plus the client's
        # delayed ACK add ~40 ms per reply, which would be measured as gateway latency.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def fake(self) -> FakeAnthropic:
        return self.server.fake  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:  # the stdlib's signature
        pass  # keep test output clean

    def do_POST(self) -> None:  # the stdlib's dispatch name
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        if self.path.split("?")[0] != "/v1/messages":
            self._send_json(404, ErrorReply(404, f"no route {self.path}").body())
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send_json(400, ErrorReply(400, "body is not JSON").body())
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply, message_id = self.fake._take(body, headers)
        if isinstance(reply, ErrorReply):
            self._send_json(reply.status, reply.body(), reply.headers())
        elif body.get("stream"):
            self._send_stream(stream_frames(reply, body, message_id, self.fake.ping))
        else:
            self._send_json(200, message_body(reply, body, message_id))

    def _send_json(self, status: int, payload: Mapping[str, Any],
                   extra: Mapping[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("request-id", "req_fake")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_stream(self, frames: list[Frame]) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("request-id", "req_fake")
        self.end_headers()
        try:
            self.wfile.flush()
            for frame in frames:
                if frame.delay_s and not self._pause(frame.delay_s):
                    return
                if frame.action == "hangup":  # no terminating chunk
                    self.close_connection = True
                    return
                if frame.action == "end":
                    break
                event = f"event: {frame.event}\ndata: {json.dumps(frame.data)}\n\n".encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            self.fake._record_disconnect()

    def _pause(self, seconds: float) -> bool:
        """Wait, watching the socket: False (and a recorded disconnect) if the client
        closed it, False if the server is stopping, else True."""
        stopping = self.fake._stopping
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and not stopping.is_set():
            step = min(_POLL_S, left)
            readable, _, _ = select.select([self.connection], [], [], step)
            if not readable:
                continue
            try:
                peeked = self.connection.recv(1, socket.MSG_PEEK)
            except (ConnectionResetError, OSError):
                peeked = b""
            if peeked == b"":  # EOF: the client closed the stream
                self.close_connection = True
                self.fake._record_disconnect()
                return False
            stopping.wait(step)  # unexpected bytes; do not spin on them
        if stopping.is_set():
            self.close_connection = True
            return False
        return True
