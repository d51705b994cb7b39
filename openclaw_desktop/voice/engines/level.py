"""Input level meter: RMS of the last few audio frames (the Settings tab's mic bar).

Pure numpy, fed from the audio thread and read from any thread (a float read is atomic
in CPython). Must not import any engine library, Qt or asyncio.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np


class LevelMeter:
    """RMS over the last ``window_frames`` frames of int16 audio, as 0..1 and dBFS."""

    def __init__(self, window_frames: int = 3) -> None:
        if window_frames < 1:
            raise ValueError("window_frames must be at least 1")
        self._energy: deque[tuple[float, int]] = deque(maxlen=window_frames)
        self.rms = 0.0
        """RMS of the window, 0 (silence) .. 1 (full-scale square wave)."""

    def feed(self, frame: np.ndarray) -> None:
        """Add one frame of int16 samples."""
        if frame.size == 0:
            return
        x = frame.astype(np.float64) / 32768.0
        self._energy.append((float(np.dot(x, x)), int(x.size)))
        total = sum(e for e, _ in self._energy)
        count = sum(n for _, n in self._energy)
        self.rms = math.sqrt(total / count)

    @property
    def dbfs(self) -> float:
        """The level in dB relative to full scale; -120 for digital silence."""
        return 20 * math.log10(self.rms) if self.rms > 1e-6 else -120.0

    def reset(self) -> None:
        """Back to silence."""
        self._energy.clear()
        self.rms = 0.0
