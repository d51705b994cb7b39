"""The asyncio voice pipeline: microphone → wake → capture → transcript → reply → speaker.

:class:`VoicePipeline` is the pump. It opens the microphone (retrying every
``device_retry_s`` while it is missing, and reopening it when frames stop), takes the
frames the audio thread puts on a bounded :class:`FrameQueue` (drop oldest, counted) and
hands each to the :class:`~openclaw_desktop.voice.conversation.Conversation`, the state
machine that decides what they mean: wake word, command, barge-in. Turns run as tasks;
blocking engines (Whisper, Piper) run in an executor, so the pump never waits on them.

Everything is reported through ``on_event`` (:mod:`~openclaw_desktop.voice.events`);
a listener that raises is logged, never allowed to stop the pipeline. The run ends in
``finally`` with ``stopped``, and CancelledError is never swallowed. One ``run()`` per
instance; controls are called on the loop's thread. Must not import Qt or any engine
library (engines arrive as ports in :class:`PipelineEngines`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor

from openclaw_desktop.voice import events as ev
from openclaw_desktop.voice.chimes import ChimeSet
from openclaw_desktop.voice.conversation import Conversation
from openclaw_desktop.voice.events import ErrorCode, Stage, VoiceEvent
from openclaw_desktop.voice.frame_queue import FrameQueue, QueueClosed
from openclaw_desktop.voice.pipeline_config import (
    DEFAULT_OPTIONS,
    PipelineEngines,
    PipelineOptions,
)
from openclaw_desktop.voice.ports import AudioDeviceError, Responder
from openclaw_desktop.voice.settings import VoiceSettings
from openclaw_desktop.voice.turns import SORRY_NO_COMMAND

__all__ = ["SORRY_NO_COMMAND", "PipelineEngines", "PipelineOptions", "VoicePipeline"]

log = logging.getLogger(__name__)


class VoicePipeline:
    """See the module docstring."""

    def __init__(self, engines: PipelineEngines, responder: Responder, settings: VoiceSettings,
                 on_event: Callable[[VoiceEvent], None], *, triggers: Callable[[], Sequence[str]] = tuple,
                 chimes: ChimeSet | None = None, options: PipelineOptions = DEFAULT_OPTIONS,
                 executor: Executor | None = None) -> None:
        self.engines = engines
        self.on_event = on_event
        """Receives every event, on the loop's thread."""
        self.chimes = chimes
        self.options = options
        self.stage: Stage = Stage.STOPPED
        """The current stage, from the last event that set one."""
        self.queue = FrameQueue(options.queue_frames)
        self.conversation = Conversation(engines, responder, settings, self._emit, triggers=triggers,
                                         chimes=chimes, options=options, executor=executor, sleep=self._sleep)
        self._stopping = False
        self._stop_event = asyncio.Event()
        self._frame_error = False
        self._dropped_seen = 0

    @property
    def settings(self) -> VoiceSettings:
        return self.conversation.settings

    # ---- running ------------------------------------------------------------------------
    async def run(self) -> None:
        """Listen until :meth:`stop` (or cancellation); always ends with ``stopped``."""
        try:
            while not self._stopping:
                if not await self._open_input():
                    break
                try:
                    await self._pump()
                finally:
                    self.engines.mic.close()
        finally:
            self._stopping = True
            self.queue.close()
            try:
                await self.conversation.aclose()
            finally:
                self._emit(ev.Stopped())

    async def _open_input(self) -> bool:
        missing = self.stage is Stage.DEVICE_MISSING  # a stall was reported already
        while not self._stopping:
            try:
                self.engines.mic.open(self.queue.put)
            except AudioDeviceError as exc:
                if not missing:
                    self._emit(ev.DeviceMissing("input", str(exc), self.options.device_retry_s))
                missing = True
                await self._sleep(self.options.device_retry_s)
                continue
            if missing:
                self._emit(ev.DeviceReady("input"))
            self.queue.clear()
            self.conversation.start()
            return True
        return False

    async def _pump(self) -> None:
        while not self._stopping:
            try:
                async with asyncio.timeout(self.options.input_stall_s):
                    frame = await self.queue.get()
            except TimeoutError:
                self.conversation.reset()
                self._emit(ev.DeviceMissing("input", "the microphone stopped delivering audio",
                                            self.options.device_retry_s))
                return
            except QueueClosed:
                return
            if self.queue.dropped != self._dropped_seen:
                self._dropped_seen = self.queue.dropped
                self._emit(ev.FramesDropped(self.queue.dropped))
            try:
                self.conversation.on_frame(frame)
                self._frame_error = False
            except Exception as exc:  # an engine failing on a frame must not end listening
                if not self._frame_error:  # report once, not 12 times a second
                    log.exception("voice frame handling failed")
                    self._frame_error = True
                    self._emit(ev.PipelineError(ErrorCode.WAKE_FAILED, f"audio processing failed: {exc}"))
                    self.conversation.reset()
                    self.conversation.listen()

    async def _sleep(self, seconds: float) -> bool:
        """Wait, cut short by :meth:`stop`; False when stopping."""
        try:
            async with asyncio.timeout(seconds):
                await self._stop_event.wait()
        except TimeoutError:
            pass
        return not self._stopping

    def _emit(self, event: VoiceEvent) -> None:
        if event.stage is not None:
            self.stage = event.stage
        try:
            self.on_event(event)
        except Exception:  # a UI bug must not stop the voice pipeline
            log.exception("voice event listener failed on %s", event.type)

    # ---- controls -----------------------------------------------------------------------
    def stop(self) -> None:
        """End the run (it emits ``stopped`` when done)."""
        self._stopping = True
        self._stop_event.set()
        self.queue.close()

    def pause(self) -> None:
        """Stop listening and speaking until :meth:`resume` (the microphone stays open)."""
        if not self._stopping and self.stage is not Stage.DEVICE_MISSING:
            self.conversation.pause()
        else:
            self.conversation.paused = True  # applies when the microphone is back

    def resume(self) -> None:
        """Listen again after :meth:`pause`."""
        self.conversation.resume()

    def push_to_talk(self) -> bool:
        """Start capturing a command now, without the wake word (interrupts a reply).

        False when it cannot (stopping, paused, no microphone)."""
        if self._stopping or self.conversation.paused or self.stage is Stage.DEVICE_MISSING:
            return False
        self.conversation.push_to_talk()
        return True

    def release_push_to_talk(self) -> None:
        """The push-to-talk hotkey was released: the command ends here."""
        self.conversation.release_push_to_talk()

    def stop_speaking(self) -> None:
        """Stop the reply being spoken and listen again."""
        self.conversation.stop_speaking()

    def set_talk_mode(self, enabled: bool) -> None:
        """Talk mode on or off at run time (the overlay's X turns it off)."""
        self.conversation.set_talk_mode(enabled)

    def update_settings(self, settings: VoiceSettings) -> None:
        """Apply edited voice settings (from the next utterance on)."""
        self.conversation.update_settings(settings)
