"""The official node host's command surface approved with `openclaw nodes approve`, and
`openclaw nodes invoke` answered by it through our gateway."""

from __future__ import annotations

import json

import pytest

from tests.interop.peer import Peer
from tests.interop.test_official_cli import ok, stop, wait_for
from tests.support_process import start_gateway

pytestmark = pytest.mark.interop
TOKEN = "interop-nodes-token"


def test_nodes_approve_then_invoke_system_which(tmp_path):
    gw = start_gateway(tmp_path / "gw", "--token", TOKEN)
    cli = Peer(tmp_path / "cli", gw.port, TOKEN)
    node = Peer(tmp_path / "node", gw.port, TOKEN)
    proc = node.spawn("node", "run", "--host", "127.0.0.1", "--port", str(gw.port), "--display-name", "build-node",
                      log=tmp_path / "node.log")
    try:
        wait_for(tmp_path / "node.log", "node host gateway connected")
        pending = json.loads(ok(cli.run("nodes", "pending", "--json")))
        entries = pending if isinstance(pending, list) else pending["pending"]
        assert [p["displayName"] for p in entries] == ["build-node"]
        assert "system.which" in entries[0]["commands"]
        before = cli.run("nodes", "invoke", "--node", "build-node", "--command", "system.which",
                         "--params", '{"bins":["sh"]}')
        assert before.returncode != 0 and "pending approval" in before.stdout + before.stderr
        approved = json.loads(ok(cli.run("nodes", "approve", entries[0]["requestId"])))
        assert approved["node"]["nodeId"] == entries[0]["nodeId"]
        result = json.loads(ok(cli.run("nodes", "invoke", "--node", "build-node", "--command", "system.which",
                                       "--params", '{"bins":["uname","no-such-binary-xyz"]}')))
        assert result["ok"] is True and result["command"] == "system.which"
        assert result["payload"]["bins"]["uname"].endswith("/uname")
        assert "no-such-binary-xyz" not in result["payload"]["bins"]
        table = ok(cli.run("nodes", "list"))
        assert "Paired: 1" in table and "build-node" in table
    finally:
        stop(proc)
        assert gw.stop() == 0
