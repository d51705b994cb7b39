"""What the tray says about voice, and the texts around it: pure functions, no Qt.

The voice bridge (``voice_bridge.py``) keeps the facts (the pipeline's stage, whether the
runtime runs, why it could not start, which devices are missing); :func:`tray_voice`
turns them into the tray's voice state, its tooltip note and a problem that makes the
icon ask for attention. Also the notification texts for missing devices, the reason shown
when voice cannot start, and which config keys need the engines reloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VOICE_INSTALL_HINT = "Voice needs the voice components: pip install 'openclaw-desktop[voice]'"

TRAY_STATE = {"listening": "listening", "wake_detected": "listening", "capturing": "listening",
              "transcribing": "thinking", "thinking": "thinking", "speaking": "speaking"}
"""Pipeline stage → tray voice state; every other stage is ``idle``."""

NOT_LISTENING = frozenset({"starting", "stopped", "device_missing", "paused"})
"""Stages in which the microphone is not being listened to."""

DEVICE_NAMES = {"input": "microphone", "output": "speaker"}

ENGINE_KEYS = ("input_device", "output_device", "tts_voice", "stt_model")
WAKE_ENGINE_KEYS = ("phrase", "model", "threshold", "patience")


@dataclass(frozen=True)
class TrayVoice:
    """The tray's view of voice: ``state`` for the icon, ``note`` and ``problem`` for the
    tooltip (a problem also turns the icon to "needs attention")."""

    state: str
    note: str | None = None
    problem: str | None = None


def tray_voice(stage: str, *, running: bool, failure: str | None, problems: dict[str, str], talk: bool,
               wanted: bool) -> TrayVoice:
    """The tray's view from the bridge's facts (see :class:`TrayVoice`)."""
    problem = "; ".join(problems.values()) or None
    if problem is None and failure and wanted and not failure.startswith(VOICE_INSTALL_HINT):
        problem = failure  # a start that failed for a reason the user can fix
    if stage == "starting":
        return TrayVoice("thinking", "loading the speech models…", problem)
    if not running:
        return TrayVoice("idle", "not installed" if failure and failure.startswith(VOICE_INSTALL_HINT) else None,
                         problem)
    note = {"paused": "paused", "error": "recovering from an error"}.get(stage)
    if stage == "listening" and talk:
        note = "talk mode"
    return TrayVoice(TRAY_STATE.get(stage, "idle"), note, problem)


def start_failure(exc: BaseException, config_error: type[BaseException]) -> str:
    """Why voice did not start, for the user (starts with "gateway" when a reconnect may fix it)."""
    if isinstance(exc, ImportError):
        return f"{VOICE_INSTALL_HINT}."
    if isinstance(exc, config_error):
        return f"the voice settings are invalid: {exc}"
    if isinstance(exc, ConnectionError | TimeoutError):
        return f"gateway not reachable: {exc}"
    return f"the voice engines could not be loaded: {exc}"


def device_problem(kind: str, message: str, retry_s: float) -> str:
    """The tooltip's line for a missing device."""
    what = "replies are shown, not spoken" if kind == "output" else f"retrying every {retry_s:g} s"
    return f"no {DEVICE_NAMES.get(kind, kind)} ({message}); {what}"


def device_missing_bubble(kind: str, message: str) -> tuple[str, str]:
    """Title and body of the notification when a device goes missing."""
    then = "Replies are shown as text until one is back." if kind == "output" \
        else "Voice listens again as soon as one is back."
    return f"No {DEVICE_NAMES.get(kind, kind)}", f"{message[:1].upper()}{message[1:]}. {then}"


def device_back_bubble(kind: str) -> tuple[str, str]:
    """Title and body of the notification when it is back."""
    name = DEVICE_NAMES.get(kind, kind)
    return f"{name.capitalize()} connected", f"Voice is using the {name} again."


def engine_key(voice: dict[str, Any]) -> tuple[Any, ...]:
    """The ``voice`` config values the engines are built from: when they change, the
    running engines must be rebuilt (the pipeline applies the other keys live)."""
    wake = voice.get("wake")
    wake = wake if isinstance(wake, dict) else {}
    return tuple(voice.get(k) for k in ENGINE_KEYS) + tuple(wake.get(k) for k in WAKE_ENGINE_KEYS)
