"""Our desktop node (`openclaw-desktop node`, Qt adapters, Xvfb) against the OFFICIAL
gateway (npm openclaw@2026.9.6): approved with `openclaw nodes approve`, then
`openclaw nodes invoke` gets a real screenshot and the NMEA fix back."""

from __future__ import annotations

import base64
import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.desktop_node.qt_support import (
    ARTIFACTS,
    NMEA,
    SCREEN,
    painter,
    png_pixels,
    png_size,
    qt_env,
    require_qt_and_xvfb,
    spawn_node,
    stop,
    wait_for_text,
    xvfb,
)
from tests.interop import official_gateway
from tests.interop.peer import Peer
from tests.interop.test_official_cli import ok

pytestmark = pytest.mark.interop
TOKEN = "interop-desktop-node-token"


def start_official_gateway(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    # location.get is not in the official Linux defaults; screen.snapshot is a desktop host
    # command that `nodes approve` grants.
    return official_gateway.start(workdir, TOKEN, {"gateway": {"nodes": {"commands": {"allow": ["location.get"]}}}})


stop_group = official_gateway.stop


def invoke_json(cli: Peer, command: str, params: dict) -> dict:
    out = ok(cli.run("nodes", "invoke", "--node", "desk-node", "--command", command, "--params", json.dumps(params),
                     "--json", timeout=120))
    return json.loads(out[out.index("{"):])


def test_desktop_node_on_the_official_gateway(tmp_path):
    require_qt_and_xvfb()
    timings: dict[str, float] = {}
    t0 = time.monotonic()
    gateway, port = start_official_gateway(tmp_path / "official")
    timings["gateway ready"] = time.monotonic() - t0
    cli = Peer(tmp_path / "cli-home", port, TOKEN)
    log = tmp_path / "node.log"
    try:
        with xvfb() as display, painter(display, tmp_path):
            node = spawn_node(f"ws://127.0.0.1:{port}", "--token", TOKEN, "--allow", "screen.snapshot", "--allow",
                              "location.get", "--nmea", str(NMEA), "--display-name", "desk-node",
                              env=qt_env(display, tmp_path / "node-state"), log=log)
            try:
                wait_for_text(log, "node connected", timeout=60)
                t1 = time.monotonic()
                pending = json.loads(ok(cli.run("nodes", "pending", "--json")))
                entries = pending if isinstance(pending, list) else pending["pending"]
                mine = [p for p in entries if p.get("displayName") == "desk-node"]
                assert mine, entries
                assert {"screen.snapshot", "location.get", "system.which"} <= set(mine[0]["commands"])
                approved = json.loads(ok(cli.run("nodes", "approve", mine[0]["requestId"])))
                assert approved["node"]["displayName"] == "desk-node"
                timings["approve"] = time.monotonic() - t1

                t2 = time.monotonic()
                shot = invoke_json(cli, "screen.snapshot", {})
                timings["screen.snapshot"] = time.monotonic() - t2
                assert shot["ok"] is True and shot["command"] == "screen.snapshot"
                png = base64.b64decode(shot["payload"]["base64"])
                assert png_size(png) == SCREEN == (shot["payload"]["width"], shot["payload"]["height"])
                ARTIFACTS.mkdir(exist_ok=True)
                (ARTIFACTS / "desktop-node-official-gateway.png").write_bytes(png)
                tiny = invoke_json(cli, "screen.snapshot", {"maxWidth": 64})["payload"]
                r, g, b = png_pixels(base64.b64decode(tiny["base64"]))[10][30]
                assert r > 200 and g < 60 and b < 60  # the painted red window

                t3 = time.monotonic()
                where = invoke_json(cli, "location.get", {"desiredAccuracy": "precise"})
                timings["location.get"] = time.monotonic() - t3
                fix = where["payload"]
                assert (round(fix["lat"], 5), round(fix["lon"], 5)) == (48.20849, 16.37208)
                assert fix["timestamp"] == "2026-01-03T12:34:56.000Z" and fix["source"] == "gps"

                which = invoke_json(cli, "system.which", {"bins": ["sh"]})
                assert which["payload"]["bins"]["sh"].endswith("/sh")
            finally:
                code = stop(node)
            assert code == 0, log.read_text()
    finally:
        stop_group(gateway)
    print("timings:", {k: round(v, 2) for k, v in timings.items()})
