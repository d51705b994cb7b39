"""Sample-rate conversion in plain numpy, for the audio adapters.

Used for the echo reference (Piper's 22.05 kHz playback → 16 kHz), for speakers that
refuse the voice's rate and for microphones that refuse 16 kHz. Quality target is speech:
a windowed-sinc low-pass (about -60 dB stop band) followed by linear interpolation, which
is cheap enough to run inside an audio callback.

Must not import any engine library, Qt or asyncio.
"""

from __future__ import annotations

import numpy as np

_TAPS = 63  # odd, so the filter has an integer group delay of 31 samples


def _lowpass(cutoff: float) -> np.ndarray:
    """Blackman-windowed sinc; ``cutoff`` is a fraction of the sample rate (0 < cutoff < 0.5)."""
    n = np.arange(_TAPS) - (_TAPS - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.blackman(_TAPS)
    return (h / h.sum()).astype(np.float64)


def _filter_for(src_rate: int, dst_rate: int) -> np.ndarray | None:
    """The anti-alias (down) or anti-image (up) filter for this conversion, at ``src_rate``."""
    if dst_rate == src_rate:
        return None
    # 0.45 of the lower Nyquist band edge keeps speech (< 7 kHz at 16 kHz) and cuts aliases.
    return _lowpass(0.45 * min(src_rate, dst_rate) / src_rate)


def _to_dtype(y: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.clip(np.rint(y), info.min, info.max).astype(dtype)
    return y.astype(dtype)


def resample(audio: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Convert a whole mono clip from ``src_rate`` to ``dst_rate``; keeps the dtype."""
    if src_rate <= 0 or dst_rate <= 0:
        raise ValueError("sample rates must be positive")
    if src_rate == dst_rate or audio.size == 0:
        return audio.copy()
    x = audio.astype(np.float64)
    h = _filter_for(src_rate, dst_rate)
    if h is not None:
        x = np.convolve(x, h, mode="same")
    n_out = round(audio.size * dst_rate / src_rate)
    positions = np.arange(n_out) * (src_rate / dst_rate)
    return _to_dtype(np.interp(positions, np.arange(x.size), x), audio.dtype)


class StreamResampler:
    """Block-by-block conversion with state carried across blocks (no clicks at edges).

    Output length per block varies by ±1 sample around ``len(block) * dst / src``; callers
    that need fixed frames re-chunk. Adds a constant delay of ``_TAPS // 2`` input samples.
    """

    def __init__(self, src_rate: int, dst_rate: int) -> None:
        if src_rate <= 0 or dst_rate <= 0:
            raise ValueError("sample rates must be positive")
        self.src_rate = src_rate
        self.dst_rate = dst_rate
        self._h = _filter_for(src_rate, dst_rate)
        self._step = src_rate / dst_rate
        self.reset()

    def reset(self) -> None:
        """Forget the filter history and interpolation phase."""
        self._history = np.zeros(_TAPS - 1)
        self._prev = 0.0  # last filtered sample of the previous block (index -1)
        self._pos = 0.0  # next output position, in input samples of the coming block

    def process(self, block: np.ndarray) -> np.ndarray:
        """Convert one block; returns float64 when given floats, int16 when given int16."""
        if self._h is None:
            return block.copy()
        x = block.astype(np.float64)
        padded = np.concatenate((self._history, x))
        self._history = padded[-(_TAPS - 1):]
        filtered = np.convolve(padded, self._h, mode="valid")  # len == len(block)
        # Interpolate over [prev, filtered...] so positions in [-1, 0) bridge the blocks.
        ext = np.concatenate(([self._prev], filtered))
        last = filtered.size - 1
        count = int(np.floor((last - self._pos) / self._step)) + 1 if self._pos <= last else 0
        positions = self._pos + np.arange(count) * self._step
        out = np.interp(positions + 1, np.arange(ext.size), ext)
        self._pos = self._pos + count * self._step - filtered.size
        self._prev = float(filtered[-1]) if filtered.size else self._prev
        return _to_dtype(out, block.dtype)
