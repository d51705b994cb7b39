"""Our own wake and send chimes, synthesised with numpy.

The committed WAVs in ``openclaw_desktop/resources/sounds/`` are exactly what
:func:`synthesize` produces (a test checks it); ``python -m openclaw_desktop.voice.chimes
DIR`` writes them again. :func:`load_chimes` reads the WAVs and falls back to synthesis
when they are missing, so a stripped install still chimes.

* wake: two soft rising notes (E5 → A5), "I'm listening".
* send: two quick higher notes (A5 → E6), "sent".

Sine partials with a short attack and an exponential decay, peak at -9 dBFS so they are
clearly audible but never clip after resampling. Must not import asyncio, Qt or any
engine library.
"""

from __future__ import annotations

import sys
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 22_050
"""The Piper voices' rate, so chimes and speech share one output stream."""
SOUNDS_DIR = Path(__file__).resolve().parents[1] / "resources" / "sounds"
PEAK = 0.35
_NOTES = {
    "wake": ((659.25, 0.085), (880.0, 0.11)),
    "send": ((880.0, 0.06), (1318.5, 0.09)),
}


@dataclass(frozen=True)
class Chime:
    """Mono int16 audio at ``sample_rate``."""

    name: str
    audio: np.ndarray
    sample_rate: int

    @property
    def duration_ms(self) -> int:
        return round(1000 * self.audio.size / self.sample_rate)


@dataclass(frozen=True)
class ChimeSet:
    """The two chimes the pipeline plays."""

    wake: Chime
    send: Chime

    def get(self, name: str) -> Chime:
        return self.wake if name == "wake" else self.send


def _note(freq: float, seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    tone = np.sin(2 * np.pi * freq * t) + 0.25 * np.sin(2 * np.pi * 2 * freq * t) \
        + 0.08 * np.sin(2 * np.pi * 3 * freq * t)
    attack = np.minimum(1.0, t / 0.006)  # 6 ms: no click, still crisp
    decay = np.exp(-t / (seconds * 0.45))
    release = np.minimum(1.0, (seconds - t) / 0.01)  # end at zero: no click either
    return tone * attack * decay * np.clip(release, 0.0, 1.0)


def synthesize(name: str, rate: int = SAMPLE_RATE) -> Chime:
    """Generate the chime ``name`` ("wake" or "send")."""
    if name not in _NOTES:
        raise ValueError(f"unknown chime {name!r}")
    signal = np.concatenate([_note(f, s, rate) for f, s in _NOTES[name]])
    signal = signal / np.max(np.abs(signal)) * PEAK
    return Chime(name, np.round(signal * 32767).astype(np.int16), rate)


def read_wav(path: Path, name: str) -> Chime:
    """A mono 16-bit WAV as a :class:`Chime` (ValueError when it is not one)."""
    with wave.open(str(path), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError(f"{path}: chimes must be mono 16-bit WAV")
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int16)
        return Chime(name, audio, w.getframerate())


def write_wav(path: Path, chime: Chime) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(chime.sample_rate)
        w.writeframes(chime.audio.astype("<i2").tobytes())


def load_chimes(directory: Path = SOUNDS_DIR) -> ChimeSet:
    """The chimes from ``directory``, each synthesised when its file is missing or bad."""
    loaded = {}
    for name in _NOTES:
        try:
            loaded[name] = read_wav(directory / f"{name}.wav", name)
        except (OSError, EOFError, ValueError, wave.Error):
            loaded[name] = synthesize(name)
    return ChimeSet(loaded["wake"], loaded["send"])


def main(argv: list[str]) -> int:
    """Write ``wake.wav`` and ``send.wav`` into the given folder (default: resources)."""
    directory = Path(argv[0]) if argv else SOUNDS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    for name in _NOTES:
        write_wav(directory / f"{name}.wav", synthesize(name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
