"""End of utterance and speech segments from per-frame probabilities (table-driven)."""

from __future__ import annotations

import numpy as np
import pytest

from openclaw_desktop.voice.endpointing import (
    EndpointConfig,
    Endpointer,
    SpeechSegmenter,
    Verdict,
)

S, Q = 0.9, 0.02  # a speech frame and a quiet frame (80 ms each)


def run(probs: list[float], config: EndpointConfig | None = None, **kw: bool) -> tuple[Verdict, int]:
    """Feed until a final verdict: (verdict, frames used)."""
    endpointer = Endpointer(config or EndpointConfig(), **kw)
    for i, p in enumerate(probs, 1):
        verdict = endpointer.update(p)
        if verdict is not Verdict.CONTINUE:
            return verdict, i
    return Verdict.CONTINUE, len(probs)


@pytest.mark.parametrize(("probs", "config", "expected"), [
    # 700 ms of silence after speech ends the utterance: 9 frames of 80 ms (720 ms).
    ([S] * 5 + [Q] * 20, EndpointConfig(), (Verdict.END, 14)),
    ([S] * 5 + [Q] * 8, EndpointConfig(), (Verdict.CONTINUE, 13)),
    # a pause shorter than the timeout does not end it
    ([S] * 5 + [Q] * 6 + [S] * 3 + [Q] * 9, EndpointConfig(), (Verdict.END, 23)),
    # a custom silence timeout
    ([S] * 3 + [Q] * 20, EndpointConfig(silence_timeout_ms=1_200), (Verdict.END, 18)),
    # nothing said: the no-speech timeout (5 s = 63 frames)
    ([Q] * 100, EndpointConfig(), (Verdict.NO_SPEECH, 63)),
    # one speech frame (a click, a chime) does not start an utterance
    ([Q, S, Q, Q, S, Q] + [Q] * 100, EndpointConfig(no_speech_timeout_ms=1_000), (Verdict.NO_SPEECH, 13)),
    # the hard stop
    ([S] * 2_000, EndpointConfig(), (Verdict.MAX_LENGTH, 1_500)),
    ([S] * 200, EndpointConfig(max_ms=8_000), (Verdict.MAX_LENGTH, 100)),
    # hysteresis: 0.4 is neither speech nor silence, so it keeps speech going
    ([S] * 3 + [0.4] * 20 + [Q] * 9, EndpointConfig(), (Verdict.END, 32)),
    ([S] * 3 + [0.3] * 9, EndpointConfig(), (Verdict.END, 12)),
    # the wake word's tail: speech ending within the ignored stretch does not count...
    ([S] * 3 + [Q] * 70, EndpointConfig(ignore_first_ms=320), (Verdict.NO_SPEECH, 63)),
    # ...but speech that goes on past it counts from its start
    ([S] * 6 + [Q] * 9, EndpointConfig(ignore_first_ms=320), (Verdict.END, 15)),
])
def test_endpointer_verdicts(probs, config, expected):
    assert run(probs, config) == expected


def test_speech_already_under_way_ends_on_silence_alone():
    assert run([Q] * 9, speech_started=True) == (Verdict.END, 9)


def test_endpointer_counts_time_in_frames():
    endpointer = Endpointer()
    for p in [S] * 4 + [Q] * 3:
        endpointer.update(p)
    assert (endpointer.elapsed_ms, endpointer.speech_ms, endpointer.started) == (560, 320, True)


def frames(codes: list[int]) -> list[np.ndarray]:
    return [np.full(4, c, dtype=np.int16) for c in codes]


def segment_all(codes: list[int], **kw: int) -> tuple[list[list[int]], SpeechSegmenter]:
    seg = SpeechSegmenter(pre_roll_frames=2, **kw)
    out = []
    for frame in frames(codes):
        found = seg.push(frame, S if frame[0] else Q)
        if found is not None:
            out.append(sorted(set(found.audio.tolist())))
    return out, seg


@pytest.mark.parametrize(("codes", "expected"), [
    ([0] * 5 + [1, 1, 1] + [0] * 9, [[0, 1]]),  # pre-roll silence + speech + trailing silence
    ([0, 0, 0, 7, 7, 0] + [0] * 9 + [0, 8, 8, 8] + [0] * 9, [[0, 7], [0, 8]]),
    ([5] + [0] * 20, []),  # one frame is not speech
    ([0, 0, 3, 3] + [0] * 5, []),  # not ended yet
])
def test_segmenter_cuts_speech_segments(codes, expected):
    assert segment_all(codes)[0] == expected


def test_segmenter_keeps_pre_roll_and_the_first_syllable():
    seg = SpeechSegmenter(pre_roll_frames=2)
    result = None
    for frame in frames([1, 2, 3, 4, 5, 6] + [0] * 9):
        result = seg.push(frame, Q if frame[0] in (0, 1, 2) else S) or result
    assert result is not None
    assert [int(x) for x in result.audio[::4]] == [1, 2, 3, 4, 5, 6] + [0] * 9
    assert result.speech_ms == 4 * 80


def test_segmenter_drops_long_speech_whole_and_recovers():
    out, seg = segment_all([9] * 100 + [0] * 9 + [4, 4, 4] + [0] * 9, max_segment_ms=2_000)
    assert out == [[0, 4]] and seg.dropped_long == 1 and not seg.active
