"""What a voice pipeline is built from: its engines and its (non-user) tuning.

Must not import Qt, asyncio or any engine library (engines arrive as port objects).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from openclaw_desktop.voice.ports import (
    AudioInput,
    AudioOutput,
    EchoCanceller,
    SpeechDetector,
    Synthesizer,
    Transcriber,
    WakeDetector,
)


@dataclass
class PipelineEngines:
    """The engines and devices the pipeline drives (real adapters or test fakes)."""

    mic: AudioInput
    speaker: AudioOutput
    vad: SpeechDetector
    stt: Transcriber
    tts: Synthesizer
    wake: WakeDetector | None = None
    """None: no acoustic wake word (trigger words and push-to-talk still work)."""
    echo: EchoCanceller | None = None
    """None: no echo cancellation (barge-in then only works with headphones)."""

    @classmethod
    def of(cls, engines: Any) -> PipelineEngines:
        """From any object with these attributes (``voice.engines.Engines``)."""
        return cls(**{f.name: getattr(engines, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class PipelineOptions:
    """Tuning that is not user configuration."""

    queue_frames: int = 64
    """Frame queue bound (about 5 s); beyond it the oldest frames are dropped."""
    device_retry_s: float = 3.0
    input_stall_s: float = 3.0
    """No frame for this long means the microphone went away: reopen it."""
    wake_segment_frames: int = 20
    """Audio up to a wake hit (1.6 s) that Whisper transcribes to confirm the phrase."""
    confirm_tail_frames: int = 3
    """Frames after the hit included in that check (the model fires before the word ends)."""
    trigger_segment_max_ms: int = 6_000
    """Longer speech is not searched for trigger words (it is not addressed to us)."""
    levels: bool = False
    """Emit ``level`` events (the overlay's waveform)."""
    playback_poll_s: float = 0.02
    """How often the end of playback is checked."""


DEFAULT_OPTIONS = PipelineOptions()
