"""The talk overlay on a real X desktop (Xvfb + trayer + xcompmgr, plus the jwm window
manager): one screenshot per state in ``artifacts/screenshots/overlay-*.png`` (look at
them), real translucency over a striped backdrop, staying on top of a raised window, and
the keyboard focus staying in another application's window when the overlay is shown,
clicked (pause), double-clicked (stop speaking) and closed with its X.

The window manager matters: without one nothing ever moves the focus, so "does not steal
it" would prove nothing. Under jwm an ordinary window does take the focus when shown (the
last check here), and the overlay must not.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage

from tests.ui.screens.overlay_scene import STATES
from tests.ui.screens.shots import REPO, SCREENSHOTS

SCENE = Path(__file__).with_name("overlay_scene.py")
JWM_CONFIG = """<?xml version="1.0"?>
<JWM>
  <FocusModel>click</FocusModel>
  <!-- jwm dims inactive windows by default (through _NET_WM_WINDOW_OPACITY); the overlay is
       never active, and its own translucency is what the screenshots are about. -->
  <WindowStyle><Opacity>1.0</Opacity><Active><Opacity>1.0</Opacity></Active></WindowStyle>
  <Desktops width="1" height="1"><Background type="solid">#203040</Background></Desktops>
</JWM>
"""
MARGIN = 60
"""Pixels of desktop kept around the overlay in its screenshots."""


class Scene:
    """The scene child process: send a command line, read JSON replies; signals are kept."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.replies: queue.Queue[dict] = queue.Queue()
        self.signals: list[dict] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("{"):
                message = json.loads(line)
                if "signal" in message:
                    self.signals.append(message)
                else:
                    self.replies.put(message)

    def ask(self, command: str, timeout: float = 20.0) -> dict:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.wait_reply(timeout)

    def wait_reply(self, timeout: float = 20.0) -> dict:
        try:
            return self.replies.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the scene did not answer (exit code {self.proc.poll()})") from None

    def wait_signals(self, count: int, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.signals) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.signals)

    def focus(self) -> dict:
        return self.ask("focus")

    def wait_focus(self, title: str, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while (focus := self.focus()) != {"focus": title, "active": title}:
            assert time.monotonic() < deadline, f"{title} never got the focus: {focus}"
            time.sleep(0.1)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def window_manager(xvfb_desktop, tmp_path) -> Iterator[None]:
    if shutil.which("jwm") is None:
        pytest.fail("the overlay's focus test needs the jwm window manager (apt package jwm); "
                    "scripts/bootstrap.sh test installs it as root")
    config = tmp_path / "jwmrc"
    config.write_text(JWM_CONFIG)
    env = xvfb_desktop.env(HOME=str(tmp_path))
    proc = subprocess.Popen(["jwm", "-f", str(config)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        xvfb_desktop.wait_for_window('"JWM"')
        yield
    finally:
        stop(proc)


@pytest.fixture
def scene(xvfb_desktop, window_manager) -> Iterator[Scene]:
    proc = subprocess.Popen([sys.executable, str(SCENE)], cwd=REPO, env=xvfb_desktop.env(PYTHONPATH=str(REPO)),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    running = Scene(proc)
    try:
        assert running.wait_reply() == {"ready": "scene"}
        yield running
    finally:
        stop(proc)


def xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, check=True, timeout=10)


def luminance(colour: QColor) -> float:
    return 0.2126 * colour.red() + 0.7152 * colour.green() + 0.0722 * colour.blue()


def test_overlay_states_on_a_real_desktop(xvfb_desktop, scene: Scene, tmp_path: Path) -> None:
    if shutil.which("xdotool") is None:
        pytest.fail("needs xdotool (apt package xdotool) for real clicks; scripts/bootstrap.sh test installs it")
    display = xvfb_desktop.display
    scene.wait_focus("editor")  # the window manager gave it the focus when it was shown
    backdrop = tmp_path / "backdrop.png"  # the desktop before any overlay, for the see-through check
    subprocess.run(["import", "-display", display, "-window", "root", str(backdrop)], check=True, timeout=30)

    shots: dict[str, list[int]] = {}
    for name in STATES:
        reply = scene.ask(f"state {name}")
        assert reply["ready"] == name
        x, y, w, h = shots[name] = reply["overlay"]
        time.sleep(0.3)  # the compositor's next frame
        path = xvfb_desktop.grab(f"overlay-{name}", crop=(x - MARGIN, y - MARGIN, w + 2 * MARGIN, h + 2 * MARGIN))
        assert not QImage(str(path)).isNull()
        assert scene.focus() == {"focus": "editor", "active": "editor"}, f"showing {name} took the focus"

    # Translucent: in the overlay's empty lower margin, the backdrop's stripes still show, dimmed.
    x, y, w, h = shots["error"]
    before, after = QImage(str(backdrop)), QImage(str(SCREENSHOTS / "overlay-error.png"))
    row = [(px, y + h - 5) for px in range(x + 30, x + w - 30, 3)]
    under = [luminance(before.pixelColor(px, py)) for px, py in row]
    over = [luminance(after.pixelColor(px - x + MARGIN, py - y + MARGIN)) for px, py in row]
    assert max(under) - min(under) > 30, "the backdrop has stripes there"
    assert all(o < u for o, u in zip(over, under, strict=True)), "the overlay darkens what is behind it"
    assert max(over) - min(over) > 0.06 * (max(under) - min(under)), "…but the stripes show through"

    # Stays on top: the editor raised over the same spot is still under the overlay.
    raised = scene.ask("raise")
    assert raised["ok"] == "raise"
    time.sleep(0.3)
    overlap = QRect(x, y, w, h).intersected(QRect(*raised["editor"]))
    assert overlap.width() > 20 and overlap.height() > 20, (shots["error"], raised)
    probe = (x + 6, overlap.center().y())  # the overlay's left padding, over the editor
    (r, g, b) = scene.ask(f"pixel {probe[0]} {probe[1]}")["pixel"]
    assert luminance(QColor(r, g, b)) < 110, "the overlay's dark glass, not the editor's light grey"

    # Real clicks: pause, double-click stops speaking (and is no pause), X exits; focus stays.
    reply = scene.ask("state speaking")
    x, y, w, h = reply["overlay"]
    time.sleep(0.3)
    xdotool(display, "mousemove", str(x + w // 2), str(y + h - 20), "click", "1")
    assert [s["signal"] for s in scene.wait_signals(1)] == ["pause_toggled"]
    assert scene.signals[0]["args"] == [True]
    time.sleep(0.6)  # past the double-click interval: the next click starts afresh
    xdotool(display, "click", "--repeat", "2", "--delay", "60", "1")
    scene.wait_signals(2)
    time.sleep(0.8)  # a held-back single click would have fired by now
    assert [s["signal"] for s in scene.signals] == ["pause_toggled", "stop_speaking"]
    cx, cy, cw, ch = reply["close"]
    xdotool(display, "mousemove", str(cx + cw // 2), str(cy + ch // 2), "click", "1")
    assert [s["signal"] for s in scene.wait_signals(3)] == ["pause_toggled", "stop_speaking", "exit_talk_mode"]
    time.sleep(0.6)
    assert len(scene.signals) == 3
    assert scene.focus() == {"focus": "editor", "active": "editor"}

    # The control: under this window manager an ordinary window does take the focus.
    assert scene.ask("plain") == {"ok": "plain"}
    scene.wait_focus("plain")
