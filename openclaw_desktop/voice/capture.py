"""One utterance being recorded: its frames, its endpointer and what started it (sans-I/O).

The pipeline creates a :class:`Capture` when a command starts (wake word, trigger, push-
to-talk, talk mode, barge-in) and pushes each frame with its speech probability. The
``prefix`` is audio from before the start that belongs to the utterance: the wake segment
(transcribed together with the command, then the wake phrase is cut from the text) or
the frames that set off a barge-in. Once the endpointer reaches a final verdict the
capture keeps it and takes no more frames.

Must not import asyncio, Qt or any engine library.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from openclaw_desktop.voice.endpointing import EndpointConfig, Endpointer, Verdict
from openclaw_desktop.voice.events import WakeSource
from openclaw_desktop.voice.settings import VoiceSettings


def endpoint_config(settings: VoiceSettings, *, ignore_first_ms: int = 0,
                    no_speech_ms: int | None = None) -> EndpointConfig:
    """The endpointer's timings from the user's settings."""
    return EndpointConfig(silence_timeout_ms=settings.silence_timeout_ms,
                          no_speech_timeout_ms=no_speech_ms or settings.no_speech_timeout_ms,
                          max_ms=settings.max_utterance_ms, speech_threshold=settings.vad_threshold,
                          ignore_first_ms=ignore_first_ms)


class Capture:
    """Frames of one utterance until the endpointer decides it is over."""

    def __init__(self, source: WakeSource, config: EndpointConfig, *, prefix: Sequence[np.ndarray] = (),
                 speech_started: bool = False, wake_mentions: int = 1) -> None:
        self.source = source
        self.prefix = list(prefix)
        self.frames: list[np.ndarray] = []
        self.endpointer = Endpointer(config, speech_started=speech_started)
        self.verdict: Verdict | None = None
        """The final verdict once reached (None while the utterance goes on)."""
        self.wake_mentions = wake_mentions
        """How many times the wake phrase was heard in the prefix (the last one woke us)."""

    @property
    def started(self) -> bool:
        """Speech has begun."""
        return self.endpointer.started

    def push(self, frame: np.ndarray, prob: float) -> Verdict:
        """Add one frame; CONTINUE while the utterance goes on, then its final verdict."""
        if self.verdict is not None:
            return self.verdict
        self.frames.append(frame)
        verdict = self.endpointer.update(prob)
        if verdict is not Verdict.CONTINUE:
            self.verdict = verdict
        return verdict

    def finish(self) -> None:
        """End it now (push-to-talk released)."""
        if self.verdict is None:
            self.verdict = Verdict.END

    def audio(self) -> np.ndarray:
        """Prefix and frames as one array."""
        parts = self.prefix + self.frames
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
