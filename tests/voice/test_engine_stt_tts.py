"""Piper TTS and faster-whisper STT with the bundled models: Whisper hears what Piper says."""

from __future__ import annotations

import numpy as np
import pytest

from openclaw_desktop.voice.engines.stt_whisper import (
    WhisperTranscriber,
    default_model_path,
)
from openclaw_desktop.voice.engines.tts_piper import (
    PiperSynthesizer,
    default_voice_path,
)
from tests.voice import speech
from tests.voice.engine_fixtures import word_recall, words

COMMANDS = [
    "What is the weather in Paris tomorrow?",
    "Open the calendar and add a meeting with Alice.",
    "Set a timer for ten minutes.",
]


def test_piper_voice_output_format(tts):
    assert tts.voice_path == default_voice_path()
    assert tts.sample_rate == 22050
    audio = tts.synthesize("Hello there. I am your assistant.")
    assert audio.dtype == np.int16 and audio.ndim == 1
    assert 1.0 < audio.size / tts.sample_rate < 5.0
    # Volume 0.8: each sentence peaks at 80 % of full scale, leaving room for resampling.
    assert 0.7 * 32767 < np.abs(audio).max() <= 0.81 * 32767
    sentences = list(tts.synthesize_sentences("Hello there. I am your assistant. How can I help?"))
    assert len(sentences) == 3
    assert tts.synthesize("").size == 0


def test_other_voice_by_path_and_bad_paths(tmp_path):
    same = PiperSynthesizer(str(default_voice_path()), length_scale=1.2)
    assert same.sample_rate == 22050
    with pytest.raises(ValueError, match="does not exist"):
        PiperSynthesizer(tmp_path / "nope.onnx")
    lonely = tmp_path / "voice.onnx"
    lonely.write_bytes(b"x")
    with pytest.raises(ValueError, match="no config"):
        PiperSynthesizer(lonely)


@pytest.mark.parametrize("text", COMMANDS)
def test_whisper_transcribes_piper(tts, stt, text):
    audio = speech.with_silence(speech.piper(tts, text), 0.5, 0.7)
    heard = stt.transcribe(audio)
    assert word_recall(text, heard.text) >= 0.85, (text, heard.text)
    assert heard.language == "en"
    assert heard.duration_s == pytest.approx(audio.size / 16000)


def test_whisper_transcribes_espeak(stt):
    heard = stt.transcribe(speech.with_silence(speech.espeak("please turn off the lights", speed=140)))
    assert word_recall("please turn off the lights", heard.text) >= 0.8, heard.text


def test_silence_and_noise_give_no_text(stt):
    """The VAD filter stops Whisper from hallucinating text in silence or hiss."""
    assert stt.transcribe(speech.silence(2.0)).text == ""
    noise = (np.random.default_rng(1).normal(0, 150, 32000)).astype(np.int16)
    assert words(stt.transcribe(noise).text) == []
    assert stt.transcribe(np.zeros(0, dtype=np.int16)).text == ""


def test_model_by_path_and_bad_path(tmp_path):
    explicit = WhisperTranscriber(default_model_path(), beam_size=5, cpu_threads=1)
    assert explicit.model_path == default_model_path()
    with pytest.raises(ValueError, match="model.bin"):
        WhisperTranscriber(tmp_path)


def test_wake_phrase_hint_confirms_odd_voices_but_not_near_misses(stt, tts):
    """tiny.en writes espeak's "Jarvis" as "Jara", "darwis", …; with the wake phrase as a
    hotword it hears "Jarvis", and still hears "Travis" and "Charles" as themselves."""
    for voice, speed in (("en-us", 130), ("en-us+f3", 150), ("en-us+m3", 175)):
        clip = speech.with_silence(speech.espeak("hey jarvis", voice=voice, speed=speed), 0.3, 0.3)
        assert "jarvis" in words(stt.transcribe(clip, hint="Hey Jarvis").text), voice
    for text in ("Hey Travis.", "Hey Charles, are you coming to lunch?"):
        for clip in (speech.piper(tts, text), speech.espeak(text)):
            heard = stt.transcribe(speech.with_silence(clip, 0.3, 0.3), hint="Hey Jarvis").text
            assert "jarvis" not in words(heard), heard


def test_short_context_keeps_long_and_short_speech(tts, stt):
    """The encoder window is trimmed to the speech (+2 s, at least 10 s): a 1 s command and
    speech longer than 10 s and longer than Whisper's 30 s window come out whole."""
    assert word_recall("Turn off the lights.", stt.transcribe(
        speech.with_silence(speech.piper(tts, "Turn off the lights."), 0.2, 0.7)).text) == 1.0
    sentences = ["The meeting has been moved to Thursday afternoon.",
                 "My sister is coming to visit us next weekend.",
                 "Please remember to water the plants on the balcony.",
                 "Our flight to Lisbon leaves at seven in the morning.",
                 "The library has a great collection of old maps."]
    long_text = " ".join(sentences * 2)
    audio = np.concatenate([np.concatenate((speech.piper(tts, s), speech.silence(0.6))) for s in sentences * 2])
    assert audio.size / 16_000 > 30
    assert word_recall(long_text, stt.transcribe(audio).text) >= 0.9
    full = WhisperTranscriber(min_context_s=None)
    command = speech.with_silence(speech.piper(tts, COMMANDS[1]), 0.3, 0.7)
    assert words(full.transcribe(command).text) == words(stt.transcribe(command).text)
