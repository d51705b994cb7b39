"""sounddevice adapters through real PortAudio → ALSA → PulseAudio null sinks.

The virtual microphone is fed with ``pacat``; the virtual speaker is recorded with
``pacat -r`` (tests/voice/audio_env.py). Whisper checks what came out of the speaker.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import time

import numpy as np
import pytest

from openclaw_desktop.voice.engines.audio_sounddevice import (
    SoundDeviceInput,
    SoundDeviceOutput,
    level_meter,
    list_input_devices,
    list_output_devices,
    refresh_devices,
)
from openclaw_desktop.voice.engines.wake_openwakeword import OpenWakeWordDetector
from openclaw_desktop.voice.ports import FRAME_SAMPLES, AudioDeviceError
from tests.voice import speech
from tests.voice.engine_fixtures import word_recall

LOUD = 1500  # int16 level that counts as "sound" in recordings (speech peaks at ~26000)


def open_mic(mic: SoundDeviceInput) -> queue.Queue[np.ndarray]:
    """Open ``mic`` into a queue and wait for its first frame (PulseAudio may take ~2 s)."""
    frames: queue.Queue[np.ndarray] = queue.Queue()
    mic.open(frames.put)
    frames.get(timeout=10)
    return frames


def drain(frames: queue.Queue[np.ndarray]) -> list[np.ndarray]:
    out = []
    while not frames.empty():
        out.append(frames.get_nowait())
    return out


def test_devices_are_listed(virtual_audio):
    assert "pulse" in list_input_devices() and "pulse" in list_output_devices()


def test_microphone_frames_carry_what_is_said(virtual_audio, tts, stt):
    said = speech.piper(tts, "Hey Jarvis, what is the weather in Paris tomorrow?")
    mic = SoundDeviceInput()
    wake = OpenWakeWordDetector()
    try:
        frames = open_mic(mic)
        assert mic.active
        drain(frames)
        virtual_audio.play_into_mic(said, 16_000)
        time.sleep(0.5)
        captured = drain(frames)
    finally:
        mic.close()
    assert not mic.active
    assert captured and all(f.dtype == np.int16 and f.shape == (FRAME_SAMPLES,) for f in captured)
    assert mic.overflows == 0 and mic.sample_rate == 16_000
    audio = np.concatenate(captured)
    # 16 kHz s16 mono end to end: PulseAudio passes the samples through unchanged (bit-exact
    # unless the feeding pacat is starved of CPU and PulseAudio fills a gap with silence).
    assert np.abs(audio).max() == np.abs(said).max()
    spoken = np.nonzero(np.abs(audio) > LOUD)[0]
    expected = np.nonzero(np.abs(said) > LOUD)[0]
    assert (spoken[-1] - spoken[0]) >= (expected[-1] - expected[0]), "the whole utterance was captured"
    hits = [h for h in map(wake.process, captured) if h is not None]
    assert [h.phrase for h in hits] == ["hey_jarvis"]
    heard = stt.transcribe(audio).text.lower()
    assert "jarvis" in heard and "tomorrow" in heard, heard


def test_level_meter_follows_the_input(virtual_audio):
    meter = level_meter()
    try:
        time.sleep(0.3)
        quiet = meter.level
        tone = (np.sin(2 * np.pi * 300 * np.arange(16_000) / 16_000) * 16_000).astype(np.int16)
        player = virtual_audio.play_into_mic(tone, 16_000, wait=False)
        time.sleep(0.8)
        loud = meter.level
        player.wait(10)
    finally:
        meter.close()
    assert quiet < 0.01
    assert 0.3 < loud < 0.4  # a sine at half scale has an RMS of 0.35
    assert meter.meter.dbfs == pytest.approx(20 * np.log10(meter.level), abs=0.01)


def test_speaker_plays_sentence_after_sentence(virtual_audio, tts, stt):
    first, second = "The meeting has been added to your calendar.", "Anything else?"
    speaker = SoundDeviceOutput()
    try:
        with virtual_audio.record_speaker() as recording:
            speaker.play(tts.synthesize(first), tts.sample_rate)
            speaker.play(tts.synthesize(second), tts.sample_rate)
            assert speaker.busy
            time.sleep(1.0)
            reference = speaker.reference(16_000)  # the last second played, at 16 kHz
            deadline = time.monotonic() + 15
            while speaker.busy and time.monotonic() < deadline:
                time.sleep(0.02)
            assert not speaker.busy
        time.sleep(1.5)  # idle: the stream stops itself, the reference falls silent
        assert not speaker.reference(FRAME_SAMPLES).any()
        assert speaker.sample_rate == 22_050
    finally:
        speaker.close()
    assert speaker.played_utterances == 2
    assert np.abs(reference).max() > 5_000  # what was being played, at 16 kHz
    heard = stt.transcribe(recording.audio).text
    assert word_recall(first + " " + second, heard) >= 0.8, heard
    assert heard.lower().index("calendar") < heard.lower().index("else")


def test_reference_matches_what_was_played(virtual_audio):
    """The echo reference is the played audio at 16 kHz (same tone, same level)."""
    speaker = SoundDeviceOutput()
    tone = (np.sin(2 * np.pi * 500 * np.arange(22_050 * 2) / 22_050) * 12_000).astype(np.int16)
    try:
        speaker.play(tone, 22_050)
        time.sleep(0.6)
        ref = speaker.reference(1_600)
    finally:
        speaker.close()
    spectrum = np.abs(np.fft.rfft(ref.astype(np.float64)))
    assert np.argmax(spectrum) * 16_000 / ref.size == pytest.approx(500, abs=10)
    assert np.abs(ref).max() == pytest.approx(12_000, rel=0.05)


def test_stop_silences_within_300_ms_and_play_works_again(virtual_audio, tts):
    speaker = SoundDeviceOutput()
    long_reply = ("Here is a long answer that keeps going for a while, so that there is plenty of "
                  "speech left to interrupt when the user starts talking over it.")
    try:
        with virtual_audio.record_speaker() as recording:
            speaker.play(tts.synthesize(long_reply), tts.sample_rate)
            time.sleep(1.2)
            stopped_at = time.monotonic()
            speaker.stop()
            assert not speaker.busy
            time.sleep(0.8)
            loud = np.nonzero(np.abs(recording.audio) > LOUD)[0]
            last_sound = recording.time_at(int(loud[-1]))
            restarted_at = recording.audio.size
            speaker.play(tts.synthesize("Okay."), tts.sample_rate)
            time.sleep(1.0)
        after = recording.audio[restarted_at:]
    finally:
        speaker.close()
    assert loud.size and last_sound - stopped_at <= 0.3, last_sound - stopped_at
    assert np.abs(after).max() > 5_000  # playback works again after a barge-in stop
    speaker.stop()  # idempotent, also when closed


def test_unknown_device_is_an_audio_device_error(virtual_audio):
    with pytest.raises(AudioDeviceError) as caught:
        SoundDeviceInput("No Such Microphone").open(lambda frame: None)
    assert caught.value.kind == "input" and "No Such Microphone" in str(caught.value)
    with pytest.raises(AudioDeviceError) as caught:
        SoundDeviceOutput("No Such Speaker").play(np.zeros(100, dtype=np.int16), 16_000)
    assert caught.value.kind == "output"


_NO_DEVICES = """
import json, numpy as np
from openclaw_desktop.voice.engines import audio_sounddevice as a
from openclaw_desktop.voice.ports import AudioDeviceError
out = {"inputs": a.list_input_devices(), "outputs": a.list_output_devices()}
for name, act in (("mic", lambda: a.SoundDeviceInput().open(lambda f: None)),
                  ("speaker", lambda: a.SoundDeviceOutput().play(np.zeros(10, dtype=np.int16), 16000)),
                  ("pulse_mic", lambda: a.SoundDeviceInput("pulse").open(lambda f: None))):
    try:
        act()
        out[name] = "opened"
    except AudioDeviceError as exc:
        out[name] = [exc.kind, str(exc)]
print(json.dumps(out))
"""


def test_no_sound_system_at_all_is_an_error_not_a_crash(tmp_path):
    """Sound server unreachable on a machine without a sound card (the project's machines):
    PortAudio lists nothing and every open is an AudioDeviceError, in a fresh process."""
    env = {**os.environ, "PULSE_SERVER": f"unix:{tmp_path}/nothing"}
    done = subprocess.run([sys.executable, "-c", _NO_DEVICES], env=env, capture_output=True, text=True,
                          timeout=60, cwd=os.getcwd(), check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["inputs"] == [] and out["outputs"] == []
    assert out["mic"][0] == "input" and "no default input device" in out["mic"][1]
    assert out["speaker"][0] == "output"
    assert out["pulse_mic"][0] == "input" and "'pulse' not found" in out["pulse_mic"][1]


def test_resampled_playback_when_rates_differ(virtual_audio, tts):
    """A chime at 16 kHz queued after 22.05 kHz speech plays at the stream's rate."""
    speaker = SoundDeviceOutput()
    voice = tts.synthesize("Timer set.")
    chime = (np.sin(2 * np.pi * 880 * np.arange(4_000) / 16_000) * 8_000).astype(np.int16)
    try:
        with virtual_audio.record_speaker() as recording:
            speaker.play(voice, tts.sample_rate)
            speaker.play(chime, 16_000)
            deadline = time.monotonic() + 10
            while speaker.busy and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        speaker.close()
    audio = recording.audio
    expected = voice.size / tts.sample_rate + chime.size / 16_000
    loud = np.nonzero(np.abs(audio) > LOUD)[0]
    assert (loud[-1] - loud[0]) / 16_000 == pytest.approx(expected, abs=0.35)
    tail = audio[loud[-1] - 3_000:loud[-1]].astype(np.float64)  # inside the chime
    peak_hz = np.argmax(np.abs(np.fft.rfft(tail))) * 16_000 / tail.size
    assert peak_hz == pytest.approx(880, abs=15)  # right pitch: resampled, not sped up


def test_refresh_devices_waits_for_open_streams(virtual_audio, tts):
    """Re-scanning PortAudio (hot-plug) never pulls a device from under an open stream:
    an open microphone blocks it; an idle speaker lets go and reopens on the next play."""
    mic, speaker = SoundDeviceInput(), SoundDeviceOutput()
    try:
        open_mic(mic)
        assert refresh_devices() is False
        mic.close()
        speaker.play(tts.synthesize("One."), tts.sample_rate)
        assert refresh_devices() is False  # still playing
        speaker.stop()
        assert refresh_devices() is True
        assert "pulse" in list_output_devices()
        with virtual_audio.record_speaker() as recording:
            speaker.play(tts.synthesize("Two."), tts.sample_rate)
            time.sleep(1.0)
        assert np.abs(recording.audio).max() > 5_000
    finally:
        mic.close()
        speaker.close()
