"""A fixed-size history of int16 samples (the speaker's echo reference).

Pure numpy; the caller locks. Must not import any engine library, Qt or asyncio.
"""

from __future__ import annotations

import numpy as np


class SampleRing:
    """The last ``size`` samples written; older ones fall out."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self._buf = np.zeros(size, dtype=np.int16)
        self._end = 0  # write position; the newest sample sits just before it

    def write(self, samples: np.ndarray) -> None:
        """Append ``samples`` (only the newest ``size`` are kept)."""
        data = samples[-self._buf.size:].astype(np.int16, copy=False)
        n = data.size
        first = min(n, self._buf.size - self._end)
        self._buf[self._end:self._end + first] = data[:first]
        self._buf[: n - first] = data[first:]
        self._end = (self._end + n) % self._buf.size

    def last(self, count: int) -> np.ndarray:
        """The newest ``count`` samples, oldest first; zero-padded in front beyond ``size``."""
        ordered = np.concatenate((self._buf[self._end:], self._buf[:self._end]))
        if count <= ordered.size:
            return ordered[ordered.size - count:].copy()
        return np.concatenate((np.zeros(count - ordered.size, dtype=np.int16), ordered))

    def clear(self) -> None:
        """Back to silence."""
        self._buf[:] = 0
        self._end = 0
