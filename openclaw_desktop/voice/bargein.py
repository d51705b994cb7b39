"""Barge-in decision during playback (sans-I/O).

While the pipeline speaks, every 80 ms microphone frame goes through the echo canceller
(which removes the pipeline's own voice using what it played as the reference) and the
VAD. ``frames_needed`` consecutive speech frames on that cleaned signal mean the user is
talking over the reply: stop. With the default of two frames the decision falls 160 ms
after speech starts; with one more frame of capture latency and an immediate
``AudioOutput.stop()`` playback is silent well within the 300 ms target.

A short ``holdoff_frames`` at the start of playback ignores the echo canceller's
adaptation when the room changes. :class:`EchoPathMonitor` decides whether the cleaned
or the raw microphone signal is the one to listen to (headphones need no canceller).
Must not import asyncio, Qt or any engine library.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass

import numpy as np


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


class EchoPathMonitor:
    """Does the microphone hear the speaker at all? (sans-I/O)

    With headphones, or a microphone far from the speaker, there is no echo to cancel, and
    the echo canceller only gets in the way: not having learned an echo path, WebRTC's
    suppressor treats the user's voice during playback as possible echo and attenuates
    it (measured: VAD 0.9 on the raw frame, 0.2-0.3 after the canceller), which would
    make barge-in deaf. So while the pipeline plays, this tracks the median ratio of
    microphone energy to reference energy (the reference taken as the loudest of the last
    ``delay_frames``, since the echo arrives late) over ``window_frames``. Below
    ``audible_db`` the speaker is inaudible and the raw microphone frame is the better
    signal; until enough is known it is assumed audible (the canceller's side).
    """

    def __init__(self, *, window_frames: int = 50, delay_frames: int = 4, audible_db: float = -40.0,
                 min_frames: int = 3, silence: float = 1e-7) -> None:
        self.audible_ratio = 10 ** (audible_db / 10)
        self.min_frames = min_frames
        self.silence = silence
        self._refs: deque[float] = deque(maxlen=delay_frames)
        self._ratios: deque[float] = deque(maxlen=window_frames)

    def update(self, mic_energy: float, ref_energy: float) -> None:
        """One frame's mean-square energies (full scale 1.0) of microphone and reference."""
        self._refs.append(ref_energy)
        ref = max(self._refs)
        if ref > self.silence:  # only frames where something was playing say anything
            self._ratios.append(mic_energy / ref)

    @property
    def audible(self) -> bool:
        """True unless the microphone has been shown not to hear the speaker."""
        if len(self._ratios) < self.min_frames:
            return True
        return statistics.median(self._ratios) > self.audible_ratio

    def reset(self) -> None:
        """Another device: forget what was learned."""
        self._refs.clear()
        self._ratios.clear()


def energy(frame: np.ndarray) -> float:
    """Mean square of int16 audio, full scale 1.0 (0 for an empty frame)."""
    if frame.size == 0:
        return 0.0
    x = frame.astype(np.float32) / 32768.0
    return float(np.dot(x, x) / x.size)
