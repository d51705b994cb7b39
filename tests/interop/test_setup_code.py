"""The official node host pairs with a setup code from ``openclaw-desktop pair``
(``openclaw node run --pair``), then reconnects with the device token it was handed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.interop.peer import Peer
from tests.interop.test_official_cli import ok, stop, wait_for
from tests.support_process import start_gateway

pytestmark = pytest.mark.interop
TOKEN = "interop-setup-token"


class PairingPeer(Peer):
    """A node host that knows no shared secret: only what the setup code gives it."""

    def env(self) -> dict[str, str]:
        env = super().env()
        env.pop("OPENCLAW_GATEWAY_TOKEN")
        env.pop("OPENCLAW_GATEWAY_PORT")
        return env


def mint(state_dir, url: str, profile: str) -> dict:
    env = {**os.environ, "OPENCLAW_STATE_DIR": str(state_dir)}
    env.pop("OPENCLAW_CONFIG_PATH", None)
    result = subprocess.run([sys.executable, "-m", "openclaw_desktop", "pair", "--json", "--profile", profile,
                             "--url", url], env=env, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("profile", ["node", "full"])
def test_node_run_pair_then_reconnect_with_device_token(tmp_path, profile):
    gw = start_gateway(tmp_path / "gw", "--token", TOKEN)
    cli = Peer(tmp_path / "cli-home", gw.port, TOKEN)
    node = PairingPeer(tmp_path / "node-home", gw.port, "")
    try:
        setup = mint(gw.state_dir, gw.url, profile)
        first = node.spawn("node", "run", "--pair", setup["pairLink"], "--display-name", "setup-node",
                           log=tmp_path / "node1.log")
        try:
            wait_for(tmp_path / "node1.log", "node host gateway connected")
            paired = json.loads(ok(cli.run("devices", "list", "--json")))["paired"]
            [device] = [d for d in paired if d.get("displayName") == "setup-node"]
            assert device["approvedVia"] == "bootstrap" and device["connected"] is True
            expected_roles = ["node"] if profile == "node" else ["node", "operator"]
            assert device["roles"] == expected_roles
            status = json.loads(ok(cli.run("gateway", "call", "device.pair.setupStatus", "--json",
                                           "--params", json.dumps({"setupId": setup["setupId"]}))))
            assert status["completion"]["deviceId"] == device["deviceId"]
        finally:
            stop(first)
        # No shared secret and the setup code is spent: only the stored device token can
        # get this second run in.
        second = node.spawn("node", "run", "--display-name", "setup-node", log=tmp_path / "node2.log")
        try:
            wait_for(tmp_path / "node2.log", "node host gateway connected")
            paired = json.loads(ok(cli.run("devices", "list", "--json")))["paired"]
            assert [(d["displayName"], d["connected"]) for d in paired] == [("setup-node", True)]
        finally:
            stop(second)
    finally:
        assert gw.stop() == 0
