"""Generated speech for engine tests and the voice benchmark (Piper and espeak-ng voices).

Everything is 16 kHz mono int16, the capture format. ``espeak-ng`` is a system package
(scripts/bootstrap.sh installs it as root); when it is missing the caller FAILS with a
message saying so. Must not import Qt.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave

import numpy as np

from openclaw_desktop.voice.engines.resample import resample
from openclaw_desktop.voice.ports import FRAME_SAMPLES, SAMPLE_RATE


class SpeechToolMissing(RuntimeError):
    """A system speech tool (espeak-ng) is not installed."""


def to_16k(audio: np.ndarray, rate: int) -> np.ndarray:
    """Resample int16 mono audio to 16 kHz."""
    return resample(audio.astype(np.int16), rate, SAMPLE_RATE)


def espeak(text: str, *, voice: str = "en-us", speed: int = 150, pitch: int = 50) -> np.ndarray:
    """``text`` spoken by espeak-ng at 16 kHz (``voice`` e.g. ``en-us+m3``, ``en-gb+f2``)."""
    if shutil.which("espeak-ng") is None:
        raise SpeechToolMissing("espeak-ng is not installed: apt-get install espeak-ng (scripts/bootstrap.sh)")
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text],
                         capture_output=True, check=True, timeout=60).stdout
    with wave.open(io.BytesIO(wav)) as w:
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        rate = w.getframerate()
    return to_16k(audio, rate)


def piper(tts: object, text: str, *, length_scale: float | None = None) -> np.ndarray:
    """``text`` spoken by a :class:`PiperSynthesizer` at 16 kHz."""
    parts = list(tts.synthesize_sentences(text, length_scale=length_scale))  # type: ignore[attr-defined]
    audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
    return to_16k(audio, tts.sample_rate)  # type: ignore[attr-defined]


def silence(seconds: float) -> np.ndarray:
    """Digital silence at 16 kHz."""
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.int16)


def with_silence(audio: np.ndarray, before_s: float = 1.0, after_s: float = 1.0) -> np.ndarray:
    """``audio`` padded with silence, cut to whole 80 ms frames."""
    out = np.concatenate((silence(before_s), audio, silence(after_s)))
    return out[: out.size // FRAME_SAMPLES * FRAME_SAMPLES]


def scaled(audio: np.ndarray, gain: float) -> np.ndarray:
    """``audio`` times ``gain``, clipped to int16."""
    return np.clip(audio.astype(np.float64) * gain, -32768, 32767).astype(np.int16)


def active_rms(audio: np.ndarray) -> float:
    """RMS over the 20 ms blocks that carry speech (within 20 dB of the loudest block),
    so padding silence does not dilute the level (in the spirit of ITU-T P.56)."""
    x = audio.astype(np.float64)
    n = x.size // 320
    if n == 0:
        return float(np.sqrt(np.mean(x**2))) if x.size else 0.0
    blocks = np.sqrt(np.mean(x[: n * 320].reshape(n, 320) ** 2, axis=1))
    active = blocks[blocks >= blocks.max() / 10]
    return float(np.sqrt(np.mean(active**2)))


def add_noise(audio: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """Add pink-ish (low-passed white) noise ``snr_db`` below the active speech level."""
    x = audio.astype(np.float64)
    rms = active_rms(audio) or 1.0
    white = rng.normal(0.0, 1.0, x.size)
    noise = np.convolve(white, np.ones(4) / 4, mode="same")  # a little less hiss than white
    noise *= rms / (np.sqrt(np.mean(noise**2)) or 1.0) / (10 ** (snr_db / 20))
    return np.clip(x + noise, -32768, 32767).astype(np.int16)


def frames(audio: np.ndarray) -> list[np.ndarray]:
    """Split into whole 80 ms frames (a trailing partial frame is dropped)."""
    n = audio.size // FRAME_SAMPLES
    return [audio[i * FRAME_SAMPLES:(i + 1) * FRAME_SAMPLES] for i in range(n)]


def rms_db(audio: np.ndarray) -> float:
    """RMS level in dB relative to int16 full scale."""
    x = audio.astype(np.float64) / 32768.0
    return float(10 * np.log10(np.mean(x**2) + 1e-12))
