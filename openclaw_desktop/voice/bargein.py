"""Barge-in decision during playback (sans-I/O).

While the pipeline speaks, every 80 ms microphone frame goes through the echo canceller
(which removes the pipeline's own voice using what it played as the reference) and the
VAD. ``frames_needed`` consecutive speech frames on that cleaned signal mean the user is
talking over the reply: stop. With the default of two frames the decision falls 160 ms
after speech starts; with one more frame of capture latency and an immediate
``AudioOutput.stop()`` playback is silent well within the 300 ms target.

A short ``holdoff_frames`` at the start of playback ignores the echo canceller's
adaptation when the room changes. Must not import asyncio, Qt or any engine library.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class BargeInDetector:
    """Feed one speech probability per frame with whether a reply is being spoken."""

    frames_needed: int = 2
    threshold: float = 0.6
    holdoff_frames: int = 0
    """Frames at the start of playback that cannot trigger barge-in."""
    _run: int = 0
    _playing_frames: int = 0
    _fired: bool = False

    def __post_init__(self) -> None:
        if self.frames_needed < 1:
            raise ValueError("frames_needed must be at least 1")

    def update(self, prob: float, *, playing: bool) -> bool:
        """True exactly once, on the frame that completes the run of speech frames."""
        if not playing:
            self.reset()
            return False
        self._playing_frames += 1
        if self._fired or self._playing_frames <= self.holdoff_frames:
            return False
        self._run = self._run + 1 if prob >= self.threshold else 0
        if self._run >= self.frames_needed:
            self._fired = True
            return True
        return False

    @property
    def speech_frames(self) -> int:
        """The current run of speech frames."""
        return self._run

    def reset(self) -> None:
        """Playback ended: start over."""
        self._run = self._playing_frames = 0
        self._fired = False
