"""What Settings and the onboarding get from the voice engines: device lists, voices,
wake phrases and a live microphone level.

:func:`scan_catalog` imports the engine helpers (sounddevice, Piper, openWakeWord: about
a second of imports the first time, so it runs in an executor) and lists what there is;
without the ``voice`` extra (or without PortAudio) it degrades to an empty catalogue
instead of failing. :class:`MicLevel` is the ``level_source`` callable the level meters
poll: the running pipeline's microphone level when voice is on, else a meter stream of
its own, opened on the first poll and closed again a second after polling stops (so the
microphone is not held open behind a closed window). :func:`settings_extras` builds the
:class:`~openclaw_desktop.ui.settings.ports.SettingsExtras` from both.

Imports Qt (a timer); the engine modules are imported only inside the functions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer

from .voice_status import VOICE_INSTALL_HINT

log = logging.getLogger(__name__)

METER_IDLE_CLOSE_MS = 1000
"""A meter stream not polled for this long is closed (the window showing it went away)."""
METER_RETRY_S = 3.0
"""A microphone that failed to open is tried again after this long (not on every 50 ms poll)."""


@dataclass(frozen=True)
class VoiceCatalog:
    """What the voice engines offer on this machine (empty lists when voice is missing)."""

    available: bool = False
    """The voice engines import (the ``voice`` extra and PortAudio are installed)."""
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    voices: list[str] = field(default_factory=list)
    """Piper voice ``.onnx`` paths: the bundled one, then those under ``<state>/models/piper``."""
    phrases: list[str] = field(default_factory=list)
    """Wake phrases with a bundled openWakeWord model ("hey jarvis", …)."""
    problem: str | None = None
    """Why voice is not available, for a note."""


def _piper_voices(models_dir: Path) -> list[str]:
    found: list[str] = []
    try:
        from openclaw_desktop.voice.engines.tts_piper import default_voice_path

        found.append(str(default_voice_path()))
    except ImportError as exc:
        log.info("no bundled Piper voice: %s", exc)
    if models_dir.is_dir():
        found += [str(p) for p in sorted(models_dir.rglob("*.onnx")) if str(p) not in found]
    return found


def _wake_phrases() -> list[str]:
    try:
        from openclaw_desktop.voice.engines.wake_openwakeword import available_phrases
    except ImportError as exc:
        log.info("no openWakeWord models: %s", exc)
        return []
    return [phrase.replace("_", " ") for phrase in available_phrases()]


def scan_catalog(piper_dir: Path, refresh: bool = True) -> VoiceCatalog:
    """List devices, voices and wake phrases (blocking: run it in an executor).

    ``refresh`` re-scans the audio devices first (to list one plugged in since PortAudio
    started); the caller passes False while one of its streams may be opening.
    """
    try:
        from openclaw_desktop.voice.engines import audio_sounddevice as audio
    except (ImportError, OSError) as exc:  # OSError: sounddevice without the PortAudio library
        return VoiceCatalog(problem=f"{VOICE_INSTALL_HINT} ({exc})")
    try:
        if refresh:
            audio.refresh_devices()  # a no-op while a stream is open
        inputs, outputs = audio.list_input_devices(), audio.list_output_devices()
    except Exception as exc:  # noqa: BLE001 - a broken audio stack lists nothing, never crashes the app
        log.warning("cannot list audio devices: %s", exc)
        inputs, outputs = [], []
    return VoiceCatalog(available=True, inputs=inputs, outputs=outputs, voices=_piper_voices(piper_dir),
                        phrases=_wake_phrases())


def level_height(rms: float) -> float:
    """0..1 for an RMS of 0..1, linear in dB above -60 dBFS (speech fills the bar's middle)."""
    from openclaw_desktop.voice.overlay_model import level_height as height

    return height(rms)


class MicLevel(QObject):
    """The ``level_source`` for the level meters (see the module docstring).

    ``pipeline_mic()`` returns the running pipeline's microphone (anything with ``level``
    and ``active``) or None; ``device()`` the configured input device name (None: the
    system default). ``opener(device)`` opens a meter (default: the engines helper's
    ``level_meter``). Polled on the GUI thread.
    """

    def __init__(self, pipeline_mic: Callable[[], Any], device: Callable[[], str | None], *,
                 opener: Callable[[str | None], Any] | None = None, idle_close_ms: int = METER_IDLE_CLOSE_MS,
                 retry_s: float = METER_RETRY_S, clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pipeline_mic, self.device, self.opener = pipeline_mic, device, opener or _open_meter
        self.retry_s, self.clock = retry_s, clock
        self.meter: Any = None
        """Our own open meter stream, if any."""
        self._meter_device: str | None = None
        self._failed_at: float | None = None
        self.problem: str | None = None
        """Why the last open failed (a missing microphone)."""
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_close_ms)
        self._idle.timeout.connect(self.close)

    def __call__(self) -> float:
        mic = self.pipeline_mic()
        if mic is not None and getattr(mic, "active", False):
            self.close()  # one stream is enough: read the pipeline's
            return level_height(float(mic.level))
        device = self.device()
        if self.meter is not None and device != self._meter_device:
            self.close()
        if self.meter is None and not self._open(device):
            return 0.0
        self._idle.start()  # (re)start the countdown to closing our own meter
        return level_height(float(self.meter.level))

    def _open(self, device: str | None) -> bool:
        now = self.clock()
        if self._failed_at is not None and now - self._failed_at < self.retry_s:
            return False
        try:
            self.meter = self.opener(device)
        except Exception as exc:  # noqa: BLE001 - AudioDeviceError, or no audio stack: the bar stays flat
            self._failed_at, self.problem = now, str(exc)
            return False
        self._meter_device, self._failed_at, self.problem = device, None, None
        return True

    def close(self) -> None:
        """Release our meter stream (idempotent)."""
        self._idle.stop()
        meter, self.meter = self.meter, None
        if meter is not None:
            try:
                meter.close()
            except Exception:
                log.exception("closing the level meter failed")


def _open_meter(device: str | None) -> Any:
    from openclaw_desktop.voice.engines.audio_sounddevice import level_meter

    return level_meter(device)


def settings_extras(catalog: VoiceCatalog, level: MicLevel | None, **more: Any) -> Any:
    """``SettingsExtras`` with the catalogue's lists and the level source (None without a
    microphone or without voice). ``more`` passes other fields (``launch``, …)."""
    from .settings.ports import SettingsExtras

    has_mic = catalog.available and bool(catalog.inputs)
    return SettingsExtras(level_source=level if has_mic and level is not None else None,
                          input_devices=lambda: list(catalog.inputs), output_devices=lambda: list(catalog.outputs),
                          tts_voices=lambda: list(catalog.voices), wake_phrases=lambda: list(catalog.phrases),
                          **more)
