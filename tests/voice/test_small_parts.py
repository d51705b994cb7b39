"""Barge-in decisions, the frame queue, chimes and event shapes."""

from __future__ import annotations

import asyncio
import json
import threading

import numpy as np
import pytest

from openclaw_desktop.voice import chimes as chimes_module
from openclaw_desktop.voice import events as ev
from openclaw_desktop.voice.bargein import BargeInDetector, EchoPathMonitor, energy
from openclaw_desktop.voice.chimes import SOUNDS_DIR, load_chimes, read_wav, synthesize
from openclaw_desktop.voice.frame_queue import FrameQueue, QueueClosed

S, Q = 0.9, 0.1


@pytest.mark.parametrize(("frames_needed", "holdoff", "feed", "fired_at"), [
    (2, 0, [(S, True), (S, True)], [2]),
    (2, 0, [(S, True), (Q, True), (S, True), (S, True)], [4]),  # must be consecutive
    (2, 0, [(S, True), (S, True), (S, True), (S, True)], [2]),  # fires once per playback
    (2, 0, [(S, False), (S, False), (S, False)], []),  # nothing playing: nothing to stop
    (2, 0, [(S, True), (S, False), (S, True), (S, True)], [4]),  # playback ended in between
    (3, 0, [(S, True)] * 3, [3]),
    (1, 2, [(S, True)] * 4, [3]),  # hold-off at the start of playback
    (2, 0, [(0.65, True), (0.65, True)], [2]),
    (2, 0, [(0.55, True), (0.55, True)], []),  # below the barge-in threshold (0.6)
])
def test_barge_in_decisions(frames_needed, holdoff, feed, fired_at):
    detector = BargeInDetector(frames_needed, 0.6, holdoff)
    assert [i for i, (p, playing) in enumerate(feed, 1) if detector.update(p, playing=playing)] == fired_at


def test_barge_in_needs_at_least_one_frame():
    with pytest.raises(ValueError):
        BargeInDetector(0)


def frame(n: int) -> np.ndarray:
    return np.full(4, n, dtype=np.int16)


async def test_frame_queue_drops_the_oldest_and_counts():
    queue = FrameQueue(3)
    for n in range(1, 6):
        queue.put(frame(n))
    assert queue.dropped == 2 and len(queue) == 3
    assert [int((await queue.get())[0]) for _ in range(3)] == [3, 4, 5]
    assert queue.get_nowait() is None


async def test_frame_queue_wakes_a_waiting_get_from_another_thread():
    queue = FrameQueue(4)
    getter = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    thread = threading.Thread(target=lambda: [queue.put(frame(n)) for n in (7, 8)])
    thread.start()
    thread.join()
    assert int((await asyncio.wait_for(getter, 1))[0]) == 7
    assert int((await asyncio.wait_for(queue.get(), 1))[0]) == 8


async def test_frame_queue_cancelled_get_loses_nothing_and_close_ends_waiting():
    queue = FrameQueue(4)
    getter = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    getter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await getter
    queue.put(frame(1))
    assert int((await queue.get())[0]) == 1
    waiting = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    queue.close()
    with pytest.raises(QueueClosed):
        await asyncio.wait_for(waiting, 1)
    queue.put(frame(2))  # ignored once closed
    assert queue.clear() == 0 and queue.dropped == 0


def test_frame_queue_needs_room():
    with pytest.raises(ValueError):
        FrameQueue(0)


def test_the_committed_chimes_are_ours_and_reproducible():
    for name in ("wake", "send"):
        committed = read_wav(SOUNDS_DIR / f"{name}.wav", name)
        generated = synthesize(name)
        assert committed.sample_rate == generated.sample_rate == 22_050
        assert np.max(np.abs(committed.audio.astype(int) - generated.audio.astype(int))) <= 1
        assert 100 <= committed.duration_ms <= 250  # short enough not to talk over the user
        assert np.max(np.abs(committed.audio)) < 0.4 * 32768  # headroom: no clipping later
        assert committed.audio[0] == 0 and abs(int(committed.audio[-1])) < 200  # no clicks


def test_chimes_are_synthesised_when_the_files_are_missing(tmp_path):
    (tmp_path / "wake.wav").write_bytes(b"not a wav")
    chimes = load_chimes(tmp_path)
    assert np.array_equal(chimes.wake.audio, synthesize("wake").audio)
    assert chimes.get("send").name == "send"
    assert chimes_module.main([str(tmp_path)]) == 0
    assert read_wav(tmp_path / "wake.wav", "wake").audio.size == synthesize("wake").audio.size


def test_events_serialise_to_flat_json_with_their_stage():
    events = [
        ev.Listening(), ev.WakeDetected(ev.WakeSource.WAKE_WORD, "hey jarvis", 0.98, "Hey Jarvis."),
        ev.TranscriptReady("Hey Jarvis, hi.", "hi."), ev.ReplyDelta("Hel"), ev.SpeakingStarted("Hello.", 0),
        ev.PipelineError(ev.ErrorCode.STT_FAILED, "boom"), ev.DeviceMissing("input", "gone", 3.0),
        ev.DeviceMissing("output", "gone", 3.0), ev.Stopped(),
    ]
    lines = [json.loads(json.dumps(e.to_dict())) for e in events]
    assert lines[0] == {"type": "listening", "stage": "listening", "talk_mode": False}
    assert lines[1] == {"type": "wake", "stage": "wake_detected", "source": "wake_word", "phrase": "hey jarvis",
                        "score": 0.98, "transcript": "Hey Jarvis."}
    assert lines[2] == {"type": "transcript", "text": "Hey Jarvis, hi.", "command": "hi."}
    assert lines[4] == {"type": "speaking_started", "stage": "speaking", "text": "Hello.", "index": 0}
    assert lines[5] == {"type": "error", "stage": "error", "code": "stt_failed", "message": "boom"}
    assert lines[6]["stage"] == "device_missing" and "stage" not in lines[7]
    assert lines[8] == {"type": "stopped", "stage": "stopped"}
    assert {str(s) for s in ev.Stage} >= {"listening", "wake_detected", "capturing", "transcribing", "thinking",
                                          "speaking", "paused", "stopped", "device_missing", "error"}


@pytest.mark.parametrize(("feed", "audible"), [
    ([], True),  # nothing known yet: trust the canceller
    ([(0.0, 0.01)] * 2, True),  # too little evidence
    ([(0.0, 0.01)] * 5, False),  # silence while playing: headphones
    ([(1e-7, 0.01)] * 5, False),  # a quiet room's noise floor (-50 dB)
    ([(1e-3, 0.01)] * 5, True),  # echo at -10 dB: laptop speakers
    ([(1e-3, 0.01)] * 3 + [(0.5, 0.01)] * 2, True),  # the user talking over echo does not flip it
    ([(0.2, 0.0)] * 10, True),  # nothing playing: no evidence
    ([(0.0, 0.01), (1e-3, 0.0), (1e-3, 0.0), (1e-3, 0.0)], True),  # echo arriving late still counts
])
def test_echo_path_monitor(feed, audible):
    monitor = EchoPathMonitor()
    for mic, ref in feed:
        monitor.update(mic, ref)
    assert monitor.audible is audible


def test_energy_is_mean_square_of_full_scale():
    assert energy(np.zeros(0, dtype=np.int16)) == 0.0
    assert energy(np.full(160, -32768, dtype=np.int16)) == pytest.approx(1.0)
    assert energy(np.full(160, 16384, dtype=np.int16)) == pytest.approx(0.25)
