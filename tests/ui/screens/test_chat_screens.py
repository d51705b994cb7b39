"""The chat window on a real X display (Xvfb): screenshots mid-conversation, with a tool
call and a streaming reply (``chat-window.png``) and with a command waiting for approval
inline (``chat-approval.png``), in ``artifacts/screenshots/`` (look at them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from tests.ui.screens.shots import REPO, SCREENSHOTS

SCENE = Path(__file__).with_name("chat_scene.py")
SHOTS = ("chat-window", "chat-approval")


def test_chat_window_on_a_real_display(xvfb_desktop, tmp_path):
    for name in SHOTS:
        (SCREENSHOTS / f"{name}.png").unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, str(SCENE), str(tmp_path / "state")], check=False, cwd=REPO,
                          capture_output=True, text=True, timeout=180, env=xvfb_desktop.env(PYTHONPATH=str(REPO)))
    assert proc.returncode == 0, proc.stderr[-4000:]
    facts = json.loads(proc.stdout.strip().splitlines()[-1])

    mid = facts["mid_stream"]
    assert mid[0] == ["userRow", "You", "What's on my shopping list?"]
    assert mid[1] == ["assistantRow", "Assistant", "Let me check your notes."]
    assert mid[2] == ["toolRow", "⚙ read", "shopping.md", "done"]
    assert mid[3][:2] == ["assistantRow", "Assistant  ·  writing…"] and mid[3][2].startswith("You need three")
    assert not mid[3][2].endswith("most urgent. ")  # captured while still streaming

    approval = facts["approval"]
    assert approval[-2] == ["toolRow", "⚙ exec", "rm -rf build/", "running…"]
    assert approval[-1] == ["approvalRow", "⚠ Command approval — waiting for approval", "rm -rf build/\nin "
                            + approval[-1][2].split("\nin ", 1)[1], "open"]
    end = facts["end"]
    assert end[-1] == ["assistantRow", "Assistant", "Understood, I left the build folder alone."]
    assert ["toolRow", "⚙ exec", "rm -rf build/", "done"] in end

    for name in SHOTS:
        image = QImage(str(SCREENSHOTS / f"{name}.png"))
        assert not image.isNull() and image.width() >= 700 and image.height() >= 600, name
        # Not a blank grab: a real window has many distinct colours (text, buttons, frames).
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
        assert len(colours) > 20, name
