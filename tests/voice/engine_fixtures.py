"""Real engines loaded once per test session (import the fixtures into a test module).

The models come from the installed PyPI packages (no hub). Loading all three takes about
1 s; CPU is scarce, so tests share these instances instead of loading their own.
"""

from __future__ import annotations

import re

import pytest

from openclaw_desktop.voice.engines.stt_whisper import WhisperTranscriber
from openclaw_desktop.voice.engines.tts_piper import PiperSynthesizer

_NUMBERS = {"1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "10": "ten"}


def words(text: str) -> list[str]:
    """Lower-case words without punctuation, small digits spelled out (for word matching)."""
    out = []
    for word in re.findall(r"[a-z0-9']+", text.lower()):
        out.append(_NUMBERS.get(word, word))
    return out


def word_recall(expected: str, heard: str) -> float:
    """Fraction of the expected words that were heard (order-insensitive)."""
    want, got = words(expected), words(heard)
    return sum(1 for w in want if w in got) / max(len(want), 1)


@pytest.fixture(scope="session")
def tts() -> PiperSynthesizer:
    """The bundled Piper joe voice."""
    return PiperSynthesizer()


@pytest.fixture(scope="session")
def stt() -> WhisperTranscriber:
    """The bundled Whisper tiny.en, int8, two threads."""
    return WhisperTranscriber()
