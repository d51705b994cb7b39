"""The speaker as the pipeline sees it: chimes, and a missing device as a retried state.

When playing raises :class:`AudioDeviceError`, the guard reports ``device_missing``
(output) once and probes every ``retry_s`` by playing a few milliseconds of silence; when
that works again it reports ``device_ready``. Meanwhile nothing is synthesised or played
(replies still arrive as text). Must not import Qt or any engine library.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np

from openclaw_desktop.voice import events as ev
from openclaw_desktop.voice.chimes import ChimeSet
from openclaw_desktop.voice.ports import AudioDeviceError, AudioOutput

PROBE_SAMPLES = 160


class SpeakerGuard:
    """Wraps an :class:`AudioOutput`; see the module docstring."""

    def __init__(self, speaker: AudioOutput, emit: Callable[[ev.VoiceEvent], None], *, retry_s: float,
                 probe_rate: Callable[[], int], spawn: Callable[[Awaitable[Any], str], asyncio.Task[Any]],
                 sleep: Callable[[float], Awaitable[bool]]) -> None:
        self.speaker = speaker
        self.emit = emit
        self.retry_s = retry_s
        self.probe_rate = probe_rate
        """The rate to probe at (the voice's), so the reopened stream suits speech."""
        self._spawn = spawn
        self._sleep = sleep
        """Waits; False when the pipeline is stopping."""
        self.missing = False

    def chime(self, chimes: ChimeSet | None, name: str) -> int:
        """Play a chime; its length in ms, or 0 when it could not be played."""
        if chimes is None or self.missing:
            return 0
        chime = chimes.get(name)
        try:
            self.speaker.play(chime.audio, chime.sample_rate)
        except AudioDeviceError as exc:
            self.failed(exc)
            return 0
        self.emit(ev.Chime(name))
        return chime.duration_ms

    def failed(self, exc: AudioDeviceError) -> None:
        """Playing raised: report once and start probing."""
        if self.missing:
            return
        self.missing = True
        self.emit(ev.DeviceMissing("output", str(exc), self.retry_s))
        self._spawn(self._probe(), "voice speaker probe")

    def stop(self) -> None:
        """Silence the speaker; a vanished device is silent anyway."""
        try:
            self.speaker.stop()
        except AudioDeviceError:
            pass

    async def _probe(self) -> None:
        silence = np.zeros(PROBE_SAMPLES, dtype=np.int16)
        while self.missing:
            if not await self._sleep(self.retry_s):
                return
            try:
                self.speaker.play(silence, self.probe_rate())
            except AudioDeviceError:
                continue
            self.missing = False
            self.emit(ev.DeviceReady("output"))
