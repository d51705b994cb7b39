"""The config document's ``voice`` section: defaults, values and clear errors."""

from __future__ import annotations

import pytest

from openclaw_desktop.errors import ConfigError
from openclaw_desktop.voice.settings import (
    VoiceSettings,
    WakeSettings,
    parse_voice_settings,
)


def test_defaults_when_the_section_is_absent():
    assert parse_voice_settings("c.json", {}) == VoiceSettings()
    s = VoiceSettings()
    assert (s.wake.phrase, s.wake.enabled, s.silence_timeout_ms, s.max_utterance_ms, s.chimes) == \
        ("hey jarvis", False, 700, 120_000, True)


def test_every_key_the_settings_window_writes():
    doc = {"voice": {
        "wake": {"enabled": True, "phrase": " Hey Mycroft ", "threshold": 0.7, "patience": 3,
                 "model": "/m/x.onnx", "confirm": False, "transcript_triggers": False},
        "input_device": "USB Mic", "output_device": 2, "tts_voice": "/v/en.onnx", "stt_model": "/w/small",
        "silence_timeout_ms": 900, "no_speech_timeout_ms": 4000, "max_utterance_ms": 60000, "chimes": False,
        "talk_mode": True, "talk_timeout_ms": 5000, "barge_in": False, "barge_in_frames": 3,
        "vad_threshold": 0.6, "session_key": "agent:main:voice",
    }}
    assert parse_voice_settings("c.json", doc) == VoiceSettings(
        wake=WakeSettings(True, "Hey Mycroft", 0.7, 3, "/m/x.onnx", False, False),
        input_device="USB Mic", output_device=2, tts_voice="/v/en.onnx", stt_model="/w/small",
        silence_timeout_ms=900, no_speech_timeout_ms=4000, max_utterance_ms=60000, chimes=False, talk_mode=True,
        talk_timeout_ms=5000, barge_in=False, barge_in_frames=3, vad_threshold=0.6, session_key="agent:main:voice")


@pytest.mark.parametrize(("voice", "value"), [
    ({"input_device": "System Default"}, None),
    ({"input_device": "default"}, None),
    ({"input_device": ""}, None),
    ({"tts_voice": "  "}, None),  # empty path = the bundled voice
    ({"output_device": 0}, 0),
])
def test_lenient_spellings(voice, value):
    key = next(iter(voice))
    assert getattr(parse_voice_settings("c.json", {"voice": voice}), key) is value


@pytest.mark.parametrize(("voice", "key", "problem"), [
    ("on", "voice", "must be an object"),
    ({"wake": True}, "voice.wake", "must be an object"),
    ({"wake": {"enabled": "yes"}}, "voice.wake.enabled", "must be a boolean, got a string"),
    ({"wake": {"threshold": 1.5}}, "voice.wake.threshold", "greater than 0 and less than 1"),
    ({"wake": {"threshold": True}}, "voice.wake.threshold", "must be an integer or a number, got a boolean"),
    ({"wake": {"patience": 0}}, "voice.wake.patience", "between 1 and 25"),
    ({"wake": {"phrase": ""}}, "voice.wake.phrase", "must not be empty"),
    ({"silence_timeout_ms": 50}, "voice.silence_timeout_ms", "between 100 and 10000"),
    ({"silence_timeout_ms": 700.5}, "voice.silence_timeout_ms", "must be an integer, got a number"),
    ({"max_utterance_ms": 1000, "silence_timeout_ms": 2000}, "voice.max_utterance_ms", "longer than"),
    ({"input_device": -1}, "voice.input_device", "index >= 0"),
    ({"output_device": [1]}, "voice.output_device", "must be a string or an integer, got an array"),
    ({"chimes": 1}, "voice.chimes", "must be a boolean"),
    ({"barge_in_frames": 20}, "voice.barge_in_frames", "between 1 and 12"),
])
def test_bad_values_name_the_file_the_key_and_the_problem(voice, key, problem):
    with pytest.raises(ConfigError) as caught:
        parse_voice_settings("/home/u/.openclaw/openclaw.json", {"voice": voice})
    assert caught.value.key == key and problem in caught.value.problem
    assert str(caught.value).startswith("config error in /home/u/.openclaw/openclaw.json at key")
