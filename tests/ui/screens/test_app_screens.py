"""The tray app on a real X desktop (Xvfb + trayer + xcompmgr): the icon sits in the tray
and changes colour with state, the menu, dialogs, notification bubble and main window are
drawn, and a screenshot of each lands in ``artifacts/screenshots/`` (look at them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QColor, QImage

from openclaw_desktop.ui.tray_icons import COLOURS
from openclaw_desktop.ui.tray_state import TrayState
from tests.ui.screens.shots import REPO, SCREENSHOTS

SCENE = Path(__file__).with_name("app_scene.py")
SHOTS = ("tray-idle", "tray-menu", "approval-dialog", "tray-attention", "pairing-dialog", "tray-notification",
         "main-window")


def close_to(actual: str, expected: str, tolerance: int = 40) -> bool:
    a, e = QColor(actual), QColor(expected)
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], e.getRgb()[:3], strict=True))


def test_tray_app_on_a_real_desktop(xvfb_desktop, tmp_path):
    for name in SHOTS:
        (SCREENSHOTS / f"{name}.png").unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, str(SCENE), str(tmp_path / "state")], cwd=REPO, capture_output=True,
                          text=True, timeout=240, check=False, env=xvfb_desktop.env(PYTHONPATH=str(REPO)))
    assert proc.returncode == 0, proc.stderr[-4000:]
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    assert facts["tray_available"] is True
    x, y, w, h = facts["tray_geometry"]
    assert x > 1280 - 100 and y < 32 and w > 0 and h > 0  # in trayer's panel, top right
    assert close_to(facts["idle_colour"], COLOURS[TrayState.IDLE])
    assert close_to(facts["attention_colour"], COLOURS[TrayState.ATTENTION])
    assert facts["menu_texts"][3:] == ["Talk mode", "Push to talk", "Voice wake", "Open chat", "Pending approvals (0)",
                                       "Pair a phone…", "Settings…", "Pause gateway", "Quit OpenClaw"]
    assert facts["menu_texts"][0].startswith("ws://127.0.0.1:")
    assert facts["approval_title"] == "Run this command?" and facts["pairing_title"] == "Pair a new device?"
    assert facts["notify_result"] == {"ok": True, "delivery": "tray"}
    assert facts["tray_message"] == ["Build finished", "All 214 tests passed in 38 s."]
    assert facts["main_window_state"] == "Attention — 1 waiting for you"  # the phone put off with "Later"
    assert facts["exit_code"] == 0 and facts["db_closed"] is True
    for name in SHOTS:
        image = QImage(str(SCREENSHOTS / f"{name}.png"))
        assert not image.isNull() and image.width() >= 100 and image.height() >= 40, name
    # The idle tray crop really shows the blue icon at the right edge (what a user sees).
    idle = QImage(str(SCREENSHOTS / "tray-idle.png"))
    assert any(close_to(idle.pixelColor(px, py).name(), COLOURS[TrayState.IDLE], 30)
               for px in range(idle.width() - 40, idle.width()) for py in range(32))
