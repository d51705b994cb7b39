"""Voice activity with the Silero VAD model that ships inside faster-whisper.

The only importer of ``onnxruntime`` in our code (openWakeWord and Piper use it
internally). The model file is located with ``importlib`` *without importing*
faster-whisper (that is ``stt_whisper``'s job, and importing it costs 0.3 s and PyAV).

Silero v6 (``faster_whisper/assets/silero_vad_v6.onnx``) scores 512-sample windows at
16 kHz, each prefixed by the previous window's last 64 samples, and carries an LSTM
state (``h``, ``c``) from window to window. An 80 ms frame holds 2.5 windows, so a
remainder is carried to the next frame; all windows completed by a frame go through the
model in one call (the model's first axis is time), and the frame's probability is the
highest of them. Cost: about 0.2 ms per frame on one thread.

Must not import Qt, asyncio or another engine library.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import onnxruntime

from openclaw_desktop.voice.ports import SAMPLE_RATE

WINDOW = 512
CONTEXT = 64
_STATE_SHAPE = (1, 1, 128)


def bundled_model_path() -> Path:
    """``silero_vad_v6.onnx`` inside the installed faster-whisper package."""
    spec = importlib.util.find_spec("faster_whisper")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("faster-whisper is not installed; it carries the Silero VAD model")
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "silero_vad_v6.onnx"
    if not path.is_file():
        raise ValueError(f"Silero VAD model missing from faster-whisper: {path}")
    return path


class SileroSpeechDetector:
    """:class:`~openclaw_desktop.voice.ports.SpeechDetector`: speech probability per frame.

    ``model_path`` overrides the bundled model (same v6 input layout). Not thread-safe:
    feed it from one thread; one instance per audio stream.
    """

    def __init__(self, model_path: str | Path | None = None) -> None:
        path = Path(model_path) if model_path else bundled_model_path()
        options = onnxruntime.SessionOptions()
        # One thread: the VAD runs on every frame next to the wake word on a small CPU.
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(str(path), sess_options=options,
                                                     providers=["CPUExecutionProvider"])
        self.reset()

    def reset(self) -> None:
        """Forget the LSTM state and any buffered samples (start of a new utterance)."""
        self._h = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._c = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._last = 0.0

    def probability(self, frame: np.ndarray) -> float:
        """Speech probability 0..1 for one frame of 16 kHz mono int16 (any length)."""
        if frame.dtype != np.int16:
            raise TypeError(f"VAD needs int16 frames, got {frame.dtype}")
        samples = np.concatenate((self._pending, frame.astype(np.float32) / 32768.0))
        n = samples.size // WINDOW
        self._pending = samples[n * WINDOW:]
        if n == 0:
            return self._last  # not a whole window yet: keep the previous estimate
        windows = samples[: n * WINDOW].reshape(n, WINDOW)
        contexts = np.vstack((self._context[None, :], windows[:-1, -CONTEXT:]))
        batch = np.concatenate((contexts, windows), axis=1)
        probs, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = windows[-1, -CONTEXT:].copy()
        self._last = float(np.max(probs))
        return self._last

    def speech_segments(self, audio: np.ndarray, *, threshold: float = 0.5,
                        frame_samples: int = 1_280) -> list[tuple[float, float]]:
        """``(start_s, end_s)`` spans of a whole clip whose frames score ≥ ``threshold``.

        A convenience for tests and benchmarks; resets the detector before and after.
        """
        self.reset()
        spans: list[tuple[float, float]] = []
        start: float | None = None
        for i in range(0, audio.size - frame_samples + 1, frame_samples):
            speech = self.probability(audio[i:i + frame_samples]) >= threshold
            t = i / SAMPLE_RATE
            if speech and start is None:
                start = t
            elif not speech and start is not None:
                spans.append((start, t))
                start = None
        if start is not None:
            spans.append((start, audio.size / SAMPLE_RATE))
        self.reset()
        return spans
