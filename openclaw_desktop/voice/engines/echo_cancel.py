"""Acoustic echo cancellation with WebRTC's AEC3 (the ``pywebrtc-audio`` package).

The only importer of ``pywebrtc_audio``. During playback the pipeline passes each 80 ms
microphone frame (``near``) together with what the speaker played over the same span
(``far``, from ``AudioOutput.reference``); AEC3 learns the room's echo path and removes
the app's own voice, so the wake word and the VAD hear the user (barge-in on laptop
speakers, no headphones). ``stream_delay_ms`` is a hint for the playback→capture delay;
AEC3 estimates the true delay itself within a few hundred milliseconds of playback.

Measured (tests/voice/test_engine_echo.py): ≈ 25–30 dB less echo after a second of
convergence, the user's voice within a few dB of its level, under 1 % of one core.

Must not import Qt, asyncio or another engine library.
"""

from __future__ import annotations

import numpy as np
from pywebrtc_audio import AudioProcessor

from openclaw_desktop.voice.ports import SAMPLE_RATE

_CHUNK = SAMPLE_RATE // 100  # WebRTC works in 10 ms blocks


class WebRtcEchoCanceller:
    """:class:`~openclaw_desktop.voice.ports.EchoCanceller` over WebRTC AEC3.

    ``noise_suppression`` additionally applies WebRTC's noise suppressor (off by default:
    the wake-word model was trained on unprocessed audio). Frames must be 16 kHz mono int16
    with a multiple of 160 samples; ``near`` and ``far`` the same length. Not thread-safe.
    """

    def __init__(self, *, stream_delay_ms: int = 0, noise_suppression: bool = False) -> None:
        self._options = {"stream_delay_ms": int(stream_delay_ms), "noise_suppression": noise_suppression}
        self._processor = self._make()

    def _make(self) -> AudioProcessor:
        return AudioProcessor(sample_rate=SAMPLE_RATE, num_channels=1, echo_cancellation=True,
                              high_pass_filter=True, noise_suppression=bool(self._options["noise_suppression"]),
                              stream_delay_ms=self._options["stream_delay_ms"])

    @property
    def stream_delay_ms(self) -> int:
        """The playback→capture delay hint in ms; may be changed while running."""
        return int(self._processor.stream_delay_ms)

    @stream_delay_ms.setter
    def stream_delay_ms(self, value: int) -> None:
        self._options["stream_delay_ms"] = int(value)
        self._processor.stream_delay_ms = int(value)

    @property
    def speech_probability(self) -> float:
        """WebRTC's speech estimate 0..1 for the last processed frame (after cancellation)."""
        return float(self._processor.speech_probability)

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        """The microphone frame with the played reference's echo removed (int16)."""
        if near.dtype != np.int16 or far.dtype != np.int16:
            raise TypeError("echo canceller needs int16 frames")
        if near.shape != far.shape or near.ndim != 1:
            raise ValueError(f"near {near.shape} and far {far.shape} must be equal mono frames")
        if near.size % _CHUNK:
            raise ValueError(f"frames must be a multiple of {_CHUNK} samples (10 ms)")
        return np.asarray(self._processor.process(near, far), dtype=np.int16)

    def reset(self) -> None:
        """Forget the learned echo path (a new device or session)."""
        self._processor.reset()
