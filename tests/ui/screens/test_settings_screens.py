"""The settings window on a real X display (Xvfb): one screenshot per tab
(``settings-general.png`` … ``settings-about.png`` in ``artifacts/screenshots/``; look at them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from openclaw_desktop.ui.settings import TAB_KEYS
from tests.ui.screens.shots import REPO, SCREENSHOTS

SCENE = Path(__file__).with_name("settings_scene.py")
TITLES = ("General", "AI", "Voice", "Models", "Permissions", "Devices", "Skills", "About")


def test_each_settings_tab_on_a_real_display(xvfb_desktop, tmp_path):
    for key in TAB_KEYS:
        (SCREENSHOTS / f"settings-{key}.png").unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, str(SCENE), str(tmp_path / "state")], check=False, cwd=REPO,
                          capture_output=True, text=True, timeout=180, env=xvfb_desktop.env(PYTHONPATH=str(REPO)))
    assert proc.returncode == 0, proc.stderr[-4000:]
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    assert facts["tabs"] == [list(pair) for pair in zip(TAB_KEYS, TITLES, strict=True)]
    assert facts["link"].startswith("Connected to this computer's gateway at ws://127.0.0.1:")
    for key in TAB_KEYS:
        image = QImage(str(SCREENSHOTS / f"settings-{key}.png"))
        assert not image.isNull() and image.width() >= 800 and image.height() >= 600, key
        # Not a blank grab: a real window has many distinct colours (text, frames, controls).
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
        assert len(colours) > 20, key
