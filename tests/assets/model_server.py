"""A loopback HTTP server for model files: Range requests, ETags, and scripted failures.

Runs ``http.server`` in a thread on 127.0.0.1 port 0. ``files`` maps URL paths to bytes.
``cut_after`` makes the next responses for a path stop after that many body bytes and
drop the connection (an interrupted download); ``hold_after`` makes them send that many
bytes and then wait until ``release`` is set (a download in flight, to cancel from a
test); ``ignore_range`` makes it answer 200 with the whole file like a server without
Range support. Every request's headers are recorded.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Served:
    path: str
    range: str | None
    if_range: str | None
    status: int


@dataclass
class ModelServer:
    files: dict[str, bytes] = field(default_factory=dict)
    cut_after: dict[str, list[int]] = field(default_factory=dict)  # path -> byte counts, one per request
    hold_after: dict[str, list[int]] = field(default_factory=dict)  # path -> byte counts, one per request
    release: threading.Event = field(default_factory=threading.Event)
    ignore_range: bool = False
    requests: list[Served] = field(default_factory=list)

    def start(self) -> ModelServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = server.files.get(self.path)
                rng, if_range = self.headers.get("Range"), self.headers.get("If-Range")
                if body is None:
                    return self._send(404, b"", {}, rng, if_range)
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                start = 0
                if rng and not server.ignore_range and (if_range is None or if_range == etag):
                    start = int(rng.removeprefix("bytes=").split("-")[0])
                    if start >= len(body):
                        return self._send(416, b"", {"Content-Range": f"bytes */{len(body)}"}, rng, if_range)
                    headers = {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}", "ETag": etag}
                    return self._send(206, body[start:], headers, rng, if_range)
                return self._send(200, body, {"ETag": etag}, rng, if_range)

            def _send(self, status: int, body: bytes, headers: dict[str, str], rng: str | None,
                      if_range: str | None) -> None:
                server.requests.append(Served(self.path, rng, if_range, status))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                cuts = server.cut_after.get(self.path)
                if cuts:
                    self.wfile.write(body[:cuts.pop(0)])
                    self.wfile.flush()
                    self.close_connection = True  # the client sees a short body: interrupted
                    return
                holds = server.hold_after.get(self.path)
                if holds:
                    held = holds.pop(0)
                    try:
                        self.wfile.write(body[:held])
                        self.wfile.flush()
                        server.release.wait(30)
                        self.wfile.write(body[held:])
                    except (BrokenPipeError, ConnectionResetError):
                        self.close_connection = True  # the client gave up (cancelled) meanwhile
                    return
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def stop(self) -> None:
        self.release.set()  # no handler left waiting
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)
