"""A bounded audio frame queue between the audio thread and the pipeline's event loop.

Overflow policy: **drop the oldest frame** and count it. Audio is real time: when the
loop falls behind, recent sound matters more than old sound, and the capture thread must
never block. ``put`` may be called from any thread; ``get`` is awaited on the loop.

Must not import Qt or any engine library.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque

import numpy as np


class QueueClosed(Exception):
    """``get`` on a closed, empty queue (the pipeline is stopping)."""


class FrameQueue:
    """Holds at most ``maxsize`` frames; ``dropped`` counts frames lost to overflow."""

    def __init__(self, maxsize: int = 64) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.dropped = 0
        self._frames: deque[np.ndarray] = deque()
        self._lock = threading.Lock()
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False

    def __len__(self) -> int:
        with self._lock:
            return len(self._frames)

    def put(self, frame: np.ndarray) -> None:
        """Append a frame (any thread); when full, the oldest frame is dropped first."""
        with self._lock:
            if self._closed:
                return
            if len(self._frames) >= self.maxsize:
                self._frames.popleft()
                self.dropped += 1
            self._frames.append(frame)
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            # Wake the loop once per waiting ``get`` rather than once per frame, so a
            # stalled loop does not pile up callbacks (the bound is the whole point).
            waiter.get_loop().call_soon_threadsafe(_release, waiter)

    def get_nowait(self) -> np.ndarray | None:
        """The oldest frame, or None when empty."""
        with self._lock:
            return self._frames.popleft() if self._frames else None

    async def get(self) -> np.ndarray:
        """Wait for and return the oldest frame. Cancellation leaves the queue intact.

        Raises :class:`QueueClosed` once the queue is closed and empty."""
        while True:
            with self._lock:
                if self._frames:
                    return self._frames.popleft()
                if self._closed:
                    raise QueueClosed("frame queue closed")
                waiter = self._waiter
                if waiter is None or waiter.done():
                    waiter = self._waiter = asyncio.get_running_loop().create_future()
            await waiter

    def close(self) -> None:
        """Wake a waiting ``get`` with :class:`QueueClosed`; later ``put`` calls are ignored."""
        with self._lock:
            self._closed = True
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            waiter.get_loop().call_soon_threadsafe(_release, waiter)

    def clear(self) -> int:
        """Drop everything queued (not counted as overflow); returns how many."""
        with self._lock:
            count = len(self._frames)
            self._frames.clear()
            return count


def _release(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
