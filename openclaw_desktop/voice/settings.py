"""Voice settings: the config document's ``voice`` section as a frozen, validated tree.

Keys (snake_case, as the settings window writes them; every key is optional):

``voice.wake.enabled`` (bool, false: always-on listening is opt-in), ``voice.wake.phrase`` ("hey jarvis"),
``voice.wake.threshold`` (0..1, 0.5), ``voice.wake.patience`` (frames, 1),
``voice.wake.model`` (path to a custom wake-word model, none), ``voice.wake.confirm``
(check the phrase in the transcript, true), ``voice.wake.transcript_triggers`` (match the
gateway's trigger words in transcripts of short speech, true), ``voice.input_device`` /
``voice.output_device`` (device name or index, none = system default), ``voice.tts_voice``
(Piper voice path, none = bundled), ``voice.stt_model`` (Whisper model directory, none =
bundled tiny.en), ``voice.silence_timeout_ms`` (700), ``voice.no_speech_timeout_ms``
(5000), ``voice.max_utterance_ms`` (120000), ``voice.chimes`` (true),
``voice.talk_mode`` (false), ``voice.talk_timeout_ms`` (8000), ``voice.barge_in`` (true),
``voice.barge_in_frames`` (2), ``voice.vad_threshold`` (0.5), ``voice.session_key``
("main").

A wrong type or range raises :class:`ConfigError` naming the file, the dotted key and the
problem. Pure code: must not import asyncio, Qt or any engine library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openclaw_desktop.errors import ConfigError

DEFAULT_WAKE_PHRASE = "hey jarvis"


@dataclass(frozen=True)
class WakeSettings:
    """``voice.wake.*``: the acoustic wake word and how a hit is confirmed."""

    enabled: bool = False
    """Always-on listening for the wake phrase and trigger words (opt-in, as in the tray's
    menu; push-to-talk works either way)."""
    phrase: str = DEFAULT_WAKE_PHRASE
    """The acoustic wake phrase; the engines map it to a bundled model."""
    threshold: float = 0.5
    """Model score 0..1 a frame must reach."""
    patience: int = 1
    """Consecutive 80 ms frames at or above ``threshold`` before a hit."""
    model: str | None = None
    """Path to a custom wake-word model (ONNX); None = the bundled model for ``phrase``."""
    confirm: bool = True
    """Confirm the phrase in the Whisper transcript of the wake segment (rejects near misses)."""
    transcript_triggers: bool = True
    """Also wake on the gateway's trigger words heard in transcripts of short speech."""


@dataclass(frozen=True)
class VoiceSettings:
    """The whole ``voice`` section with defaults; units are in the names."""

    wake: WakeSettings = field(default_factory=WakeSettings)
    input_device: str | int | None = None
    """Microphone name or index; None = the system default."""
    output_device: str | int | None = None
    """Speaker name or index; None = the system default."""
    tts_voice: str | None = None
    """Piper voice ``.onnx`` path; None = the bundled voice."""
    stt_model: str | None = None
    """faster-whisper model directory; None = the bundled tiny.en."""
    silence_timeout_ms: int = 700
    """Trailing silence that ends an utterance."""
    no_speech_timeout_ms: int = 5_000
    """After a wake, how long to wait for a command before saying so."""
    max_utterance_ms: int = 120_000
    """Hard stop for one utterance."""
    chimes: bool = True
    """Play the wake and send chimes."""
    talk_mode: bool = False
    """After a reply, listen again without the wake word (until ``talk_timeout_ms``)."""
    talk_timeout_ms: int = 8_000
    """Talk mode ends after this much time with no speech after a reply."""
    barge_in: bool = True
    """Speech during playback stops it."""
    barge_in_frames: int = 2
    """Consecutive 80 ms speech frames (on the echo-cancelled signal) that count as barge-in."""
    vad_threshold: float = 0.5
    """Speech probability 0..1 above which a frame counts as speech."""
    session_key: str = "main"
    """The session that receives voice commands."""


_KINDS = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", dict: "an object",
          list: "an array"}


class _Section:
    """Reads ``voice.*`` keys with dotted-key errors."""

    def __init__(self, path: str, doc: Any) -> None:
        self.path = path
        self.node = doc.get("voice") if isinstance(doc, dict) else None
        if self.node is not None and not isinstance(self.node, dict):
            raise ConfigError(path, "voice", "must be an object")

    def get(self, key: str, kinds: tuple[type, ...], default: Any) -> Any:
        node: Any = self.node
        parts = key.split(".")
        for i, part in enumerate(parts):
            if node is None:
                return default
            if not isinstance(node, dict):
                raise ConfigError(self.path, "voice." + ".".join(parts[:i]), "must be an object")
            node = node.get(part)
        if node is None:
            return default
        if (isinstance(node, bool) and bool not in kinds) or not isinstance(node, kinds):
            wanted = " or ".join(_KINDS[k] for k in kinds)
            got = _KINDS.get(type(node), type(node).__name__)
            raise ConfigError(self.path, f"voice.{key}", f"must be {wanted}, got {got}")
        return node

    def int_range(self, key: str, lo: int, hi: int, default: int) -> int:
        value = self.get(key, (int,), default)
        if not lo <= value <= hi:
            raise ConfigError(self.path, f"voice.{key}", f"must be between {lo} and {hi} (got {value})")
        return value

    def fraction(self, key: str, default: float) -> float:
        value = float(self.get(key, (int, float), default))
        if not 0.0 < value < 1.0:
            raise ConfigError(self.path, f"voice.{key}", f"must be greater than 0 and less than 1 (got {value})")
        return value

    def text(self, key: str, default: str | None, *, allow_empty: bool = False) -> str | None:
        value = self.get(key, (str,), default)
        if isinstance(value, str):
            value = value.strip()
            if not value and not allow_empty:
                if default is None:
                    return None  # an empty path means "use the bundled one"
                raise ConfigError(self.path, f"voice.{key}", "must not be empty")
        return value

    def device(self, key: str) -> str | int | None:
        value = self.get(key, (str, int), None)
        if isinstance(value, int) and value < 0:
            raise ConfigError(self.path, f"voice.{key}", f"must be a device name or an index >= 0 (got {value})")
        if isinstance(value, str):
            value = value.strip()
            # The settings window offers "System Default"; store nothing for it.
            return None if value.lower() in ("", "default", "system default") else value
        return value


def parse_voice_settings(path: str, doc: Any) -> VoiceSettings:
    """Validate the ``voice`` section of a parsed config document (ConfigError on a bad key)."""
    r = _Section(path, doc)
    wake = WakeSettings(
        enabled=r.get("wake.enabled", (bool,), False),
        phrase=r.text("wake.phrase", DEFAULT_WAKE_PHRASE) or DEFAULT_WAKE_PHRASE,
        threshold=r.fraction("wake.threshold", 0.5),
        patience=r.int_range("wake.patience", 1, 25, 1),
        model=r.text("wake.model", None),
        confirm=r.get("wake.confirm", (bool,), True),
        transcript_triggers=r.get("wake.transcript_triggers", (bool,), True),
    )
    silence = r.int_range("silence_timeout_ms", 100, 10_000, 700)
    no_speech = r.int_range("no_speech_timeout_ms", 500, 60_000, 5_000)
    max_utterance = r.int_range("max_utterance_ms", 1_000, 600_000, 120_000)
    if max_utterance <= silence:
        raise ConfigError(path, "voice.max_utterance_ms", "must be longer than voice.silence_timeout_ms")
    session_key = r.text("session_key", "main") or "main"
    return VoiceSettings(
        wake=wake,
        input_device=r.device("input_device"),
        output_device=r.device("output_device"),
        tts_voice=r.text("tts_voice", None),
        stt_model=r.text("stt_model", None),
        silence_timeout_ms=silence,
        no_speech_timeout_ms=no_speech,
        max_utterance_ms=max_utterance,
        chimes=r.get("chimes", (bool,), True),
        talk_mode=r.get("talk_mode", (bool,), False),
        talk_timeout_ms=r.int_range("talk_timeout_ms", 1_000, 600_000, 8_000),
        barge_in=r.get("barge_in", (bool,), True),
        barge_in_frames=r.int_range("barge_in_frames", 1, 12, 2),
        vad_threshold=r.fraction("vad_threshold", 0.5),
        session_key=session_key,
    )
