"""Speak a streaming reply sentence by sentence while it is still streaming.

:class:`Speech` takes the reply's text deltas, cuts them into sentences
(:mod:`~openclaw_desktop.voice.sentences`) and has a worker synthesise each one in an
executor and queue it on the speaker the moment it is ready: sentence 1 plays while the
model still writes sentence 3, and sentence 2 is synthesised while sentence 1 plays.
Events: ``reply_delta`` per delta, ``reply_done`` when the text ends, ``speaking_started``
per sentence handed to the speaker, ``speaking_stopped`` once playback drained.

Cancellation (barge-in, stop) propagates: the worker is cancelled with the reply (one
TaskGroup) and the caller stops the speaker. A missing speaker is reported through
``on_output_error`` and the text still streams. Must not import Qt or any engine library.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import numpy as np

from openclaw_desktop.voice.events import (
    ErrorCode,
    PipelineError,
    ReplyDelta,
    ReplyDone,
    SpeakingStarted,
    SpeakingStopped,
    VoiceEvent,
)
from openclaw_desktop.voice.ports import AudioDeviceError, AudioOutput, Synthesizer
from openclaw_desktop.voice.sentences import SentenceSplitter

log = logging.getLogger(__name__)

Blocking = Callable[..., Awaitable[Any]]
"""Runs a blocking engine call off the loop: ``await blocking(fn, *args)``."""


class Speech:
    """One reply (or one fixed sentence) from text to sound; see the module docstring."""

    def __init__(self, tts: Synthesizer, speaker: AudioOutput, emit: Callable[[VoiceEvent], None],
                 blocking: Blocking, *, on_first_audio: Callable[[], None] = lambda: None,
                 on_output_error: Callable[[AudioDeviceError], None] = lambda _e: None,
                 can_play: Callable[[], bool] = lambda: True, poll_s: float = 0.02) -> None:
        self.tts = tts
        self.speaker = speaker
        self.emit = emit
        self.blocking = blocking
        self.on_first_audio = on_first_audio
        self.on_output_error = on_output_error
        self.can_play = can_play
        """False while the speaker is known to be missing: skip synthesis altogether."""
        self.poll_s = poll_s
        self.text = ""
        """The reply text received so far."""
        self.streaming = False
        """True while reply text is still arriving."""
        self.sentences_played = 0

    async def reply(self, deltas: AsyncIterator[str]) -> str:
        """Stream ``deltas`` to text events and speech; returns the whole text.

        An error from ``deltas`` propagates once the sentences that did arrive have been
        spoken; cancellation stops at once (the caller silences the speaker).
        """
        sentences: asyncio.Queue[str | None] = asyncio.Queue()
        splitter = SentenceSplitter()
        failure: Exception | None = None
        self.streaming = True
        async with asyncio.TaskGroup() as tg:  # cancelling the reply cancels the worker too
            tg.create_task(self._speak_queued(sentences), name="voice speech worker")
            try:
                async for delta in deltas:
                    self.text += delta
                    self.emit(ReplyDelta(delta))
                    for sentence in splitter.feed(delta):
                        sentences.put_nowait(sentence)
                for sentence in splitter.flush():
                    sentences.put_nowait(sentence)
                self.streaming = False
                self.emit(ReplyDone(self.text))
            except Exception as exc:  # noqa: BLE001 - re-raised below, bare, not in an ExceptionGroup
                failure = exc
            finally:
                self.streaming = False
                sentences.put_nowait(None)
                # Close the stream now, not at garbage collection: the responder's cleanup
                # aborts the agent run when we leave early.
                aclose = getattr(deltas, "aclose", None)
                if aclose is not None:
                    await aclose()
        if failure is not None:
            raise failure
        return self.text

    async def say(self, text: str) -> None:
        """Speak one fixed sentence (the polite "didn't catch that") and wait for it."""
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        queue.put_nowait(text)
        queue.put_nowait(None)
        await self._speak_queued(queue)

    async def _speak_queued(self, queue: asyncio.Queue[str | None]) -> None:
        while (sentence := await queue.get()) is not None:
            if not self.can_play():
                continue
            try:
                audio = await self.blocking(self.tts.synthesize, sentence)
            except Exception as exc:  # one bad sentence must not end the reply
                log.exception("speech synthesis failed")
                self.emit(PipelineError(ErrorCode.TTS_FAILED, f"text to speech failed: {exc}"))
                continue
            if not self._play(np.asarray(audio)):
                continue
            if self.sentences_played == 0:
                self.on_first_audio()
            self.emit(SpeakingStarted(sentence, self.sentences_played))
            self.sentences_played += 1
        if self.sentences_played:
            while self.speaker.busy:
                await asyncio.sleep(self.poll_s)
            self.emit(SpeakingStopped("done"))

    def _play(self, audio: np.ndarray) -> bool:
        try:
            self.speaker.play(audio, self.tts.sample_rate)
        except AudioDeviceError as exc:
            self.on_output_error(exc)
            return False
        return True
