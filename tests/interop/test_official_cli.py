"""The official OpenClaw CLI and node host (npm openclaw@2026.9.6) against our gateway."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import pytest

from tests.interop.peer import Peer
from tests.support_process import GatewayProcess, start_gateway, wait_for_text

pytestmark = pytest.mark.interop
TOKEN = "interop-token-1"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory) -> GatewayProcess:
    gw = start_gateway(tmp_path_factory.mktemp("gw"), "--token", TOKEN)
    yield gw
    assert gw.stop() == 0


@pytest.fixture(scope="module")
def cli(gateway, tmp_path_factory) -> Peer:
    return Peer(tmp_path_factory.mktemp("cli-home"), gateway.port, TOKEN)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


def json_tail(text: str):
    """The CLI prints a header line before pretty JSON; parse from the first brace."""
    return json.loads(text[text.index("{"):])


def test_gateway_call_health(cli):
    payload = json_tail(ok(cli.run("gateway", "call", "health")))
    assert payload["ok"] is True and payload["defaultAgentId"] == "main"


def test_gateway_call_status_json(cli):
    payload = json.loads(ok(cli.run("gateway", "call", "status", "--json")))
    assert payload["ok"] is True and payload["runtime"] == "python"
    assert payload["gateway"]["port"] == cli.port


def test_openclaw_status_sees_reachable_gateway(cli):
    out = ok(cli.run("status"))
    row = next(line for line in out.splitlines() if "│ Gateway " in line)
    assert f"ws://127.0.0.1:{cli.port}" in row and "reachable" in row and "unreachable" not in row
    data = json.loads(ok(cli.run("status", "--json")))
    assert data["gateway"]["reachable"] is True and data["gateway"]["error"] is None


def test_gateway_call_config_get(cli, gateway):
    payload = json_tail(ok(cli.run("gateway", "call", "config.get")))
    assert payload["path"] == str(gateway.state_dir / "openclaw.json")
    assert TOKEN not in json.dumps(payload)


def test_unknown_method_reason_is_printed(cli):
    result = cli.run("gateway", "call", "no.such.method")
    assert result.returncode != 0
    assert "unknown method: no.such.method" in result.stdout + result.stderr


wait_for = wait_for_text


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_node_host_pairs_silently_on_loopback(cli, tmp_path):
    node = Peer(tmp_path / "node-home", cli.port, TOKEN)
    log = tmp_path / "node.log"
    proc = node.spawn("node", "run", "--host", "127.0.0.1", "--port", str(cli.port), "--display-name", "auto-node",
                      log=log)
    try:
        wait_for(log, "node host gateway connected")
        listing = json.loads(ok(cli.run("devices", "list", "--json")))
        paired = [d for d in listing["paired"] if d.get("displayName") == "auto-node"]
        assert paired and paired[0]["roles"] == ["node"] and paired[0]["approvedVia"] == "silent"
    finally:
        stop(proc)


def test_node_host_waits_for_devices_approve(tmp_path):
    state = tmp_path / "gw"
    state.mkdir()
    (state / "openclaw.json").write_text("{gateway: {nodes: {pairing: {autoApproveLocal: false}}}}\n")
    gw = start_gateway(state, "--token", TOKEN)
    cli = Peer(tmp_path / "cli-home", gw.port, TOKEN)
    node = Peer(tmp_path / "node-home", gw.port, TOKEN)
    args = ("node", "run", "--host", "127.0.0.1", "--port", str(gw.port), "--display-name", "manual-node")
    first = node.spawn(*args, log=tmp_path / "node1.log")
    try:
        text = wait_for(tmp_path / "node1.log", "waiting for operator action")
        assert "PAIRING_REQUIRED" in text
        pending = json.loads(ok(cli.run("devices", "list", "--json")))["pending"]
        assert [p["displayName"] for p in pending] == ["manual-node"]
        request_id = pending[0]["requestId"]
        assert request_id in text  # the node host printed the same request id
        table = ok(cli.run("devices", "list"))
        assert "Pending (1)" in table and request_id in table
        approved = ok(cli.run("devices", "approve", request_id))
        assert f"Approved {pending[0]['deviceId']} ({request_id})" in approved
        stop(first)
        # A node paused on PAIRING_REQUIRED must be restarted after approval.
        second = node.spawn(*args, log=tmp_path / "node2.log")
        try:
            wait_for(tmp_path / "node2.log", "node host gateway connected")
            paired = json.loads(ok(cli.run("devices", "list", "--json")))["paired"]
            assert [(d["displayName"], d["approvedVia"], d["connected"]) for d in paired] == [
                ("manual-node", "owner", True)]
        finally:
            stop(second)
    finally:
        stop(first)
        assert gw.stop() == 0
