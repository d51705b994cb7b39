"""What the talk-mode overlay shows, folded from the voice pipeline's events.

:class:`OverlayModel` takes every :class:`~openclaw_desktop.voice.events.VoiceEvent` in
order (``apply``) and keeps what the overlay draws: a state label and hint, the live
transcript, the reply text streamed so far (and the sentence being spoken), a notice
(device missing, error, "didn't catch that") and a ring buffer of recent audio levels for
the waveform — the microphone level while the pipeline listens or captures, the playback
envelope while it speaks, nothing otherwise. ``apply`` says what changed, so the Qt view
can redraw texts at once but coalesce the frequent level updates into frames.

Pure code: must not import Qt, asyncio, any engine library, or read a clock.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import IntFlag

from openclaw_desktop.voice.events import (
    AudioLevel,
    BargeIn,
    Capturing,
    DeviceMissing,
    DeviceReady,
    ErrorCode,
    Listening,
    NoCommand,
    Paused,
    PipelineError,
    ReplyDelta,
    ReplyDone,
    SpeakingStarted,
    SpeakingStopped,
    Stage,
    TalkModeEnded,
    Thinking,
    TranscriptReady,
    VoiceEvent,
    WakeDetected,
)

LEVEL_FLOOR_DB = -60.0
"""RMS at or below this many dBFS draws as a flat line (room noise, the mic's hiss)."""

MIC = "mic"
PLAYBACK = "playback"

STAGE_LABELS: dict[Stage, str] = {
    Stage.LISTENING: "Listening",
    Stage.WAKE_DETECTED: "Yes?",
    Stage.CAPTURING: "Listening to you",
    Stage.TRANSCRIBING: "Transcribing",
    Stage.THINKING: "Thinking",
    Stage.SPEAKING: "Speaking",
    Stage.PAUSED: "Paused",
    Stage.STOPPED: "Stopped",
    Stage.DEVICE_MISSING: "Audio device missing",
    Stage.ERROR: "Something went wrong",
}
"""The state label per stage (device-missing and error labels get more specific)."""

ERROR_LABELS: dict[ErrorCode, str] = {
    ErrorCode.STT_FAILED: "Couldn't transcribe that",
    ErrorCode.TTS_FAILED: "Couldn't speak the reply",
    ErrorCode.REPLY_FAILED: "No reply from the assistant",
    ErrorCode.GATEWAY_UNAVAILABLE: "Gateway unavailable",
    ErrorCode.WAKE_FAILED: "Wake word detector failed",
    ErrorCode.INTERNAL: "Voice error",
}

DEVICE_LABELS = {"input": "No microphone", "output": "No speaker"}

WAVE_SOURCE: dict[Stage, str] = {
    Stage.LISTENING: MIC,
    Stage.WAKE_DETECTED: MIC,
    Stage.CAPTURING: MIC,
    Stage.SPEAKING: PLAYBACK,
}
"""Which level feed the waveform follows in each stage; other stages draw no live wave."""


def level_height(rms: float) -> float:
    """Bar height 0..1 for an RMS of 0..1: linear in dB from ``LEVEL_FLOOR_DB`` to 0 dBFS.

    Speech RMS sits around -30..-10 dBFS, where a linear scale would draw barely a line.
    """
    if not rms > 0:  # also catches NaN
        return 0.0
    db = 20 * math.log10(min(rms, 1.0))
    return max(0.0, min(1.0, (db - LEVEL_FLOOR_DB) / -LEVEL_FLOOR_DB))


def tail_text(text: str, max_chars: int) -> str:
    """The end of ``text`` in at most ``max_chars`` characters, cut at a word, led by "…"."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    tail = text[len(text) - (max_chars - 1):]
    space = tail.find(" ")
    if 0 <= space < len(tail) // 2:  # prefer a whole first word unless that loses too much
        tail = tail[space + 1:]
    return "…" + tail


class LevelHistory:
    """A ring buffer of the last ``capacity`` bar heights (0..1), oldest first."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._values: deque[float] = deque(maxlen=capacity)

    @property
    def capacity(self) -> int:
        """How many levels are kept (older ones fall off)."""
        return self._values.maxlen or 0

    def push(self, rms: float) -> None:
        """Add one RMS reading (stored as its :func:`level_height`)."""
        self._values.append(level_height(rms))

    def clear(self) -> None:
        """Forget everything (the waveform switched feeds)."""
        self._values.clear()

    def values(self) -> tuple[float, ...]:
        """The heights, oldest first (fewer than ``capacity`` after a clear)."""
        return tuple(self._values)

    def __len__(self) -> int:
        return len(self._values)


class Change(IntFlag):
    """What an event changed: texts/state (redraw now) and/or levels (next frame)."""

    NONE = 0
    TEXT = 1
    LEVELS = 2


@dataclass(frozen=True)
class OverlayView:
    """Everything the overlay draws except the levels (see :attr:`OverlayModel.levels`)."""

    stage: Stage
    label: str
    hint: str
    transcript: str
    """What the user said this turn ("" before the transcript is ready)."""
    reply: str
    """The reply text so far."""
    speaking: str
    """The sentence being spoken now (a part of ``reply``), "" when silent."""
    notice: str
    """A device-missing, error or "didn't catch that" message, "" when all is well."""
    wave_source: str | None
    """``"mic"``, ``"playback"`` or None (no live level feed in this stage)."""
    talk_mode: bool
    reply_stopped: bool
    """The reply was cut short (barge-in or stop)."""

    @property
    def paused(self) -> bool:
        """Listening is paused (a click resumes)."""
        return self.stage is Stage.PAUSED

    @property
    def waiting(self) -> bool:
        """Transcribing or thinking: no audio to follow; the waveform "breathes"."""
        return self.stage in (Stage.TRANSCRIBING, Stage.THINKING)


class OverlayModel:
    """Folds voice events into an :class:`OverlayView` plus a level history.

    ``wake_phrase`` only feeds the listening hint; ``history_size`` is the number of
    waveform bars.
    """

    def __init__(self, *, wake_phrase: str = "hey jarvis", history_size: int = 48) -> None:
        self.wake_phrase = wake_phrase
        self._history = LevelHistory(history_size)
        self._stage = Stage.LISTENING
        self._talk_mode = False
        self._transcript = ""
        self._reply = ""
        self._speaking = ""
        self._reply_stopped = False
        self._notice = ""
        self._notice_kind = ""  # "device:<kind>", "error", "no_command"
        self._device_kind = "input"
        self._error_code: ErrorCode | None = None
        self._view: OverlayView | None = None

    @property
    def levels_capacity(self) -> int:
        """How many levels the history keeps (the number of waveform bars)."""
        return self._history.capacity

    @property
    def levels(self) -> tuple[float, ...]:
        """Recent bar heights 0..1 of the current wave source, oldest first."""
        return self._history.values()

    @property
    def view(self) -> OverlayView:
        """The current texts and state (rebuilt only after a change)."""
        if self._view is None:
            self._view = OverlayView(
                stage=self._stage, label=self._label(), hint=self._hint(), transcript=self._transcript,
                reply=self._reply, speaking=self._speaking, notice=self._notice,
                wave_source=WAVE_SOURCE.get(self._stage), talk_mode=self._talk_mode,
                reply_stopped=self._reply_stopped)
        return self._view

    def apply(self, event: VoiceEvent) -> Change:
        """Fold one event in; returns what changed (``Change.NONE`` for ignored events)."""
        if isinstance(event, AudioLevel):
            if event.source != WAVE_SOURCE.get(self._stage):
                return Change.NONE  # e.g. our own playback echoing into the mic
            self._history.push(event.rms)
            return Change.LEVELS
        before = self.view
        change = Change.NONE
        self._fold(event)
        if event.stage is not None and event.stage is not self._stage:
            if WAVE_SOURCE.get(event.stage) != WAVE_SOURCE.get(self._stage):
                self._history.clear()  # the bars belong to one feed; start the new one flat
                change |= Change.LEVELS
            self._stage = event.stage
        self._view = None
        if self.view == before:
            return change & Change.LEVELS
        return change | Change.TEXT

    def _fold(self, event: VoiceEvent) -> None:
        if isinstance(event, Listening):
            self._talk_mode = event.talk_mode
            self._speaking = ""
            if self._notice_kind == "device:input":
                self._set_notice("", "")  # listening means the microphone is back
        elif isinstance(event, (WakeDetected, Capturing)):
            if self._stage not in (Stage.WAKE_DETECTED, Stage.CAPTURING):
                self._new_turn()
            if isinstance(event, WakeDetected) and event.transcript:
                self._transcript = event.transcript.strip()  # heard so far; the command follows
        elif isinstance(event, TranscriptReady):
            self._transcript = event.text.strip() or event.command.strip()
        elif isinstance(event, NoCommand):
            self._set_notice(event.message, "no_command")
        elif isinstance(event, Thinking):
            self._transcript = self._transcript or event.command.strip()
            self._reply, self._speaking, self._reply_stopped = "", "", False
        elif isinstance(event, ReplyDelta):
            self._reply += event.text
        elif isinstance(event, ReplyDone):
            self._reply = event.text or self._reply
            self._reply_stopped = self._reply_stopped or event.aborted
        elif isinstance(event, SpeakingStarted):
            self._speaking = event.text.strip()
        elif isinstance(event, SpeakingStopped):
            self._speaking = ""
            self._reply_stopped = self._reply_stopped or event.reason != "done"
        elif isinstance(event, BargeIn):
            self._speaking, self._reply_stopped = "", True
        elif isinstance(event, TalkModeEnded):
            self._talk_mode = False
        elif isinstance(event, Paused):
            self._speaking = ""
            if self._notice_kind in ("error", "no_command"):
                self._set_notice("", "")
        elif isinstance(event, DeviceMissing):
            if event.stage is not None:  # a missing speaker leaves the stage (listening) alone
                self._device_kind = event.kind
            retry = f" Retrying every {event.retry_s:g} s." if event.retry_s > 0 else ""
            message = event.message.strip()
            if message and message[-1] not in ".!?":
                message += "."  # engine messages come without one; the retry sentence follows
            self._set_notice(message + retry, f"device:{event.kind}")
        elif isinstance(event, DeviceReady):
            if self._notice_kind == f"device:{event.kind}":
                self._set_notice("", "")
        elif isinstance(event, PipelineError):
            self._error_code = event.code
            self._set_notice(event.message.strip(), "error")
        # Chime, FramesDropped, WakeRejected, Transcribing, Stopped: their stage (if any) is all

    def _new_turn(self) -> None:
        self._transcript, self._reply, self._speaking, self._reply_stopped = "", "", "", False
        if not self._notice_kind.startswith("device:"):
            self._set_notice("", "")

    def _set_notice(self, text: str, kind: str) -> None:
        self._notice, self._notice_kind = text, kind

    def _label(self) -> str:
        if self._stage is Stage.DEVICE_MISSING:
            return DEVICE_LABELS.get(self._device_kind, STAGE_LABELS[Stage.DEVICE_MISSING])
        if self._stage is Stage.ERROR and self._error_code is not None:
            return ERROR_LABELS.get(self._error_code, STAGE_LABELS[Stage.ERROR])
        return STAGE_LABELS[self._stage]

    def _hint(self) -> str:
        stage = self._stage
        if stage is Stage.LISTENING:
            return "Go ahead, I'm listening" if self._talk_mode else f"Say “{self.wake_phrase}”"
        if stage in (Stage.WAKE_DETECTED, Stage.CAPTURING):
            return "Pause when you're done"
        if stage is Stage.SPEAKING:
            return "Double-click to stop"
        if stage is Stage.PAUSED:
            return "Click to resume"
        return ""
