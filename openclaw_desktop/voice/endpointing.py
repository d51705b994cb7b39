"""End of utterance from per-frame speech probabilities (sans-I/O).

:class:`Endpointer` watches one command after a wake: it ends the utterance after
``silence_timeout_ms`` of trailing silence (700 ms by default), gives up politely when no
speech starts within ``no_speech_timeout_ms``, and stops hard at ``max_ms`` (120 s).
:class:`SpeechSegmenter` cuts idle listening into short speech segments, the input of
trigger-word spotting in transcripts.

Time is counted in frames (``frame_ms`` each), never read from a clock, so the same
probabilities always give the same verdicts. Hysteresis: a frame is speech at
``speech_threshold`` or above and silence below ``speech_threshold - 0.15``; in between it
keeps the previous state (Silero's convention), so one uncertain frame neither starts nor
ends speech.

Must not import asyncio, Qt or any engine library.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

FRAME_MS = 80
HYSTERESIS = 0.15


class Verdict(StrEnum):
    """What :meth:`Endpointer.update` decided for a frame."""

    CONTINUE = "continue"
    END = "end"
    """Speech happened and was followed by the silence timeout."""
    NO_SPEECH = "no_speech"
    """Nothing was said within the no-speech timeout."""
    MAX_LENGTH = "max_length"
    """The hard stop: the utterance is cut here."""


@dataclass(frozen=True)
class EndpointConfig:
    """Timings in milliseconds; probabilities 0..1."""

    silence_timeout_ms: int = 700
    no_speech_timeout_ms: int = 5_000
    max_ms: int = 120_000
    speech_threshold: float = 0.5
    min_speech_ms: int = 160
    """Consecutive speech that counts as the start of speech (a click or chime is shorter)."""
    ignore_first_ms: int = 0
    """Speech that ends within this leading stretch does not start the utterance (the wake
    word's own tail); speech that goes on past it does, counted from its beginning."""
    frame_ms: int = FRAME_MS


class _Hysteresis:
    def __init__(self, threshold: float) -> None:
        self.on, self.off = threshold, max(0.0, threshold - HYSTERESIS)
        self.speaking = False

    def update(self, prob: float) -> bool:
        if prob >= self.on:
            self.speaking = True
        elif prob < self.off:
            self.speaking = False
        return self.speaking


class Endpointer:
    """Feed one probability per frame to :meth:`update` until it returns a final verdict."""

    def __init__(self, config: EndpointConfig = EndpointConfig(), *, speech_started: bool = False) -> None:
        self.config = config
        self.elapsed_ms = 0
        self.started = speech_started
        """Speech has started (pass True when it is already under way, as after barge-in)."""
        self.speech_ms = 0
        self._run_ms = 0
        self._trailing_ms = 0
        self._vad = _Hysteresis(config.speech_threshold)
        self._vad.speaking = speech_started

    def update(self, prob: float) -> Verdict:
        """Account one frame; once a final verdict is returned, stop feeding."""
        c = self.config
        self.elapsed_ms += c.frame_ms
        speaking = self._vad.update(prob)
        if not self.started:
            if speaking:
                self._run_ms += c.frame_ms
                # Speech that is still going after the ignored stretch counts from its
                # start ("hey jarvis what…" spoken in one breath); speech that ended inside
                # it was the wake word's tail.
                if self._run_ms >= c.min_speech_ms and self.elapsed_ms > c.ignore_first_ms:
                    self.started, self.speech_ms = True, self._run_ms
            else:
                self._run_ms = 0
            if not self.started and self.elapsed_ms >= c.no_speech_timeout_ms:
                return Verdict.NO_SPEECH
        elif speaking:
            self.speech_ms += c.frame_ms
            self._trailing_ms = 0
        else:
            self._trailing_ms += c.frame_ms
            if self._trailing_ms >= c.silence_timeout_ms:
                return Verdict.END
        if self.elapsed_ms >= c.max_ms:
            return Verdict.MAX_LENGTH if self.started else Verdict.NO_SPEECH
        return Verdict.CONTINUE


@dataclass(frozen=True)
class Segment:
    """One short stretch of speech with a little audio before it."""

    audio: np.ndarray
    speech_ms: int


class SpeechSegmenter:
    """Collects frames into speech segments; :meth:`push` returns one when it ends.

    A segment starts after ``min_speech_ms`` of speech (with ``pre_roll_frames`` of audio
    before it, so the first syllable is kept) and ends after ``silence_timeout_ms`` of
    silence. Segments longer than ``max_segment_ms`` are dropped whole: long talk is not
    addressed to us, and transcribing it all would cost too much CPU.
    """

    def __init__(self, *, speech_threshold: float = 0.5, silence_timeout_ms: int = 700,
                 min_speech_ms: int = 160, max_segment_ms: int = 6_000, pre_roll_frames: int = 4,
                 frame_ms: int = FRAME_MS) -> None:
        self.silence_timeout_ms = silence_timeout_ms
        self.min_speech_ms = min_speech_ms
        self.max_segment_ms = max_segment_ms
        self.pre_roll_frames = pre_roll_frames
        self.frame_ms = frame_ms
        self.dropped_long = 0
        """Segments discarded for being longer than ``max_segment_ms``."""
        self._vad = _Hysteresis(speech_threshold)
        self.reset()

    def reset(self) -> None:
        """Forget any partial segment."""
        self._frames: list[np.ndarray] = []
        self._in_segment = False
        self._skipping = False
        self._run_ms = self._trailing_ms = self._speech_ms = 0
        self._vad.speaking = False

    @property
    def active(self) -> bool:
        """A segment (or a too-long one being skipped) is under way."""
        return self._in_segment or self._skipping

    def push(self, frame: np.ndarray, prob: float) -> Segment | None:
        """Add one frame with its speech probability; a finished segment or None."""
        speaking = self._vad.update(prob)
        if not self._in_segment and not self._skipping:
            self._frames.append(frame)
            if speaking:
                self._run_ms += self.frame_ms
                if self._run_ms >= self.min_speech_ms:
                    self._in_segment, self._trailing_ms, self._speech_ms = True, 0, self._run_ms
            else:
                self._run_ms = 0
            keep = self.pre_roll_frames + self._run_ms // self.frame_ms
            del self._frames[:-keep or len(self._frames)]
            return None
        if speaking:
            self._trailing_ms = 0
            self._speech_ms += self.frame_ms
        else:
            self._trailing_ms += self.frame_ms
        if self._skipping:
            if self._trailing_ms >= self.silence_timeout_ms:
                self.reset()
            return None
        self._frames.append(frame)
        if len(self._frames) * self.frame_ms > self.max_segment_ms:
            self.dropped_long += 1
            self._frames, self._in_segment, self._skipping = [], False, True
            return None
        if self._trailing_ms >= self.silence_timeout_ms:
            segment = Segment(np.concatenate(self._frames), self._speech_ms)
            self.reset()
            return segment
        return None
