"""The voice pipeline's ports: small protocols for each engine and audio device.

The pipeline (``voice/pipeline.py``) only talks to these. Each real adapter lives in one
module under ``voice/engines/`` and is the only importer of its heavy library
(openwakeword, faster_whisper, piper, sounddevice); unit tests pass hand-written fakes.

Audio convention everywhere: mono ``numpy.ndarray`` of ``int16`` samples. Capture is
16 kHz in frames of ``FRAME_SAMPLES`` (80 ms), the size openWakeWord wants. Blocking
engine calls (``transcribe``, ``synthesize``) are run by the pipeline in an executor, so
adapters may block; they must be safe to call from a worker thread.

Must not import Qt, asyncio adapters, or any engine library.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

SAMPLE_RATE = 16_000
"""Capture rate in Hz (what openWakeWord, Silero VAD and Whisper expect)."""
FRAME_SAMPLES = 1_280
"""One capture frame: 80 ms at 16 kHz."""


class AudioDeviceError(Exception):
    """A microphone or speaker is missing, unplugged or refused to open.

    ``kind`` is ``"input"`` or ``"output"``; the message names the device. The pipeline
    reports it as a state (never a crash) and retries while the device is absent.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class AudioInput(Protocol):
    """A microphone delivering 16 kHz mono int16 frames of ``FRAME_SAMPLES``."""

    def open(self, on_frame: Callable[[np.ndarray], None]) -> None:
        """Start capturing; ``on_frame`` is called from the audio thread for each frame.

        Raises :class:`AudioDeviceError` when the device is missing or busy.
        """

    def close(self) -> None:
        """Stop capturing; idempotent."""


class AudioOutput(Protocol):
    """A speaker. Playback is non-blocking; the pipeline polls or awaits completion."""

    def play(self, audio: np.ndarray, sample_rate: int) -> None:
        """Queue ``audio`` after whatever is already playing (sentence after sentence).

        Raises :class:`AudioDeviceError` when the device is missing.
        """

    def stop(self) -> None:
        """Stop at once and drop everything queued (barge-in); idempotent."""

    @property
    def busy(self) -> bool:
        """True while anything is playing or queued."""

    def reference(self, samples: int) -> np.ndarray:
        """The last ``samples`` played, resampled to 16 kHz (the echo reference for barge-in);
        zeros when silent."""


@dataclass(frozen=True)
class WakeHit:
    """A wake-word model fired: which phrase (model key), its score 0..1."""

    phrase: str
    score: float


class WakeDetector(Protocol):
    """Acoustic wake-word spotting over 80 ms frames (openWakeWord)."""

    def process(self, frame: np.ndarray) -> WakeHit | None:
        """Feed one frame; a hit when a phrase crosses threshold for ``patience`` frames."""

    def reset(self) -> None:
        """Forget buffered audio and scores (after a wake, so one phrase fires once)."""


class SpeechDetector(Protocol):
    """Voice activity: speech probability 0..1 for one 80 ms frame (Silero VAD)."""

    def probability(self, frame: np.ndarray) -> float: ...

    def reset(self) -> None: ...


@dataclass(frozen=True)
class Transcript:
    """What the recogniser heard; ``text`` stripped, ``duration_s`` of the input audio."""

    text: str
    duration_s: float
    language: str = "en"


class Transcriber(Protocol):
    """Speech to text (faster-whisper). Blocking; run in an executor."""

    def transcribe(self, audio: np.ndarray) -> Transcript: ...


class Synthesizer(Protocol):
    """Text to speech (Piper). Blocking; run in an executor."""

    @property
    def sample_rate(self) -> int: ...

    def synthesize(self, text: str) -> np.ndarray: ...


class EchoCanceller(Protocol):
    """Removes the pipeline's own playback from the microphone signal (barge-in on speakers).

    ``near`` is what the mic captured, ``far`` the reference of what was played over the
    same 80 ms; returns the cleaned frame. Stateful; ``reset`` between sessions.
    """

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray: ...

    def reset(self) -> None: ...


class Responder(Protocol):
    """Sends a transcript to the agent (main session) and streams the reply text back."""

    def reply(self, text: str) -> AsyncIterator[str]:
        """Yield reply text deltas as they arrive; raises on a gateway/agent error.

        Cancelling the iteration aborts the run (barge-in or stop)."""
