"""Voice wired into the tray app: the real ``VoiceRuntime`` on the app's loop, over the
app's link to the hosted gateway (port 0), with the fake audio engines of
``tests/voice/fakes.py`` injected (symbolic audio: each 80 ms frame carries a word code)
and the fake Anthropic server answering ``chat.send``. Checks what the user sees: the
tray's state and tooltip, the talk overlay, notifications, the menu's check marks; and
the Settings extras. The last test runs the REAL engines on PulseAudio virtual devices.
"""

from __future__ import annotations

import asyncio
import sys
from collections import deque
from collections.abc import Callable
from typing import Any, Self

import pytest
from PySide6.QtCore import QEvent, QObject

from openclaw_desktop.config import store
from openclaw_desktop.ui.gateway_calls import patch_config
from openclaw_desktop.ui.tray_state import TrayState
from openclaw_desktop.ui.voice_extras import (
    MicLevel,
    VoiceCatalog,
    scan_catalog,
    settings_extras,
)
from openclaw_desktop.ui.voice_status import (
    VOICE_INSTALL_HINT,
    TrayVoice,
    device_missing_bubble,
    engine_key,
    tray_voice,
)
from openclaw_desktop.voice.pipeline import PipelineOptions
from openclaw_desktop.voice.settings import VoiceSettings
from tests.support.anthropic_script import Text, Turn
from tests.support.fake_anthropic import FakeAnthropic
from tests.ui.qt_async import run, until
from tests.ui.test_desktop_app import Apps, connected
from tests.voice.audio_env import virtual_audio  # noqa: F401 - fixture
from tests.voice.fakes import (
    FRAME_S,
    FakeEcho,
    FakeMic,
    FakeSpeaker,
    FakeStt,
    FakeTts,
    FakeVad,
    FakeWake,
    Vocabulary,
    frame_of,
)
from tests.voice.world import FakeEngines

OPTIONS = PipelineOptions(device_retry_s=0.1, input_stall_s=5.0, playback_poll_s=0.005, levels=True)
LONG_TALK = "{voice: {talk_timeout_ms: 600000}}"
"""Frames run ~8x faster than real time here: talk mode's default 8 s of silence would end
it within a second of a busy machine's wall time."""


class Rig:
    """The fake audio world the app's runtime gets, and a pump that feeds the microphone
    one 80 ms frame every 10 ms while it is open (what ``say`` queued, else silence).

    The microphone does not hear the speaker (headphones): the fake echo reference is
    "playing now", and frames queued behind a busy loop would be judged against a later
    moment than the one they were heard at; echo and barge-in are the pipeline tests'
    business (``tests/voice/test_pipeline.py``, lock-step). Words can wait for a state (``say_when``) and playback
    can be held (``frozen``), so short-lived states do not depend on how fast a loaded
    machine lets the test poll."""

    def __init__(self) -> None:
        self.vocab = Vocabulary()
        self.mic, self.speaker, self.vad = FakeMic(), FakeSpeaker(), FakeVad()
        self.wake = FakeWake(self.vocab, {"jarvis": 0.99})
        self.stt, self.tts, self.echo = FakeStt(self.vocab), FakeTts(), FakeEcho()
        self.built: list[VoiceSettings] = []
        self.engines: list[FakeEngines] = []
        self.queue: deque[int] = deque()
        self.pending: list[tuple[Callable[[], bool], tuple[str, ...]]] = []
        self.frozen = False
        self.events: list[dict[str, Any]] = []
        """Every pipeline event but levels (shown when a test fails)."""
        self.task: asyncio.Task[None] | None = None

    def factory(self, settings: VoiceSettings) -> FakeEngines:
        self.built.append(settings)
        self.engines.append(FakeEngines(self))
        return self.engines[-1]

    def say(self, *words: str) -> None:
        for word in words:
            self.queue.extend([self.vocab.code(word)] * 3)

    def say_when(self, condition: Callable[[], bool], *words: str) -> None:
        """Say ``words`` from the first frame at which ``condition()`` holds."""
        self.pending.append((condition, words))

    async def _pump(self) -> None:
        while True:
            await asyncio.sleep(0.01)
            if self.mic.on_frame is None:
                continue
            for condition, words in list(self.pending):
                if condition():
                    self.pending.remove((condition, words))
                    self.say(*words)
            if not self.frozen:
                self.speaker.advance(FRAME_S)
            self.mic.on_frame(frame_of(self.queue.popleft() if self.queue else 0))

    async def __aenter__(self) -> Self:
        self.task = asyncio.ensure_future(self._pump())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if exc[0] is not None:
            print("voice events:", *self.events, sep="\n  ")
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


@pytest.fixture
def api(monkeypatch):
    with FakeAnthropic() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        yield server


@pytest.fixture
def rig() -> Rig:
    return Rig()


@pytest.fixture
def apps(paths, rig) -> Apps:
    class VoiceApps(Apps):
        def __call__(self, **kw: Any):  # type: ignore[override]
            kw.setdefault("voice_engines", rig.factory)
            kw.setdefault("voice_options", OPTIONS)
            app = super().__call__(**kw)
            app.voice.linger.setInterval(300)
            app.voice.listeners.append(lambda e: rig.events.append(e.to_dict()) if e.type != "level" else None)
            return app

    return VoiceApps(paths)


def write_config(paths, text: str) -> None:
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    store.atomic_write_text(paths.config_path, text)


def follow_tray(app) -> list[TrayState]:
    """The tray icon's states, each change once."""
    seen: list[TrayState] = []

    def changed() -> None:
        state = app.tray.state
        if not seen or seen[-1] is not state:
            seen.append(state)

    app.changed.connect(changed)
    return seen


class ShowRecorder(QObject):
    """Counts the Show events of a widget (it may be shown and hidden between two polls)."""

    def __init__(self, widget: Any) -> None:
        super().__init__()
        self.shows = 0
        widget.installEventFilter(self)

    def eventFilter(self, _obj: Any, event: Any) -> bool:  # Qt's name
        if event.type() == QEvent.Type.Show:
            self.shows += 1
        return False


def in_order(seen: list[Any], *expected: Any) -> bool:
    it = iter(seen)
    return all(any(x == e for x in it) for e in expected)


def test_voice_wake_toggle_starts_and_stops_the_runtime(qloop, apps, rig, paths):
    async def go() -> None:
        async with rig, apps:
            app = await connected(apps())
            await until(lambda: not app.busy, what="listings")
            assert app.voice.runtime is None and rig.built == []  # lazy: nothing loaded at start
            app.actions.voice_wake.trigger()
            await until(lambda: app.voice.stage == "listening", what="listening")
            assert rig.built[0].wake.enabled is True  # read from the config the menu wrote
            assert app.tray.state is TrayState.LISTENING and rig.mic.on_frame is not None
            assert not app.voice.overlay.isVisible()  # listening for the wake word: no overlay
            # Another microphone chosen in Settings: the engines are rebuilt with it.
            await patch_config(app.link, {"voice": {"input_device": "USB mic"}})
            await until(lambda: len(rig.built) == 2 and app.voice.stage == "listening", what="rebuilt")
            assert rig.built[1].input_device == "USB mic" and rig.engines[0].closed == 1
            app.actions.voice_wake.trigger()
            await until(lambda: app.voice.runtime is None, what="runtime stopped")
            assert rig.mic.on_frame is None and rig.engines[1].closed == 1
            assert app.tray.state is TrayState.IDLE and store.load(paths.config_path).parsed["voice"]["wake"][
                "enabled"] is False

    run(qloop, go())


def test_a_wake_word_conversation_drives_the_tray_and_the_overlay(qloop, apps, rig, paths, api):
    write_config(paths, '{voice: {wake: {enabled: true}}}')

    async def go() -> None:
        async with rig, apps:
            app = await connected(apps())
            seen = follow_tray(app)
            await until(lambda: app.voice.stage == "listening", what="voice starts with the app (wake on)")
            overlay = app.voice.overlay
            shown = ShowRecorder(overlay)
            rig.say("hey", "jarvis", "what", "time", "is", "it")
            await until(lambda: shown.shows == 1, what="overlay shown on wake")
            # The tray's record, not a poll: a short reply is spoken in a few frames.
            await until(lambda: in_order(seen, TrayState.LISTENING, TrayState.THINKING, TrayState.SPEAKING,
                                         TrayState.LISTENING), what="listening → thinking → speaking → listening")
            assert api.requests[-1]["messages"][-1]["content"][0]["text"] == "what time is it"
            assert overlay.model.view.transcript == "hey jarvis what time is it"
            assert overlay.model.view.reply == "echo: what time is it"
            await until(lambda: not overlay.isVisible(), what="overlay hidden after the linger")
            assert app.voice.runtime is not None  # wake is on: still listening

    run(qloop, go())


def test_talk_mode_from_the_tray_and_the_overlay_x_leaves_it(qloop, apps, rig, api, paths):
    write_config(paths, LONG_TALK)

    async def go() -> None:
        async with rig, apps:
            app = await connected(apps())
            app.actions.talk.trigger()
            assert app.actions.talk.isChecked()
            await until(lambda: app.voice.overlay is not None and app.voice.overlay.isVisible(), what="overlay")
            overlay, pipeline = app.voice.overlay, app.voice.runtime.pipeline
            await until(lambda: overlay.model.view.talk_mode, what="listening without the wake word")
            assert pipeline.conversation.talk_mode and not rig.built[0].wake.enabled
            assert "talk mode" in app.tray.icon.toolTip() and app.tray.state is TrayState.LISTENING
            rig.say("what", "time")  # no wake word
            await until(lambda: rig.tts.texts == ["echo: what time"], what="the reply spoken")
            await until(lambda: app.voice.stage == "listening" and overlay.model.view.talk_mode,
                        what="talk mode goes on after the reply")
            assert len(api.requests) == 1
            assert overlay.isVisible() and app.actions.talk.isChecked()
            overlay.close_button.click()  # X
            assert not overlay.isVisible() and not app.actions.talk.isChecked()
            assert not pipeline.conversation.talk_mode
            await until(lambda: app.voice.runtime is None, what="runtime stops: nothing needs it")
            assert rig.mic.on_frame is None
            # Again, and this time silence ends it (voice.talk_timeout_ms).
            await patch_config(app.link, {"voice": {"talk_timeout_ms": 2000}})
            app.actions.talk.trigger()
            await until(lambda: not app.actions.talk.isChecked(), what="talk mode timed out")
            await until(lambda: app.voice.runtime is None and not app.voice.overlay.isVisible(), what="stopped")
            assert len(rig.built) == 2 and rig.built[1].talk_timeout_ms == 2000

    run(qloop, go())


def test_overlay_click_pauses_and_double_click_stops_speaking(qloop, apps, rig, api, paths):
    write_config(paths, LONG_TALK)
    api.push(Turn([Text(["This is a long answer. " * 8])]))

    async def go() -> None:
        async with rig, apps:
            app = await connected(apps())
            app.actions.talk.trigger()
            await until(lambda: app.voice.overlay is not None and app.voice.overlay.model.view.talk_mode,
                        what="talk mode")
            overlay = app.voice.overlay
            overlay.pause_toggled.emit(True)  # what a click on the overlay emits
            await until(lambda: app.voice.stage == "paused", what="paused")
            assert overlay.model.view.paused and "Voice: paused" in app.tray.icon.toolTip()
            assert app.tray.state is TrayState.IDLE
            overlay.pause_toggled.emit(False)
            await until(lambda: app.voice.stage == "listening", what="resumed")
            rig.frozen = True  # playback holds still: "speaking" lasts until we stop it
            rig.say("tell", "me", "more")
            await until(lambda: app.voice.stage == "speaking", what="speaking")
            stops = rig.speaker.stops
            overlay.stop_speaking.emit()  # a double-click
            await until(lambda: app.voice.stage == "listening", timeout=2, what="stopped speaking")
            assert rig.speaker.stops > stops and overlay.model.view.reply_stopped
            assert not rig.speaker.busy

    run(qloop, go())


def test_missing_microphone_and_speaker_are_shown_and_retried(qloop, apps, rig, api, paths):
    write_config(paths, LONG_TALK)
    rig.mic.missing = 10**6

    async def go() -> None:
        async with rig, apps:
            app = await connected(apps())
            app.actions.talk.trigger()
            await until(lambda: app.voice.stage == "device_missing", what="no microphone")
            await until(lambda: app.tray.state is TrayState.ATTENTION, what="attention")
            assert "Voice: no microphone (no microphone plugged in); retrying every 0.1 s" in app.tray.icon.toolTip()
            assert app.tray.last_message[0] == "No microphone"
            overlay = app.voice.overlay
            await until(lambda: overlay.isVisible(), what="overlay says so")
            assert overlay.model.view.label == "No microphone"
            rig.mic.missing = 0  # plugged in
            await until(lambda: app.voice.stage == "listening" and overlay.model.view.talk_mode, what="mic back")
            assert app.tray.state is TrayState.LISTENING and app.tray.last_message[0] == "Microphone connected"
            assert app.tracker.voice_problem is None
            rig.speaker.missing = True
            rig.say("hello")
            await until(lambda: "output" in app.voice.problems, what="no speaker")
            assert app.tray.state is TrayState.ATTENTION and app.tray.last_message[0] == "No speaker"
            assert "replies are shown, not spoken" in app.tray.icon.toolTip()
            await until(lambda: overlay.model.view.reply == "echo: hello", what="the reply as text")
            rig.speaker.missing = False
            await until(lambda: not app.voice.problems, what="speaker back")
            assert app.tray.last_message[0] == "Speaker connected"

    run(qloop, go())


def test_push_to_talk_from_the_tray_starts_voice_for_one_command(qloop, apps, rig, api):
    async def go() -> None:
        async with rig, apps:
            app = await connected(apps())
            rig.say_when(lambda: app.voice.stage == "capturing", "lights", "on")
            app.actions.push_to_talk.trigger()
            await until(lambda: len(api.requests) == 1, what="command sent")
            assert rig.built[0].wake.enabled is False and app.voice.overlay.isVisible()
            assert api.requests[0]["messages"][-1]["content"][0]["text"] == "lights on"
            await until(lambda: app.voice.runtime is None, what="voice stops after the conversation")
            assert rig.mic.on_frame is None and app.tray.state is TrayState.IDLE

    run(qloop, go())


def test_the_global_hotkey_is_push_to_talk(qloop, apps, rig, api, monkeypatch):
    import subprocess

    from tests.desktop_node.qt_support import xvfb

    with xvfb() as display:
        monkeypatch.setenv("DISPLAY", display)  # pynput grabs keys on this X server; Qt stays offscreen

        async def go() -> None:
            async with rig, apps:
                app = await connected(apps())
                await until(lambda: app.hotkey, what="hotkey registered (in a worker thread)")
                assert app.hotkey is not None and app.hotkey.combo == "<ctrl>+<alt>+<space>"
                rig.say_when(lambda: app.voice.stage == "capturing", "hotkey", "works")
                await asyncio.to_thread(subprocess.run, ["xdotool", "key", "ctrl+alt+space"],
                                        env={"DISPLAY": display}, check=True, timeout=10)
                await until(lambda: len(api.requests) == 1, what="command sent")
                assert api.requests[0]["messages"][-1]["content"][0]["text"] == "hotkey works"
            assert app.hotkey is None  # released on quit

        run(qloop, go())


def test_settings_get_the_voice_extras_and_can_rerun_the_introduction(qloop, apps, paths):
    custom = paths.state_dir / "models" / "piper" / "amy" / "en_US-amy-low.onnx"
    custom.parent.mkdir(parents=True)
    custom.write_bytes(b"not really a model")

    async def go() -> None:
        async with apps:
            app = await connected(apps())
            app.actions.settings.trigger()
            window = await until(lambda: app.settings.window, timeout=20, what="settings window")
            extras = window.extras
            voices = extras.tts_voices()
            assert voices[0].endswith("en_US-joe-medium.onnx") and voices[1] == str(custom)
            assert "hey jarvis" in extras.wake_phrases()
            assert isinstance(extras.input_devices(), list) and isinstance(extras.output_devices(), list)
            assert extras.level_source is (app.voice.mic_level if extras.input_devices() else None)
            combo = window.tabs["voice"].tts_voice
            assert [combo.itemText(i) for i in range(combo.count())][1:] == voices
            about = window.tabs["about"]
            about.intro_button.click()
            wizard = await until(lambda: app.onboarding.window, what="the introduction")
            assert wizard.isVisible() and type(wizard).__name__ == "OnboardingWizard"
            assert wizard.ctx.extras.tts_voices() == voices

    run(qloop, go())


def test_without_the_voice_extra_the_extras_degrade(monkeypatch, tmp_path, qapp):
    from openclaw_desktop.voice import engines

    # As without the extra: importing the sounddevice adapter fails.
    monkeypatch.setitem(sys.modules, "openclaw_desktop.voice.engines.audio_sounddevice", None)
    monkeypatch.delattr(engines, "audio_sounddevice", raising=False)
    catalog = scan_catalog(tmp_path)
    assert not catalog.available and "openclaw-desktop[voice]" in (catalog.problem or "")
    extras = settings_extras(catalog, MicLevel(lambda: None, lambda: None))
    assert extras.level_source is None and extras.input_devices() == [] and extras.tts_voices() == []


class FakeMeter:
    def __init__(self, device: str | None, level: float) -> None:
        self.device, self.level, self.closed = device, level, False

    def close(self) -> None:
        self.closed = True


def test_mic_level_reads_the_pipeline_or_opens_its_own_meter(qtbot):
    opened: list[FakeMeter] = []
    failing = {"on": True}
    now = {"t": 0.0}

    def opener(device: str | None) -> FakeMeter:
        if failing["on"]:
            raise OSError("no microphone")
        opened.append(FakeMeter(device, 0.01))  # -40 dBFS
        return opened[-1]

    class PipelineMic:
        active, level = True, 0.1  # -20 dBFS

    pipeline: dict[str, Any] = {"mic": None}
    device = {"name": None}
    level = MicLevel(lambda: pipeline["mic"], lambda: device["name"], opener=opener, idle_close_ms=100,
                     retry_s=3.0, clock=lambda: now["t"])
    assert level() == 0.0 and level.problem == "no microphone"
    failing["on"] = False
    assert level() == 0.0 and not opened  # not retried on every poll
    now["t"] = 3.5
    assert level() == pytest.approx(1 / 3) and opened[0].device is None
    device["name"] = "USB mic"
    assert level() == pytest.approx(1 / 3) and opened[0].closed and opened[1].device == "USB mic"
    qtbot.waitUntil(lambda: opened[1].closed, timeout=2000)  # nobody polls: released
    pipeline["mic"] = PipelineMic()
    assert level() == pytest.approx(2 / 3) and len(opened) == 2  # the pipeline's own stream


def test_catalog_lists_piper_voices_under_the_state_dir(tmp_path):
    (tmp_path / "b.onnx").write_bytes(b"")
    (tmp_path / "a" / "c.onnx").parent.mkdir()
    (tmp_path / "a" / "c.onnx").write_bytes(b"")
    catalog = scan_catalog(tmp_path)
    assert isinstance(catalog, VoiceCatalog) and catalog.available
    assert catalog.voices[1:] == [str(tmp_path / "a" / "c.onnx"), str(tmp_path / "b.onnx")]


def test_real_engines_on_virtual_audio_reach_listening(qloop, paths, virtual_audio):  # noqa: F811
    """The app with the real engines (openWakeWord, Silero, Whisper, Piper, sounddevice) on
    a private PulseAudio: voice wake on in the config → the microphone opens → listening."""
    write_config(paths, '{voice: {wake: {enabled: true}}}')
    apps = Apps(paths)

    async def go() -> None:
        async with apps:
            app = await connected(apps(voice_engines=None))
            await until(lambda: app.voice.stage == "listening", timeout=90, what="real engines listening")
            assert app.tray.state is TrayState.LISTENING
            mic = app.voice.runtime.pipeline.engines.mic
            await until(lambda: mic.active, what="microphone stream running")

    run(qloop, go(), timeout=150)


@pytest.mark.parametrize(("stage", "facts", "expected"), [
    ("starting", {}, TrayVoice("thinking", "loading the speech models…")),
    ("listening", {"talk": True}, TrayVoice("listening", "talk mode")),
    ("capturing", {}, TrayVoice("listening")),
    ("transcribing", {}, TrayVoice("thinking")),
    ("speaking", {}, TrayVoice("speaking")),
    ("paused", {}, TrayVoice("idle", "paused")),
    ("device_missing", {"problems": {"input": "no microphone"}}, TrayVoice("idle", None, "no microphone")),
    ("listening", {"problems": {"output": "no speaker"}}, TrayVoice("listening", None, "no speaker")),
    ("stopped", {"running": False, "failure": "the voice settings are invalid: x"},
     TrayVoice("idle", None, "the voice settings are invalid: x")),
    ("stopped", {"running": False, "failure": "the voice settings are invalid: x", "wanted": False},
     TrayVoice("idle")),  # nothing asks for voice any more: no attention
    ("stopped", {"running": False, "failure": VOICE_INSTALL_HINT + "."}, TrayVoice("idle", "not installed")),
])
def test_tray_voice_view(stage, facts, expected):
    args = {"running": True, "failure": None, "problems": {}, "talk": False, "wanted": True} | facts
    assert tray_voice(stage, **args) == expected


def test_engine_key_covers_what_needs_a_rebuild():
    base = {"silence_timeout_ms": 700, "wake": {"enabled": True, "phrase": "hey jarvis"}}
    assert engine_key(base) == engine_key({**base, "silence_timeout_ms": 900, "chimes": False})  # applied live
    for change in ({"input_device": "USB"}, {"tts_voice": "/v.onnx"}, {"wake": {"phrase": "alexa"}},
                   {"wake": {"phrase": "hey jarvis", "threshold": 0.7}}):
        assert engine_key(base) != engine_key({**base, **change}), change
    assert device_missing_bubble("input", "the microphone stopped delivering audio") == (
        "No microphone", "The microphone stopped delivering audio. Voice listens again as soon as one is back.")
