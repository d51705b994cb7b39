"""Silero VAD (the model bundled with faster-whisper) on generated speech."""

from __future__ import annotations

import numpy as np
import pytest

from openclaw_desktop.voice.engines.vad_silero import (
    SileroSpeechDetector,
    bundled_model_path,
)
from tests.voice import speech


@pytest.fixture(scope="module")
def vad() -> SileroSpeechDetector:
    return SileroSpeechDetector()


def test_model_is_the_one_inside_faster_whisper():
    path = bundled_model_path()
    assert path.name == "silero_vad_v6.onnx" and "faster_whisper" in path.parts


def test_finds_speech_boundaries(vad, tts):
    first = speech.piper(tts, "Set a timer for ten minutes.")
    second = speech.espeak("and then remind me to stretch", voice="en-us+f2")
    clip = np.concatenate((speech.silence(1.0), first, speech.silence(1.5), second, speech.silence(1.0)))
    spans = vad.speech_segments(clip)
    # Merge gaps shorter than 300 ms (pauses between words), as an endpointer would.
    merged: list[list[float]] = []
    for start, end in spans:
        if merged and start - merged[-1][1] < 0.3:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    assert len(merged) == 2, spans
    t1 = 1.0 + first.size / 16000
    t2 = t1 + 1.5
    (s1, e1), (s2, e2) = merged
    assert abs(s1 - 1.0) < 0.3 and abs(e1 - t1) < 0.4
    assert abs(s2 - t2) < 0.3 and abs(e2 - (t2 + second.size / 16000)) < 0.4


def test_silence_and_noise_score_low(vad):
    vad.reset()
    assert max(vad.probability(f) for f in speech.frames(speech.silence(1.0))) < 0.1
    hiss = np.random.default_rng(3).normal(0, 300, 16000 * 2).astype(np.int16)
    vad.reset()
    assert np.mean([vad.probability(f) for f in speech.frames(hiss)]) < 0.2


def test_streams_any_frame_size(vad, tts):
    """Frames need not be whole 512-sample windows: leftovers carry over."""
    clip = speech.with_silence(speech.piper(tts, "Hello there."), 0.5, 0.5)
    vad.reset()
    probs = [vad.probability(clip[i:i + 1000]) for i in range(0, clip.size - 1000, 1000)]
    assert max(probs) > 0.8 and probs[0] < 0.1
    with pytest.raises(TypeError):
        vad.probability(np.zeros(1280, dtype=np.float32))
