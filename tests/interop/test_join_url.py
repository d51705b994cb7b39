"""Join URLs with the official CLI: ``openclaw devices join-code`` mints one on our gateway,
``openclaw connect <joinUrl>`` fetches it once and its node host joins through it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.interop.peer import Peer
from tests.interop.test_official_cli import ok, stop, wait_for
from tests.interop.test_setup_code import PairingPeer
from tests.support_process import start_gateway

pytestmark = pytest.mark.interop
TOKEN = "interop-join-token"


def fetch_status(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_openclaw_connect_joins_through_our_join_url(tmp_path):
    gw = start_gateway(tmp_path / "gw", "--token", TOKEN)
    cli = Peer(tmp_path / "cli-home", gw.port, TOKEN)
    node = PairingPeer(tmp_path / "node-home", gw.port, "")  # no shared secret: only the join URL
    try:
        minted = json.loads(ok(cli.run("devices", "join-code", "--json")))
        join_url = minted["joinUrl"]
        assert join_url.startswith(f"http://127.0.0.1:{gw.port}/j/") and len(join_url.rsplit("/", 1)[1]) == 22
        proc = node.spawn("connect", join_url, "--display-name", "joined-node", log=tmp_path / "node.log")
        try:
            wait_for(tmp_path / "node.log", "node host gateway connected")
            paired = json.loads(ok(cli.run("devices", "list", "--json")))["paired"]
            [device] = [d for d in paired if d.get("displayName") == "joined-node"]
            assert (device["approvedVia"], device["roles"], device["connected"]) == ("bootstrap", ["node"], True)
            # The node's first command surface came in approved with the device.
            entry = json.loads(ok(cli.run("gateway", "call", "node.describe", "--json",
                                          "--params", json.dumps({"nodeId": device["deviceId"]}))))
            assert entry["approvalState"] == "approved" and entry["connected"] is True
        finally:
            stop(proc)
        assert fetch_status(join_url) == (404, {"error": "not_found"})  # the code was burned
    finally:
        assert gw.stop() == 0
