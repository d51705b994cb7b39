"""`openclaw-desktop node` with the Qt adapters (qasync loop) under Xvfb, against OUR
gateway over real sockets: screen pixels, an NMEA fix, no camera, a short recording."""

from __future__ import annotations

import asyncio
import base64
import time

import pytest

from openclaw_desktop.client.gateway_client import RpcError
from tests.conftest import connect

from .qt_support import (
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
    xvfb,
)
from .test_node_client import ADMIN, approve_surface, invoke


@pytest.fixture(scope="module")
def display():
    require_qt_and_xvfb()
    with xvfb() as name:
        yield name


async def test_qt_node_screen_location_camera(capture_gateway, display, tmp_path):
    log = tmp_path / "node.log"
    with painter(display, tmp_path):
        node = spawn_node(capture_gateway.url, "--allow", "screen.snapshot", "--allow", "location.get", "--allow",
                          "camera.snap", "--allow", "screen.record", "--nmea", str(NMEA), "--display-name", "qt-desk",
                          env=qt_env(display, tmp_path / "node-state", OPENCLAW_GATEWAY_TOKEN="testtoken"), log=log)
        try:
            async with connect(capture_gateway, scopes=ADMIN) as admin:
                approved = (await approve_surface(admin))["node"]
                assert approved["displayName"] == "qt-desk"

                where = (await invoke(admin, "qt-desk", "location.get", {"desiredAccuracy": "precise"},
                                      key="q1"))["payload"]
                assert (round(where["lat"], 5), round(where["lon"], 5)) == (48.20849, 16.37208)
                assert where["altitudeMeters"] == 182.0 and where["timestamp"] == "2026-01-03T12:34:56.000Z"
                assert where["source"] == "gps" and where["isPrecise"] is True and 0 < where["accuracyMeters"] < 50

                shot = (await invoke(admin, "qt-desk", "screen.snapshot", {}, key="q2"))["payload"]
                png = base64.b64decode(shot["base64"])
                assert (shot["format"], shot["width"], shot["height"]) == ("png", *SCREEN)
                assert png_size(png) == SCREEN
                ARTIFACTS.mkdir(exist_ok=True)
                (ARTIFACTS / "desktop-node-our-gateway.png").write_bytes(png)

                tiny = (await invoke(admin, "qt-desk", "screen.snapshot", {"maxWidth": 64}, key="q3"))["payload"]
                rows = png_pixels(base64.b64decode(tiny["base64"]))
                assert (len(rows[0]), len(rows)) == (64, 48) == (tiny["width"], tiny["height"])
                r, g, b = rows[10][30]  # inside the painted window (x 100..700, y 100..400 of 1024×768)
                assert r > 200 and g < 60 and b < 60
                assert max(rows[45][60]) < 40  # the empty Xvfb root outside it is black

                jpg = (await invoke(admin, "qt-desk", "screen.snapshot", {"format": "jpg", "maxWidth": 512,
                                                                          "quality": 0.5}, key="q4"))["payload"]
                assert (jpg["format"], jpg["width"], jpg["height"]) == ("jpg", 512, 384)
                assert base64.b64decode(jpg["base64"])[:2] == b"\xff\xd8"

                with pytest.raises(RpcError, match="INVALID_REQUEST: screenIndex 3 out of range"):
                    await invoke(admin, "qt-desk", "screen.snapshot", {"screenIndex": 3}, key="q5")

                assert (await invoke(admin, "qt-desk", "camera.list", {}, key="q6"))["payload"] == {"devices": []}
                started = time.monotonic()
                with pytest.raises(RpcError) as exc:
                    await invoke(admin, "qt-desk", "camera.snap", {}, key="q7")
                assert time.monotonic() - started < 3
                assert exc.value.details["nodeError"] == {"code": "CAMERA_UNAVAILABLE",
                                                          "message": "no camera found on this computer"}

                clip = (await invoke(admin, "qt-desk", "screen.record", {"durationMs": 1000, "fps": 5},
                                     key="q8"))["payload"]
                mp4 = base64.b64decode(clip["base64"])
                assert clip["format"] == "mp4" and mp4[4:8] == b"ftyp" and len(mp4) > 1000
                assert clip["hasAudio"] is False and 500 <= clip["durationMs"] <= 2000
        finally:
            code = await asyncio.to_thread(stop, node)
    text = log.read_text()
    assert code == 0, text  # SIGTERM ends the qasync loop cleanly
    assert "node connected" in text and "node stopped" in text
