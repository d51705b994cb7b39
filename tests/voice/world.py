"""A running pipeline inside the fake world, and the test's hands on it.

``async with World(...) as w`` starts :class:`VoicePipeline` over the fakes and stops it
at the end; ``await w.say("hey", "jarvis", ...)`` feeds each word as three 80 ms frames,
``await w.until(predicate)`` feeds silence (advancing simulated playback) until the
pipeline gets there.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from typing import Self

from openclaw_desktop.voice.chimes import load_chimes
from openclaw_desktop.voice.pipeline import (
    PipelineEngines,
    PipelineOptions,
    VoicePipeline,
)
from openclaw_desktop.voice.settings import VoiceSettings, WakeSettings
from tests.voice.fakes import (
    FRAME_S,
    FakeEcho,
    FakeMic,
    FakeResponder,
    FakeSpeaker,
    FakeStt,
    FakeTts,
    FakeVad,
    FakeWake,
    Recorder,
    Vocabulary,
    echo_frame,
    frame_of,
)

FAST = PipelineOptions(device_retry_s=0.02, input_stall_s=2.0, playback_poll_s=0.005)


def settings(**changes: object) -> VoiceSettings:
    """Default settings, wake word on, with changes; ``wake_*`` keys go to the wake section."""
    wake = {"enabled": True} | {k.removeprefix("wake_"): v for k, v in changes.items() if k.startswith("wake_")}
    rest = {k: v for k, v in changes.items() if not k.startswith("wake_")}
    return dataclasses.replace(VoiceSettings(), wake=dataclasses.replace(WakeSettings(), **wake), **rest)


class World:
    def __init__(self, voice: VoiceSettings | None = None, *, echo: bool = True, acoustic: bool = True,
                 triggers: Sequence[str] = (), options: PipelineOptions = FAST, headphones: bool = False) -> None:
        self.vocab = Vocabulary()
        self.mic = FakeMic()
        self.speaker = FakeSpeaker()
        self.wake = FakeWake(self.vocab, {"jarvis": 0.99, "travis": 0.91})
        self.vad = FakeVad()
        self.stt = FakeStt(self.vocab)
        self.tts = FakeTts()
        self.echo = FakeEcho(muffles=headphones) if echo else None
        self.headphones = headphones
        """The microphone does not hear the speaker (and the canceller muffles the user)."""
        self.responder = FakeResponder()
        self.events = Recorder()
        self.triggers: list[str] = list(triggers)
        self.frame_no = 0
        self.stop_frames: list[int] = []  # frame numbers at which the speaker was stopped
        original_stop = self.speaker.stop

        def stop() -> None:
            self.stop_frames.append(self.frame_no)
            original_stop()

        self.speaker.stop = stop  # type: ignore[method-assign]
        engines = PipelineEngines(self.mic, self.speaker, self.vad, self.stt, self.tts,
                                  self.wake if acoustic else None, self.echo)
        self.pipeline = VoicePipeline(engines, self.responder, voice or settings(), self.events,
                                      triggers=lambda: self.triggers, chimes=load_chimes(), options=options)
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self.task = asyncio.create_task(self.pipeline.run())
        await self.wait(lambda: self.mic.on_frame is not None or self.events.count("device_missing") > 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.pipeline.stop()
        assert self.task is not None
        await asyncio.wait_for(self.task, 5)

    # ---- feeding ------------------------------------------------------------------------
    async def step(self, code: int = 0) -> None:
        """One 80 ms frame: playback advances; a silent mic hears our own playback."""
        self.frame_no += 1
        self.speaker.advance(FRAME_S)
        heard = echo_frame() if code == 0 and self.speaker.busy and not self.headphones else frame_of(code)
        if self.mic.on_frame is not None:
            self.mic.on_frame(heard)
        await asyncio.sleep(0.002)

    async def say(self, *words: str, frames: int = 3) -> None:
        for word in words:
            for _ in range(frames):
                await self.step(self.vocab.code(word))

    async def silence(self, frames: int) -> None:
        for _ in range(frames):
            await self.step()

    async def until(self, predicate: Callable[[], bool], max_frames: int = 600) -> None:
        """Feed silence until ``predicate()`` holds."""
        for _ in range(max_frames):
            if predicate():
                return
            await self.step()
        raise AssertionError(f"not reached after {max_frames} frames; events: {self.events.types()}")

    async def until_event(self, type_name: str, count: int = 1, max_frames: int = 600) -> None:
        await self.until(lambda: self.events.count(type_name) >= count, max_frames)

    async def wait(self, predicate: Callable[[], bool], timeout_s: float = 5.0) -> None:
        """Wait without feeding frames (for what happens off the audio path)."""
        async with asyncio.timeout(timeout_s):
            while not predicate():
                await asyncio.sleep(0.002)

    def spoken(self, n: int = 1) -> Callable[[], bool]:
        """A gate: true once ``n`` sentences started playing."""
        return lambda: self.events.count("speaking_started") >= n


class FakeEngines:
    """What ``voice.engines.build_engines`` returns, made of the world's fakes."""

    def __init__(self, world: World) -> None:
        self.mic, self.speaker, self.vad = world.mic, world.speaker, world.vad
        self.stt, self.tts, self.wake, self.echo = world.stt, world.tts, world.wake, world.echo
        self.closed = 0

    def close(self) -> None:
        self.closed += 1
