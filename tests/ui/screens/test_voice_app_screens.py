"""Voice in the running tray app on a real X desktop (Xvfb + trayer + xcompmgr): the talk
overlay over the app while listening and speaking, a missing microphone in the overlay and
the tray, and every page of the first-run onboarding, with a PulseAudio virtual
microphone for its level meter. PNGs in ``artifacts/screenshots/`` (look at them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from openclaw_desktop.ui.tray_icons import COLOURS
from openclaw_desktop.ui.tray_state import TrayState
from tests.ui.screens.shots import REPO, SCREENSHOTS
from tests.ui.screens.test_app_screens import close_to
from tests.voice.audio_env import virtual_audio  # noqa: F401 - fixture

SCENE = Path(__file__).with_name("voice_app_scene.py")
STEPS = ["welcome", "ai", "wake", "mic", "pair", "done"]
SHOTS = ["voice-talk-listening", "voice-talk-speaking", "voice-no-microphone",
         *[f"onboarding-{i}-{key}" for i, key in enumerate(STEPS, start=1)]]


def test_voice_overlay_over_the_app_and_the_onboarding_pages(xvfb_desktop, virtual_audio, tmp_path):  # noqa: F811
    for name in SHOTS:
        (SCREENSHOTS / f"{name}.png").unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, str(SCENE), str(tmp_path / "state")], cwd=REPO, capture_output=True,
                          text=True, timeout=240, check=False, env=xvfb_desktop.env(PYTHONPATH=str(REPO)))
    assert proc.returncode == 0, proc.stderr[-4000:]
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    assert facts["tray_available"] is True
    assert close_to(facts["listening_colour"], COLOURS[TrayState.LISTENING])
    assert "Voice: talk mode" in facts["listening_tooltip"]
    assert close_to(facts["speaking_colour"], COLOURS[TrayState.SPEAKING])
    assert close_to(facts["missing_colour"], COLOURS[TrayState.ATTENTION])
    assert facts["missing_label"] == "No microphone" and "Voice: no microphone" in facts["missing_tooltip"]
    assert facts["missing_message"][0] == "No microphone"
    assert facts["overlay_hidden"] is True
    assert facts["onboarding_pages"] == STEPS
    assert facts["mic_result"] == "heard"  # the tone played into the virtual microphone moved the meter
    assert facts["exit_code"] == 0
    for name in SHOTS:
        image = QImage(str(SCREENSHOTS / f"{name}.png"))
        assert not image.isNull() and image.width() >= 300 and image.height() >= 200, name
