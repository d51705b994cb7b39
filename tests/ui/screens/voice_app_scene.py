"""Voice in the running tray app on a real (virtual) desktop, then the first-run
onboarding's pages; run as a child process for ``test_voice_app_screens.py``.

``python voice_app_scene.py STATE_DIR`` on an Xvfb display with a tray host: runs the real
``DesktopApp`` (gateway hosted in-process, the fake Anthropic server as the model) with
the voice runtime on fake audio engines (``tests/voice/fakes.py``: symbolic frames, fed by
a pump here), opens the chat window as the app's backdrop, and saves PNGs of the whole
screen into ``artifacts/screenshots/``:

voice-talk-listening   Talk mode from the tray: the overlay over the app, tray green
voice-talk-speaking    a reply being spoken (the pump holds playback still), tray teal
voice-no-microphone    the microphone unplugged: overlay and tray say so, tray orange

then ``onboarding-<n>-<step>.png`` for each page of the introduction (Settings → About →
Run the introduction again opens the same wizard; a tone played into the PulseAudio
virtual microphone, when the test provides one, moves the level meter). Prints one JSON
line of facts and quits through the app's ordered shutdown.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections import deque
from pathlib import Path
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon
from shots import run_scene, save_screenshot

from openclaw_desktop.config import store
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.ui.app_shell import DesktopApp
from openclaw_desktop.voice.pipeline import PipelineOptions

TOKEN = "testtoken"
REPLY = "Your next meeting is the design review at four, in room Atlas. Want me to remind you ten minutes before?"
OPTIONS = PipelineOptions(device_retry_s=0.5, input_stall_s=1.5, playback_poll_s=0.005, levels=True)


async def until(condition, timeout: float = 20.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := condition()):
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return value


def screen_colour(x: int, y: int) -> str:
    return QGuiApplication.primaryScreen().grabWindow(0, x, y, 1, 1).toImage().pixelColor(0, 0).name()


class Rig:
    """Fake engines (imported after the QApplication exists) and the microphone pump."""

    def __init__(self) -> None:
        from tests.voice.fakes import (
            FakeEcho,
            FakeMic,
            FakeSpeaker,
            FakeStt,
            FakeTts,
            FakeVad,
            FakeWake,
            Vocabulary,
        )

        self.vocab = Vocabulary()
        self.mic, self.speaker, self.vad = FakeMic(), FakeSpeaker(), FakeVad()
        self.wake = FakeWake(self.vocab, {"jarvis": 0.99})
        self.stt, self.tts, self.echo = FakeStt(self.vocab), FakeTts(), FakeEcho()
        self.queue: deque[int] = deque()
        self.frozen = False
        """Playback does not advance (a state held still for its screenshot)."""
        self.unplugged = False

    def factory(self, _settings: Any) -> Any:
        from tests.voice.world import FakeEngines

        return FakeEngines(self)

    def say(self, *words: str) -> None:
        for word in words:
            self.queue.extend([self.vocab.code(word)] * 3)

    async def pump(self) -> None:
        from tests.voice.fakes import FRAME_S, frame_of

        while True:
            await asyncio.sleep(0.03)
            if self.mic.on_frame is None or self.unplugged:
                continue
            if not self.frozen:
                self.speaker.advance(FRAME_S)
            # No echo of our own playback (headphones): see tests/ui/test_voice_in_app.py's Rig.
            self.mic.on_frame(frame_of(self.queue.popleft() if self.queue else 0))


def play_tone_into_mic() -> subprocess.Popen[bytes] | None:
    """Two seconds of a quiet tone into the virtual microphone (``micfeed``), when there is one."""
    if shutil.which("pacat") is None:
        return None
    import numpy as np

    t = np.arange(32_000) / 16_000
    tone = (3000 * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))).astype(np.int16)
    proc = subprocess.Popen(["pacat", "-p", "-d", "micfeed", "--rate=16000", "--channels=1", "--format=s16le"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert proc.stdin is not None
    proc.stdin.write(tone.tobytes())
    proc.stdin.close()
    return proc


async def scene(state_dir: Path) -> dict:
    from tests.support.anthropic_script import Text, Turn
    from tests.support.fake_anthropic import FakeAnthropic

    facts: dict = {"tray_available": QSystemTrayIcon.isSystemTrayAvailable()}
    state_dir.mkdir(parents=True, exist_ok=True)
    paths = StatePaths(state_dir, state_dir / "openclaw.json")
    store.atomic_write_text(paths.config_path, json.dumps({"voice": {"talk_timeout_ms": 600_000}}))
    rig = Rig()
    pump = asyncio.ensure_future(rig.pump())
    screen = QGuiApplication.primaryScreen().geometry()
    with FakeAnthropic() as api:
        os.environ["ANTHROPIC_API_KEY"], os.environ["ANTHROPIC_BASE_URL"] = "sk-test", api.base_url
        api.push(Turn([Text([REPLY[:62], REPLY[62:]], delay_s=0.05)]))
        app = DesktopApp(paths, Overrides(port=0, token=TOKEN), tray_available=facts["tray_available"],
                         run_node=False, voice_engines=rig.factory, voice_options=OPTIONS)
        runner = asyncio.ensure_future(app.run())
        try:
            await until(lambda: app.link is not None and app.link.state == "connected", what="link")
            tray = app.tray
            assert tray is not None
            geometry = await until(lambda: tray.icon.geometry() if tray.icon.geometry().width() > 0 else None,
                                   what="tray icon geometry")
            centre = (geometry.center().x() - int(0.3 * min(geometry.width(), geometry.height())),
                      geometry.center().y())
            app.open_chat()  # the running app behind the overlay
            chat = await until(lambda: app.chat.window, what="chat window")
            chat.resize(720, 520)
            chat.move((screen.width() - 720) // 2, 70)

            app.actions.talk.trigger()
            overlay = await until(lambda: app.voice.overlay if app.voice.overlay is not None
                                  and app.voice.overlay.isVisible() else None, what="overlay")
            await until(lambda: overlay.model.view.talk_mode, what="talk mode listening")
            await asyncio.sleep(1.0)  # some waveform
            facts["listening_colour"] = screen_colour(*centre)
            facts["listening_tooltip"] = tray.icon.toolTip()
            save_screenshot(None, "voice-talk-listening")

            rig.say("when", "is", "my", "next", "meeting")
            await until(lambda: app.voice.stage == "speaking", what="speaking")
            await until(lambda: overlay.model.view.reply == REPLY, what="the whole reply")
            rig.frozen = True
            await until(lambda: overlay.model.view.speaking.startswith("Want me"), what="second sentence")
            await asyncio.sleep(0.6)
            facts["speaking_colour"] = screen_colour(*centre)
            save_screenshot(None, "voice-talk-speaking")
            rig.frozen = False
            await until(lambda: app.voice.stage == "listening", what="listening again")

            rig.mic.missing = 10**6
            rig.unplugged = True  # frames stop: the pipeline notices, then cannot reopen it
            await until(lambda: app.voice.stage == "device_missing", what="no microphone")
            await until(lambda: tray.state.value == "attention", what="tray attention")
            await asyncio.sleep(0.8)
            facts["missing_colour"] = screen_colour(*centre)
            facts["missing_label"] = overlay.model.view.label
            facts["missing_tooltip"] = tray.icon.toolTip()
            facts["missing_message"] = list(tray.last_message or ())
            save_screenshot(None, "voice-no-microphone")
            rig.mic.missing, rig.unplugged = 0, False
            await until(lambda: app.voice.stage == "listening", what="microphone back")
            overlay.close_button.click()
            await until(lambda: app.voice.runtime is None, what="voice stopped after leaving talk mode")
            facts["overlay_hidden"] = not overlay.isVisible()
            chat.hide()
            # The introduction as a new user sees it: no key in the environment.
            os.environ.pop("ANTHROPIC_API_KEY")
            await app.open_onboarding()
            wizard = await until(lambda: app.onboarding.window, what="onboarding")
            wizard.move((screen.width() - wizard.width()) // 2, 100)
            facts["onboarding_pages"] = []
            for index, step in enumerate(wizard.steps):
                await until(lambda i=index: wizard.index == i, what=f"page {index}")
                tone = play_tone_into_mic() if step.key == "mic" else None
                await asyncio.sleep(1.2 if tone else 0.5)
                facts["onboarding_pages"].append(step.key)
                save_screenshot(wizard, f"onboarding-{index + 1}-{step.key}")
                if step.key == "mic":
                    facts["mic_result"] = wizard.results.get("mic")
                if tone is not None:
                    tone.wait(10)
                if index < len(wizard.steps) - 1:
                    wizard.skip_button.click()
        finally:
            app.request_quit("scene done")
            facts["exit_code"] = await runner
            pump.cancel()
    return facts


if __name__ == "__main__":
    sys.exit(run_scene(scene, 150))
