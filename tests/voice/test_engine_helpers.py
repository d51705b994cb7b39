"""Pure helpers of the engines: resampling, the sample ring, the level meter."""

from __future__ import annotations

import numpy as np
import pytest

from openclaw_desktop.voice.engines.level import LevelMeter
from openclaw_desktop.voice.engines.resample import StreamResampler, resample
from openclaw_desktop.voice.engines.sample_ring import SampleRing


def tone(freq: float, rate: int, seconds: float = 1.0, amp: float = 10_000) -> np.ndarray:
    return (np.sin(2 * np.pi * freq * np.arange(int(rate * seconds)) / rate) * amp).astype(np.int16)


def peak_hz(x: np.ndarray, rate: int) -> float:
    return float(np.argmax(np.abs(np.fft.rfft(x.astype(np.float64)))) * rate / x.size)


@pytest.mark.parametrize("src,dst", [(22_050, 16_000), (48_000, 16_000), (16_000, 48_000), (44_100, 22_050)])
def test_resample_keeps_pitch_level_and_length(src, dst):
    out = resample(tone(440, src), src, dst)
    assert out.dtype == np.int16 and out.size == dst
    assert peak_hz(out, dst) == pytest.approx(440, abs=2)
    assert np.abs(out[200:-200]).max() == pytest.approx(10_000, rel=0.03)


def test_resample_removes_what_the_new_rate_cannot_carry():
    alias = resample(tone(10_000, 22_050), 22_050, 16_000)  # above 8 kHz: would fold to 6 kHz
    assert np.abs(alias[200:-200]).max() < 100
    assert resample(np.zeros(0, dtype=np.int16), 22_050, 16_000).size == 0
    same = tone(300, 16_000)
    assert np.array_equal(resample(same, 16_000, 16_000), same)
    with pytest.raises(ValueError):
        resample(same, 0, 16_000)


@pytest.mark.parametrize("src,block", [(48_000, 3_840), (22_050, 1_024), (44_100, 3_528)])
def test_stream_resampler_matches_one_shot_without_clicks(src, block):
    x = tone(440, src, 2.0)
    stream = StreamResampler(src, 16_000)
    out = np.concatenate([stream.process(x[i:i + block]) for i in range(0, x.size, block)])
    assert abs(out.size - 32_000) <= 1
    # No discontinuity at block edges: the largest step is that of a 440 Hz sine.
    steps = np.abs(np.diff(out[100:].astype(np.float64)))
    assert steps.max() < 10_000 * 2 * np.pi * 440 / 16_000 * 1.05
    # The same sine, late by the filter's group delay of 31 input samples.
    t = np.arange(out.size) / 16_000 - 31 / src
    expected = np.sin(2 * np.pi * 440 * t) * 10_000
    assert np.max(np.abs(out[1_000:] - expected[1_000:])) < 300


def test_sample_ring_keeps_the_newest_samples():
    ring = SampleRing(5)
    assert ring.last(3).tolist() == [0, 0, 0]
    ring.write(np.arange(1, 4, dtype=np.int16))
    assert ring.last(5).tolist() == [0, 0, 1, 2, 3] and ring.last(7).tolist() == [0, 0, 0, 0, 1, 2, 3]
    ring.write(np.arange(10, 14, dtype=np.int16))
    assert ring.last(5).tolist() == [3, 10, 11, 12, 13]
    ring.write(np.arange(100, 120, dtype=np.int16))
    assert ring.last(2).tolist() == [118, 119]
    ring.clear()
    assert not ring.last(5).any()


def test_level_meter():
    meter = LevelMeter(window_frames=2)
    assert meter.rms == 0 and meter.dbfs == -120
    meter.feed(np.full(1280, 16_384, dtype=np.int16))
    assert meter.rms == pytest.approx(0.5) and meter.dbfs == pytest.approx(-6.02, abs=0.01)
    meter.feed(np.zeros(1280, dtype=np.int16))
    assert meter.rms == pytest.approx(np.sqrt(0.125))
    meter.feed(np.zeros(1280, dtype=np.int16))  # the loud frame left the window
    assert meter.rms == 0
    meter.reset()
    with pytest.raises(ValueError):
        LevelMeter(0)
