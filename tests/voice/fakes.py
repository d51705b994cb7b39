"""Hand-written fake engines for the voice pipeline tests: a tiny simulated world.

Audio is symbolic: every 80 ms frame is filled with one value, ``code * LEVEL``, where
each code stands for a word (0 is silence) and words are about as loud as speech. The fakes read those codes back: the wake model fires
on chosen words, the VAD says "speech" for any word, the recogniser "transcribes" the
words it finds in the audio, the synthesiser turns text into frames of one code, and the
speaker plays by simulated time that advances with every microphone frame the test
feeds. While the speaker plays, a silent microphone frame becomes an *echo* frame (the
pipeline hearing itself), which the fake echo canceller removes when the reference says
something is playing.

Every fake records what it was asked, so tests assert behaviour, not calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import numpy as np

from openclaw_desktop.voice.events import VoiceEvent
from openclaw_desktop.voice.ports import (
    FRAME_SAMPLES,
    AudioDeviceError,
    Transcript,
    WakeHit,
)

FRAME_S = 0.08
LEVEL = 200
"""Sample value per word code: words are about as loud as speech (-44 dB and up)."""
ECHO = 30_001
"""The sample value of a frame in which the microphone hears our own playback (-1 dB)."""
TTS_RATE = 22_050
TTS_SECONDS_PER_WORD = 0.16


class Vocabulary:
    """Word ↔ code (codes start at 1; 0 is silence)."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}
        self._words: dict[int, str] = {}

    def code(self, word: str) -> int:
        if word not in self._codes:
            code = len(self._codes) + 1
            self._codes[word], self._words[code] = code, word
        return self._codes[word]

    def word(self, code: int) -> str | None:
        return self._words.get(code)


def frame_of(code: int) -> np.ndarray:
    """An 80 ms frame saying word ``code`` (0: silence)."""
    return np.full(FRAME_SAMPLES, code * LEVEL, dtype=np.int16)


def echo_frame() -> np.ndarray:
    """An 80 ms frame of our own playback heard by the microphone."""
    return np.full(FRAME_SAMPLES, ECHO, dtype=np.int16)


def code_of(sample: int) -> int:
    """The word code a sample value carries (-1 for echo or anything else)."""
    return sample // LEVEL if sample % LEVEL == 0 else -1


class FakeMic:
    """Fails to open ``missing`` times (AudioDeviceError), then delivers what tests push."""

    def __init__(self) -> None:
        self.missing = 0
        self.on_frame: Callable[[np.ndarray], None] | None = None
        self.opens = 0
        self.closes = 0

    def open(self, on_frame: Callable[[np.ndarray], None]) -> None:
        self.opens += 1
        if self.missing:
            self.missing -= 1
            raise AudioDeviceError("input", "no microphone plugged in")
        self.on_frame = on_frame

    def close(self) -> None:
        self.closes += 1
        self.on_frame = None


class FakeSpeaker:
    """Plays by simulated time (:meth:`advance`); records every utterance and stop."""

    def __init__(self) -> None:
        self.missing = False
        self.played: list[tuple[int, int]] = []  # (samples, rate)
        self.stops = 0
        self._queue: list[float] = []  # seconds left of each queued utterance

    def play(self, audio: np.ndarray, sample_rate: int) -> None:
        if self.missing:
            raise AudioDeviceError("output", "no speaker plugged in")
        self.played.append((int(audio.size), sample_rate))
        self._queue.append(audio.size / sample_rate)

    def stop(self) -> None:
        self.stops += 1
        self._queue.clear()

    @property
    def busy(self) -> bool:
        return bool(self._queue)

    def reference(self, samples: int) -> np.ndarray:
        return np.full(samples, 1_000 if self._queue else 0, dtype=np.int16)

    def advance(self, seconds: float) -> None:
        while seconds > 0 and self._queue:
            take = min(seconds, self._queue[0])
            self._queue[0] -= take
            seconds -= take
            if self._queue[0] <= 1e-9:
                self._queue.pop(0)


class FakeWake:
    """Fires for chosen words after ``patience`` frames of them (like openWakeWord)."""

    def __init__(self, vocab: Vocabulary, scores: dict[str, float], *, patience: int = 1) -> None:
        self.vocab, self.scores, self.patience = vocab, scores, patience
        self.resets = 0
        self._run = 0

    def process(self, frame: np.ndarray) -> WakeHit | None:
        word = self.vocab.word(code_of(int(frame[0])))
        if word in self.scores:
            self._run += 1
            if self._run == self.patience:
                return WakeHit("hey_jarvis", self.scores[word])
        else:
            self._run = 0
        return None

    def reset(self) -> None:
        self.resets += 1
        self._run = 0


class FakeVad:
    """0.9 for any non-silent frame (words and echo alike), 0.02 for silence."""

    def __init__(self) -> None:
        self.resets = 0

    def probability(self, frame: np.ndarray) -> float:
        return 0.9 if int(frame[0]) != 0 else 0.02

    def reset(self) -> None:
        self.resets += 1


class FakeStt:
    """Reads the words back out of the audio; ``heard`` rewrites a text ("as Whisper would")."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.heard: dict[str, str] = {}
        self.fail = False
        self.calls: list[str] = []

    def transcribe(self, audio: np.ndarray) -> Transcript:
        if self.fail:
            raise RuntimeError("recogniser crashed")
        words: list[str] = []
        last = 0
        for i in range(0, audio.size, FRAME_SAMPLES):
            code = code_of(int(audio[i]))
            word = self.vocab.word(code)
            if code != last and word is not None:
                words.append(word)
            last = code
        text = " ".join(words)
        text = self.heard.get(text, text)
        self.calls.append(text)
        return Transcript(text, audio.size / 16_000)


class FakeTts:
    """``TTS_SECONDS_PER_WORD`` of audio per word; records the sentences."""

    sample_rate = TTS_RATE

    def __init__(self) -> None:
        self.texts: list[str] = []

    def synthesize(self, text: str) -> np.ndarray:
        self.texts.append(text)
        return np.full(int(len(text.split()) * TTS_SECONDS_PER_WORD * TTS_RATE), 1_000, dtype=np.int16)


class FakeEcho:
    """Removes echo frames while the reference is not silent; passes the rest.

    ``muffles``: like WebRTC's suppressor before it has learned an echo path, it also
    silences the user while something plays."""

    def __init__(self, *, muffles: bool = False) -> None:
        self.frames = 0
        self.muffles = muffles

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        self.frames += 1
        if far.any() and (int(near[0]) == ECHO or self.muffles):
            return np.zeros_like(near)
        return near

    def reset(self) -> None:
        pass


@dataclass
class ScriptedReply:
    """One reply: deltas, each optionally held until ``gate`` returns True."""

    deltas: list[str]
    gates: dict[int, Callable[[], bool]] = field(default_factory=dict)
    error: Exception | None = None
    delay_s: float = 0.0


class FakeResponder:
    """Replies from a script (an echo when it runs out); records commands and aborts."""

    def __init__(self) -> None:
        self.script: list[ScriptedReply] = []
        self.commands: list[str] = []
        self.aborted: list[str] = []
        self.finished: list[str] = []

    async def reply(self, text: str) -> AsyncIterator[str]:
        self.commands.append(text)
        scripted = self.script.pop(0) if self.script else ScriptedReply([f"You said {text}."])
        done = False
        try:
            for i, delta in enumerate(scripted.deltas):
                gate = scripted.gates.get(i)
                while gate is not None and not gate():
                    await asyncio.sleep(0.002)
                if scripted.delay_s:
                    await asyncio.sleep(scripted.delay_s)
                yield delta
            if scripted.error is not None:
                done = True
                raise scripted.error
            done = True
            self.finished.append(text)
        finally:
            if not done:
                self.aborted.append(text)


class Recorder:
    """Collects pipeline events."""

    def __init__(self) -> None:
        self.events: list[VoiceEvent] = []

    def __call__(self, event: VoiceEvent) -> None:
        self.events.append(event)

    def types(self, *, skip: tuple[str, ...] = ("level",)) -> list[str]:
        return [e.type for e in self.events if e.type not in skip]

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def count(self, type_name: str) -> int:
        return sum(1 for e in self.events if e.type == type_name)
