"""What the microphone frames mean: the voice pipeline's state machine.

:class:`Conversation` gets every (echo-cancelled) 80 ms frame from the pipeline's pump
and acts by mode: while idle the wake-word model and trigger-word spotting listen; after
an acoustic hit the wake segment is checked in the transcript while the command is
already being recorded; a command ends at the endpointer's verdict and becomes a turn
task (:mod:`~openclaw_desktop.voice.turns`); while a reply plays, the barge-in detector
listens. After a reply, talk mode listens for the next command without the wake word.

The frame handler only does per-frame work; recognition and synthesis run in an
executor from tasks this class owns and cancels. Must not import Qt or any engine library.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor
from enum import Enum, auto
from typing import Any

import numpy as np

from openclaw_desktop.voice import events as ev
from openclaw_desktop.voice.bargein import BargeInDetector, EchoPathMonitor, energy
from openclaw_desktop.voice.capture import Capture, endpoint_config
from openclaw_desktop.voice.chimes import ChimeSet
from openclaw_desktop.voice.endpointing import SpeechSegmenter, Verdict
from openclaw_desktop.voice.events import ErrorCode, VoiceEvent, WakeSource
from openclaw_desktop.voice.pipeline_config import PipelineEngines, PipelineOptions
from openclaw_desktop.voice.ports import Responder, WakeHit
from openclaw_desktop.voice.settings import VoiceSettings
from openclaw_desktop.voice.speaker_guard import SpeakerGuard
from openclaw_desktop.voice.speaking import Speech
from openclaw_desktop.voice.turns import SORRY_NO_COMMAND, Turns
from openclaw_desktop.voice.wake_confirm import (
    find_all,
    match_trigger,
    same_phrase,
    text_after,
)

log = logging.getLogger(__name__)

WAKE_TAIL_MS = 320
"""After a wake hit, speech that ends this soon is the wake word's own tail."""


class Mode(Enum):
    """What the frame handler does with the next frame."""

    IDLE = auto()  # wake word and trigger spotting
    CONFIRMING = auto()  # acoustic hit being checked in the transcript; capture runs meanwhile
    CAPTURING = auto()  # a command is being recorded
    TALK_WAIT = auto()  # talk mode: waiting for the next command, no wake word needed
    BUSY = auto()  # transcribing / thinking: frames only fill the pre-roll
    SPEAKING = auto()  # a reply plays: barge-in watch
    PAUSED = auto()


class Conversation:
    """See the module docstring. Everything runs on the loop's thread."""

    def __init__(self, engines: PipelineEngines, responder: Responder, settings: VoiceSettings,
                 emit: Callable[[VoiceEvent], None], *, triggers: Callable[[], Sequence[str]],
                 chimes: ChimeSet | None, options: PipelineOptions, executor: Executor | None,
                 sleep: Callable[[float], Awaitable[bool]]) -> None:
        self.engines = engines
        self.settings = settings
        self.emit = emit
        self.triggers = triggers
        self.chimes = chimes
        self.options = options
        self.executor = executor
        self.talk_mode = settings.talk_mode
        self.speaker = SpeakerGuard(engines.speaker, emit, retry_s=options.device_retry_s,
                                    probe_rate=lambda: engines.tts.sample_rate, spawn=self._spawn, sleep=sleep)
        self.turns = Turns(stt=engines.stt, responder=responder, emit=emit, blocking=self._blocking,
                           speech=self._new_speech, chime=self._chime, wake_phrase=lambda: self.settings.wake.phrase)
        self.mode = Mode.IDLE
        self.paused = False
        self._recent: deque[np.ndarray] = deque(maxlen=options.wake_segment_frames + 24)
        self._segmenter = self._new_segmenter()
        self._barge = self._new_barge_in()
        self._echo_path = EchoPathMonitor()
        self._capture: Capture | None = None
        self._confirm_in = 0  # frames until the wake segment goes to the recogniser
        self._hit: WakeHit | None = None
        self._turn: asyncio.Task[None] | None = None
        self._speech: Speech | None = None
        self._trigger_check: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # ---- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        """The microphone is open: listen (or show that we are paused)."""
        if self.paused:
            self.mode = Mode.PAUSED
            self.emit(ev.Paused())
        else:
            self.listen()

    def reset(self) -> None:
        """Drop whatever was going on (the microphone went away, or a frame failed)."""
        self.abandon()
        self._recent.clear()

    async def aclose(self) -> None:
        """Cancel every task (turn, checks, probes) and silence the speaker."""
        tasks = [t for t in self._tasks if not t.done()]
        self._turn = self._trigger_check = None
        for task in tasks:
            task.cancel()
        try:
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self.speaker.stop()

    # ---- controls -----------------------------------------------------------------------
    def pause(self) -> None:
        """Stop listening and speaking until :meth:`resume`."""
        if self.paused:
            return
        self.paused = True
        self.reset()
        self.mode = Mode.PAUSED
        self.emit(ev.Paused())

    def resume(self) -> None:
        """Listen again after :meth:`pause`."""
        if self.paused:
            self.paused = False
            if self.mode is Mode.PAUSED:
                self.listen()

    def push_to_talk(self) -> None:
        """Start capturing a command now, without the wake word (interrupts a reply)."""
        capture = self._capture
        if self.mode is Mode.CAPTURING and capture and capture.source is WakeSource.PUSH_TO_TALK:
            return
        self.abandon()
        self.emit(ev.WakeDetected(WakeSource.PUSH_TO_TALK))
        self._begin_capture(WakeSource.PUSH_TO_TALK, ignore_first_ms=self._chime("wake"))

    def release_push_to_talk(self) -> None:
        """The hotkey was released: the command ends here."""
        capture = self._capture
        if self.mode is Mode.CAPTURING and capture and capture.source is WakeSource.PUSH_TO_TALK:
            capture.finish()
            self._end_capture(capture)

    def stop_speaking(self) -> None:
        """Stop the reply being spoken (the overlay's double-click) and listen again."""
        if self.mode in (Mode.SPEAKING, Mode.BUSY):
            self.abandon()
            self._after_turn(replied=True)

    def set_talk_mode(self, enabled: bool) -> None:
        """Turn talk mode on or off (off while waiting returns to the wake word).

        On while idle starts it now: the next command needs no wake word (the tray's
        Talk mode). During a turn it applies when the turn ends."""
        self.talk_mode = enabled
        if enabled and self.mode is Mode.IDLE and not self.paused:
            self.listen(talk=True)
            return
        capture = self._capture
        waiting = self.mode is Mode.TALK_WAIT or (self.mode is Mode.CAPTURING and capture is not None
                                                  and capture.source is WakeSource.TALK_MODE)
        if not enabled and waiting:
            self.emit(ev.TalkModeEnded("exit"))
            self.listen()

    def update_settings(self, settings: VoiceSettings) -> None:
        """Apply edited settings; timings apply from the next utterance."""
        self.settings = settings
        self.talk_mode = settings.talk_mode
        self._segmenter = self._new_segmenter()
        self._barge = self._new_barge_in()

    # ---- frames -------------------------------------------------------------------------
    def on_frame(self, raw: np.ndarray) -> None:
        """One 80 ms microphone frame (may raise when an engine fails on it)."""
        if self.mode is Mode.PAUSED:
            return  # paused audio is not kept, not even as pre-roll
        frame = raw
        if self.engines.echo is not None:
            far = self.engines.speaker.reference(raw.size)
            cleaned = self.engines.echo.process(raw, far)  # always: the canceller stays converged
            self._echo_path.update(energy(raw), energy(far))
            # Without an audible echo (headphones) the canceller would only muffle the user.
            frame = cleaned if self._echo_path.audible else raw
        self._recent.append(frame)
        if self.options.levels:
            self._emit_level(frame)
        mode = self.mode
        if mode is Mode.IDLE:
            self._idle_frame(frame)
        elif mode in (Mode.CONFIRMING, Mode.CAPTURING, Mode.TALK_WAIT):
            self._capture_frame(frame)
        elif mode is Mode.SPEAKING and self.settings.barge_in \
                and self._barge.update(self.engines.vad.probability(frame), playing=True):
            self._barge_in()

    def _idle_frame(self, frame: np.ndarray) -> None:
        if not self.settings.wake.enabled:
            return  # no passive listening at all; push-to-talk still works
        wake = self.engines.wake
        if wake is not None:
            hit = wake.process(frame)
            if hit is not None:
                self._on_wake_hit(hit)
                return
        if not self.settings.wake.transcript_triggers or not self._spotted_triggers():
            return
        segment = self._segmenter.push(frame, self.engines.vad.probability(frame))
        if segment is not None and (self._trigger_check is None or self._trigger_check.done()):
            # One check at a time: while Whisper is busy, further segments are skipped.
            self._trigger_check = self._spawn(self._check_trigger(segment.audio), "voice trigger check")

    def _capture_frame(self, frame: np.ndarray) -> None:
        capture = self._capture
        assert capture is not None
        was_started = capture.started
        verdict = capture.verdict or capture.push(frame, self.engines.vad.probability(frame))
        if self.mode is Mode.CONFIRMING:
            self._confirm_in -= 1
            if self._confirm_in == 0:
                self._spawn(self._confirm(capture.audio()), "voice wake confirm")
            return  # an ended utterance waits for the confirmation
        if self.mode is Mode.TALK_WAIT and capture.started and not was_started:
            self.mode = Mode.CAPTURING
            self.emit(ev.Capturing())
        if verdict is not Verdict.CONTINUE:
            self._end_capture(capture)

    # ---- wake ---------------------------------------------------------------------------
    def _spotted_triggers(self) -> list[str]:
        phrase, acoustic = self.settings.wake.phrase, self.engines.wake is not None
        # A trigger the acoustic model already covers is not transcribed twice.
        return [t for t in self.triggers() if not (acoustic and same_phrase(t, phrase))]

    def _on_wake_hit(self, hit: WakeHit) -> None:
        if self.engines.wake is not None:
            self.engines.wake.reset()  # one phrase fires once
        self._hit = hit
        segment = list(self._recent)[-self.options.wake_segment_frames:]
        self.engines.vad.reset()
        self._capture = Capture(WakeSource.WAKE_WORD, endpoint_config(self.settings, ignore_first_ms=WAKE_TAIL_MS),
                                prefix=segment)
        if self.settings.wake.confirm:
            self.mode, self._confirm_in = Mode.CONFIRMING, max(1, self.options.confirm_tail_frames)
        else:
            self._wake_confirmed(None)

    async def _confirm(self, audio: np.ndarray) -> None:
        try:
            transcript = await self._blocking(self.engines.stt.transcribe, audio)
        except Exception as exc:
            log.exception("wake confirmation failed")
            if self.mode is Mode.CONFIRMING:
                self.emit(ev.PipelineError(ErrorCode.STT_FAILED, f"speech recognition failed: {exc}"))
                self.listen()
            return
        if self.mode is not Mode.CONFIRMING:
            return  # push-to-talk, pause or stop came first
        phrase = self.settings.wake.phrase
        mentions = len(find_all(transcript.text, phrase))
        if not mentions:
            self.listen(event=ev.WakeRejected(phrase, transcript.text, self._score()))
        else:
            self._wake_confirmed(transcript.text, mentions)

    def _wake_confirmed(self, transcript: str | None, mentions: int = 1) -> None:
        capture = self._capture
        assert capture is not None
        capture.wake_mentions = mentions
        self.emit(ev.WakeDetected(WakeSource.WAKE_WORD, self.settings.wake.phrase, self._score(), transcript))
        self._chime("wake")
        self.mode = Mode.CAPTURING
        self.emit(ev.Capturing())
        if capture.verdict is not None:
            self._end_capture(capture)

    def _score(self) -> float | None:
        # A plain float: engines may hand out numpy scalars, which JSON cannot encode.
        return round(float(self._hit.score), 4) if self._hit is not None else None

    async def _check_trigger(self, audio: np.ndarray) -> None:
        try:
            transcript = await self._blocking(self.engines.stt.transcribe, audio)
        except Exception:
            log.exception("trigger spotting: speech recognition failed")
            return
        match = match_trigger(transcript.text, self._spotted_triggers())
        if match is None or self.mode is not Mode.IDLE:
            return
        self.emit(ev.WakeDetected(WakeSource.TRIGGER, match.phrase, None, transcript.text))
        chime_ms = self._chime("wake")
        command = text_after(transcript.text, match)
        if command:
            self.emit(ev.TranscriptReady(transcript.text, command))
            self._start_turn(functools.partial(self.turns.command, command, WakeSource.TRIGGER))
        else:
            self._begin_capture(WakeSource.TRIGGER, ignore_first_ms=chime_ms)

    # ---- capture and turns --------------------------------------------------------------
    def _begin_capture(self, source: WakeSource, *, ignore_first_ms: int = 0,
                       seed: Sequence[np.ndarray] = ()) -> None:
        if not seed:
            self.engines.vad.reset()
        self._capture = Capture(source, endpoint_config(self.settings, ignore_first_ms=ignore_first_ms),
                                prefix=seed, speech_started=bool(seed))
        self.mode = Mode.CAPTURING
        self.emit(ev.Capturing())

    def _end_capture(self, capture: Capture) -> None:
        self._capture = None
        if capture.verdict is Verdict.NO_SPEECH:
            if capture.source is WakeSource.TALK_MODE:
                self.emit(ev.TalkModeEnded("timeout"))
                self.listen()
            else:
                self.emit(ev.NoCommand("timeout", SORRY_NO_COMMAND))
                self._start_turn(functools.partial(self.turns.apology, SORRY_NO_COMMAND))
            return
        reason = "max_length" if capture.verdict is Verdict.MAX_LENGTH else "silence"
        self._start_turn(functools.partial(self.turns.from_audio, capture.audio(), reason, capture.source,
                                           capture.wake_mentions))

    def _start_turn(self, body: Callable[[], Awaitable[bool]]) -> None:
        # A factory, not a coroutine: a turn cancelled before it starts must not leave an
        # un-awaited coroutine behind.
        self.mode = Mode.BUSY
        self._turn = self._spawn(self._turn_main(body), "voice turn")

    async def _turn_main(self, body: Callable[[], Awaitable[bool]]) -> None:
        """Run one turn; ``body`` says whether the agent replied (talk mode goes on)."""
        replied = False
        try:
            replied = await body()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must not end the pipeline
            log.exception("voice turn failed")
            self.emit(ev.PipelineError(ErrorCode.INTERNAL, f"voice turn failed: {exc}"))
        if self._turn is asyncio.current_task():
            self._turn = None
            self._after_turn(replied=replied)

    def _after_turn(self, *, replied: bool) -> None:
        self._speech = None
        if self.paused:
            self.mode = Mode.PAUSED
        else:
            self.listen(talk=self.talk_mode and replied)

    def _new_speech(self) -> Speech:
        self._speech = Speech(self.engines.tts, self.engines.speaker, self.emit, self._blocking,
                              on_first_audio=self._speaking, on_output_error=self.speaker.failed,
                              can_play=lambda: not self.speaker.missing, poll_s=self.options.playback_poll_s)
        return self._speech

    def _speaking(self) -> None:
        if self.mode is Mode.BUSY:
            self.mode = Mode.SPEAKING
            self._barge.reset()
            self.engines.vad.reset()

    def _barge_in(self) -> None:
        frames = self._barge.speech_frames
        self.speaker.stop()  # first: every millisecond counts towards the 300 ms
        self.emit(ev.BargeIn(frames))
        self.abandon(reason="barge_in")
        # What the user is saying is the next command; keep the frames that set it off.
        self._begin_capture(WakeSource.BARGE_IN, seed=list(self._recent)[-(frames + 2):])

    def abandon(self, reason: str = "stopped") -> None:
        """Cancel the turn and any capture in progress (events for what was cut off)."""
        mode, speech = self.mode, self._speech
        turn, check = self._turn, self._trigger_check
        self._turn = self._trigger_check = self._speech = self._capture = None
        for task in (turn, check):
            if task is not None and not task.done():
                task.cancel()  # cancelling the turn aborts the agent run (responder cleanup)
        if mode is Mode.SPEAKING:
            self.speaker.stop()
            self.emit(ev.SpeakingStopped(reason))
        if speech is not None and speech.streaming:
            self.emit(ev.ReplyDone(speech.text, aborted=True))
        self.mode = Mode.BUSY  # until the caller picks the next mode

    def listen(self, *, talk: bool = False, event: VoiceEvent | None = None) -> None:
        """Back to listening: for the wake word, or (talk) for the next command."""
        if self.engines.wake is not None:
            self.engines.wake.reset()
        self._segmenter.reset()
        self.engines.vad.reset()
        if talk:
            config = endpoint_config(self.settings, no_speech_ms=self.settings.talk_timeout_ms)
            self._capture, self.mode = Capture(WakeSource.TALK_MODE, config), Mode.TALK_WAIT
        else:
            self._capture, self.mode = None, Mode.IDLE
        self.emit(event if event is not None else ev.Listening(talk_mode=talk))

    # ---- helpers --------------------------------------------------------------------------
    def _chime(self, name: str) -> int:
        return self.speaker.chime(self.chimes, name) if self.settings.chimes else 0

    def _new_segmenter(self) -> SpeechSegmenter:
        s = self.settings
        return SpeechSegmenter(speech_threshold=s.vad_threshold, silence_timeout_ms=s.silence_timeout_ms,
                               max_segment_ms=self.options.trigger_segment_max_ms)

    def _new_barge_in(self) -> BargeInDetector:
        # A little stricter than the VAD's own threshold: residual echo must not stop us.
        return BargeInDetector(self.settings.barge_in_frames, min(0.95, self.settings.vad_threshold + 0.1))

    async def _blocking(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def _spawn(self, coro: Awaitable[Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)  # kept until done, and cancelled by aclose()
        task.add_done_callback(self._tasks.discard)
        return task

    def _emit_level(self, frame: np.ndarray) -> None:
        source, data = "mic", frame
        if self.mode is Mode.SPEAKING:
            source, data = "playback", self.engines.speaker.reference(frame.size)
        x = data.astype(np.float32) / 32768.0
        self.emit(ev.AudioLevel(source, round(float(np.sqrt(np.mean(x * x))) if x.size else 0.0, 5)))
