"""Agent tools on real files and a real loopback HTTP server."""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from openclaw_desktop.agent.tools.base import ToolContext, ToolRegistry
from openclaw_desktop.agent.tools.files import file_tools
from openclaw_desktop.agent.tools.web_fetch import web_fetch_tool

CTX = ToolContext("main", "agent:main:main", "run-1")


@pytest.fixture
def tools(tmp_path):
    (tmp_path / "ws").mkdir()
    return ToolRegistry([*file_tools(tmp_path / "ws"), web_fetch_tool()]), tmp_path / "ws"


async def test_write_read_edit_ls(tools):
    registry, ws = tools
    assert not (await registry.call("write", {"path": "a/b.txt", "content": "one\ntwo\nthree\n"}, CTX)).is_error
    assert (await registry.call("read", {"path": "a/b.txt", "offset": 2, "limit": 1}, CTX)).text.startswith("two")
    assert not (await registry.call("edit", {"path": "a/b.txt", "old_text": "two", "new_text": "2"}, CTX)).is_error
    assert (ws / "a" / "b.txt").read_text() == "one\n2\nthree\n"
    dup = await registry.call("edit", {"path": "a/b.txt", "old_text": "e", "new_text": "E"}, CTX)
    assert dup.is_error and "exactly once" in dup.text
    assert (await registry.call("ls", {}, CTX)).text == "a/"


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/passwd", "~/.ssh/id_rsa", "link/x"])
async def test_paths_outside_the_workspace_are_refused(tools, path):
    registry, ws = tools
    os.symlink("/etc", ws / "link")
    for tool, args in (("read", {"path": path}), ("write", {"path": path, "content": "x"}), ("ls", {"path": path})):
        result = await registry.call(tool, args, CTX)
        assert result.is_error and "outside the workspace" in result.text, (tool, path)


async def test_schema_validation_and_unknown_tools(tools):
    registry, _ = tools
    bad = await registry.call("write", {"path": "x"}, CTX)
    assert bad.is_error and "'content' is a required property" in bad.text
    extra = await registry.call("ls", {"path": ".", "rm": True}, CTX)
    assert extra.is_error and "Additional properties" in extra.text
    assert (await registry.call("nope", {}, CTX)).text == "unknown tool: nope"


class _Pages(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/big":
            body = b"x" * 50_000
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/hello")
            self.end_headers()
            return
        else:
            body = b"hello from loopback"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


async def test_web_fetch_limits(tools, site):
    registry, _ = tools
    ok = await registry.call("web_fetch", {"url": site + "/redirect"}, CTX)
    assert not ok.is_error and ok.text.startswith("HTTP 200 text/plain") and "hello from loopback" in ok.text
    capped = await registry.call("web_fetch", {"url": site + "/big", "maxBytes": 1000}, CTX)
    body = capped.text.split("\n\n", 1)[1]
    assert body.endswith("[truncated at 1000 bytes]") and body.count("x") == 1000
    refused = await registry.call("web_fetch", {"url": "file:///etc/passwd"}, CTX)
    assert refused.is_error and "only http" in refused.text
    down = await registry.call("web_fetch", {"url": "http://127.0.0.1:9/"}, CTX)
    assert down.is_error and "fetch failed" in down.text
