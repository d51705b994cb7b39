"""The voice pipeline's typed events and stages.

The pipeline reports everything through one ``on_event(VoiceEvent)`` callback wired by
the composition root (tray, overlay, the headless ``voice`` command's JSON lines). Each
event class names its wire ``type`` and, when it moves the pipeline to another stage,
that :class:`Stage`; a consumer tracks the current stage from ``event.stage`` alone.

The happy path is ``listening → wake_detected → capturing → transcribing → thinking →
speaking → listening``; ``paused``, ``stopped``, ``device_missing`` and ``error`` are the
other states. Errors carry a stable :class:`ErrorCode`.

Pure data: must not import asyncio, Qt or any engine library.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, ClassVar


class Stage(StrEnum):
    """Where the pipeline is."""

    LISTENING = "listening"
    WAKE_DETECTED = "wake_detected"
    CAPTURING = "capturing"
    TRANSCRIBING = "transcribing"
    THINKING = "thinking"
    SPEAKING = "speaking"
    PAUSED = "paused"
    STOPPED = "stopped"
    DEVICE_MISSING = "device_missing"
    ERROR = "error"


class ErrorCode(StrEnum):
    """Stable codes of :class:`PipelineError` (the UI maps them to messages)."""

    STT_FAILED = "stt_failed"
    TTS_FAILED = "tts_failed"
    REPLY_FAILED = "reply_failed"
    """The gateway or the agent answered with an error (no model key, model error…)."""
    GATEWAY_UNAVAILABLE = "gateway_unavailable"
    WAKE_FAILED = "wake_failed"
    """The wake-word or VAD engine raised on a frame."""
    INTERNAL = "internal"


class WakeSource(StrEnum):
    """What woke the pipeline."""

    WAKE_WORD = "wake_word"
    """The acoustic model, confirmed in the transcript."""
    TRIGGER = "trigger"
    """A gateway trigger word found in the transcript of a short speech segment."""
    PUSH_TO_TALK = "push_to_talk"
    TALK_MODE = "talk_mode"
    """Talk mode heard speech after a reply (no wake word needed)."""
    BARGE_IN = "barge_in"
    """The user spoke over a reply; what they say is the next command."""


@dataclass(frozen=True)
class VoiceEvent:
    """Base of every event; ``type`` is the wire name, ``stage`` the stage it enters."""

    type: ClassVar[str] = "event"
    stage: ClassVar[Stage | None] = None

    def to_dict(self) -> dict[str, Any]:
        """``{"type": ..., <fields>}`` plus ``"stage"`` when the event changes it."""
        out: dict[str, Any] = {"type": self.type}
        if self.stage is not None:
            out["stage"] = str(self.stage)
        out.update({k: (str(v) if isinstance(v, StrEnum) else v) for k, v in asdict(self).items()})
        return out


@dataclass(frozen=True)
class Listening(VoiceEvent):
    """Waiting for the wake word, or (``talk_mode``) for the next command without it."""

    type: ClassVar[str] = "listening"
    stage: ClassVar[Stage | None] = Stage.LISTENING
    talk_mode: bool = False


@dataclass(frozen=True)
class WakeDetected(VoiceEvent):
    """A confirmed wake (``phrase`` is the wake phrase or trigger word that matched)."""

    type: ClassVar[str] = "wake"
    stage: ClassVar[Stage | None] = Stage.WAKE_DETECTED
    source: WakeSource
    phrase: str = ""
    score: float | None = None
    transcript: str | None = None


@dataclass(frozen=True)
class WakeRejected(VoiceEvent):
    """The acoustic model fired but the transcript does not contain the phrase."""

    type: ClassVar[str] = "wake_rejected"
    stage: ClassVar[Stage | None] = Stage.LISTENING
    phrase: str
    transcript: str
    score: float | None = None


@dataclass(frozen=True)
class Capturing(VoiceEvent):
    """Recording the command until the speaker pauses."""

    type: ClassVar[str] = "capturing"
    stage: ClassVar[Stage | None] = Stage.CAPTURING


@dataclass(frozen=True)
class Transcribing(VoiceEvent):
    """The command ended (``reason``: silence, max_length) and is being transcribed."""

    type: ClassVar[str] = "transcribing"
    stage: ClassVar[Stage | None] = Stage.TRANSCRIBING
    audio_s: float
    reason: str = "silence"


@dataclass(frozen=True)
class TranscriptReady(VoiceEvent):
    """What was heard (``text``) and the command sent after removing the wake phrase."""

    type: ClassVar[str] = "transcript"
    text: str
    command: str


@dataclass(frozen=True)
class NoCommand(VoiceEvent):
    """Woken, but no command followed (``reason``: timeout, empty); said politely."""

    type: ClassVar[str] = "no_command"
    reason: str
    message: str = "Sorry, I didn't catch that."


@dataclass(frozen=True)
class Thinking(VoiceEvent):
    """The command went to the agent; waiting for the reply."""

    type: ClassVar[str] = "thinking"
    stage: ClassVar[Stage | None] = Stage.THINKING
    command: str


@dataclass(frozen=True)
class ReplyDelta(VoiceEvent):
    """New reply text as it streams in."""

    type: ClassVar[str] = "reply_delta"
    text: str


@dataclass(frozen=True)
class ReplyDone(VoiceEvent):
    """The reply finished streaming (``text`` is all of it; ``aborted`` after barge-in/stop)."""

    type: ClassVar[str] = "reply_done"
    text: str
    aborted: bool = False


@dataclass(frozen=True)
class SpeakingStarted(VoiceEvent):
    """A sentence went to the speaker (``index`` counts from 0 within the reply)."""

    type: ClassVar[str] = "speaking_started"
    stage: ClassVar[Stage | None] = Stage.SPEAKING
    text: str
    index: int


@dataclass(frozen=True)
class SpeakingStopped(VoiceEvent):
    """Playback ended (``reason``: done, barge_in, stopped)."""

    type: ClassVar[str] = "speaking_stopped"
    reason: str = "done"


@dataclass(frozen=True)
class BargeIn(VoiceEvent):
    """The user spoke over the reply: playback stopped and the reply was cancelled."""

    type: ClassVar[str] = "barge_in"
    frames: int


@dataclass(frozen=True)
class TalkModeEnded(VoiceEvent):
    """Talk mode heard nothing for its timeout and went back to the wake word."""

    type: ClassVar[str] = "talk_mode_ended"
    reason: str = "timeout"


@dataclass(frozen=True)
class Chime(VoiceEvent):
    """A chime was played (``name``: wake, send)."""

    type: ClassVar[str] = "chime"
    name: str


@dataclass(frozen=True)
class Paused(VoiceEvent):
    """Listening is paused (frames are discarded until resume)."""

    type: ClassVar[str] = "paused"
    stage: ClassVar[Stage | None] = Stage.PAUSED


@dataclass(frozen=True)
class DeviceMissing(VoiceEvent):
    """A device is missing (``kind``: input, output); retried every ``retry_s``.

    Only a missing microphone changes the stage: without a speaker the pipeline still
    listens and shows replies as text."""

    type: ClassVar[str] = "device_missing"
    kind: str
    message: str
    retry_s: float

    @property  # type: ignore[override]
    def stage(self) -> Stage | None:
        return Stage.DEVICE_MISSING if self.kind == "input" else None


@dataclass(frozen=True)
class DeviceReady(VoiceEvent):
    """A device opened (again) after being missing."""

    type: ClassVar[str] = "device_ready"
    kind: str


@dataclass(frozen=True)
class FramesDropped(VoiceEvent):
    """The frame queue overflowed; ``total`` oldest frames dropped so far."""

    type: ClassVar[str] = "frames_dropped"
    total: int


@dataclass(frozen=True)
class PipelineError(VoiceEvent):
    """A stage failed; the pipeline goes back to listening afterwards."""

    type: ClassVar[str] = "error"
    stage: ClassVar[Stage | None] = Stage.ERROR
    code: ErrorCode
    message: str


@dataclass(frozen=True)
class AudioLevel(VoiceEvent):
    """Waveform feed for the overlay (only when enabled): RMS 0..1 of mic or playback."""

    type: ClassVar[str] = "level"
    source: str
    rms: float


@dataclass(frozen=True)
class Stopped(VoiceEvent):
    """The run ended (always the last event)."""

    type: ClassVar[str] = "stopped"
    stage: ClassVar[Stage | None] = Stage.STOPPED
