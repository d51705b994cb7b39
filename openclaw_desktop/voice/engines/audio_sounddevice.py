"""Microphone and speaker through sounddevice (PortAudio).

The only importer of ``sounddevice``, and it imports it lazily: PortAudio enumerates the
devices once, when it is initialised (on import), so importing it early would freeze the
device list before the sound server is up. :func:`refresh_devices` re-initialises
PortAudio (to see a newly plugged device) when none of our streams is open.

* :class:`SoundDeviceInput` captures 16 kHz mono int16 in 80 ms frames through an
  ``InputStream`` callback. A device that refuses 16 kHz is opened at its own rate and
  resampled. It also keeps a level meter (RMS of the last few frames).
* :class:`SoundDeviceOutput` plays queued utterances one after another through an
  ``OutputStream`` callback; ``stop()`` empties the queue and aborts the stream, which
  drops what PortAudio had buffered, so playback ends within one block. It records what it
  handed to the device, resampled to 16 kHz, as the echo reference. The stream stops by
  itself after a second of silence (no CPU while idle) and restarts on the next ``play``.

A missing device, or one that refuses to open, raises
:class:`~openclaw_desktop.voice.ports.AudioDeviceError`, never a PortAudio error.

Must not import Qt, asyncio or another engine library.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from openclaw_desktop.voice.engines.level import LevelMeter
from openclaw_desktop.voice.engines.resample import StreamResampler, resample
from openclaw_desktop.voice.engines.sample_ring import SampleRing
from openclaw_desktop.voice.ports import FRAME_SAMPLES, SAMPLE_RATE, AudioDeviceError

log = logging.getLogger(__name__)

Device = str | int | None
"""A device by name (exact, else case-insensitive substring), by PortAudio index, or
``None``/``""``/``"default"`` for the system default."""

# PortAudio is process-wide state; re-initialising it while a stream is open would pull
# the device out from under that stream. These are our adapters (bookkeeping of that
# process-wide library, not a service): refresh_devices asks each to let go of an idle
# stream first and gives up if one is busy.
_adapters: weakref.WeakSet[Any] = weakref.WeakSet()


def _sd() -> Any:
    import sounddevice  # lazy on purpose: see the module docstring

    return sounddevice


def refresh_devices() -> bool:
    """Re-scan the audio devices; returns False (and does nothing) while a stream is in use.

    An idle speaker stream is closed for it (the next ``play`` reopens it).
    """
    if not all(adapter._release_if_idle() for adapter in list(_adapters)):
        return False
    sd = _sd()
    sd._terminate()  # sounddevice's documented way to re-enumerate after a hot-plug
    sd._initialize()
    return True


def _devices(kind: str) -> list[dict[str, Any]]:
    sd = _sd()
    key = f"max_{kind}_channels"
    return [dict(d) for d in sd.query_devices() if d[key] > 0]


def list_input_devices() -> list[str]:
    """Names of the devices that can record (for the Settings Voice tab)."""
    return [d["name"] for d in _devices("input")]


def list_output_devices() -> list[str]:
    """Names of the devices that can play."""
    return [d["name"] for d in _devices("output")]


def _find(device: Device, kind: str) -> int | None:
    """PortAudio index for ``device`` (``None`` = the default), or AudioDeviceError."""
    sd = _sd()
    if device is None or device == "" or device == "default":
        try:
            sd.query_devices(kind=kind)
        except (sd.PortAudioError, ValueError) as exc:
            raise AudioDeviceError(kind, f"no default {kind} device ({exc})") from None
        return None
    candidates = _devices(kind)
    if isinstance(device, int):
        if any(d["index"] == device for d in candidates):
            return device
    else:
        for match in (lambda n: n == device, lambda n: device.lower() in n.lower()):
            for d in candidates:
                if match(d["name"]):
                    return int(d["index"])
    names = ", ".join(d["name"] for d in candidates) or "none"
    raise AudioDeviceError(kind, f"{kind} device {device!r} not found (available: {names})")


def _resolve(device: Device, kind: str) -> int | None:
    try:
        return _find(device, kind)
    except AudioDeviceError:
        # Maybe it was plugged in after PortAudio started: look again once.
        if refresh_devices():
            return _find(device, kind)
        raise


class SoundDeviceInput:
    """:class:`~openclaw_desktop.voice.ports.AudioInput` over a PortAudio input stream.

    ``on_frame`` runs on the audio thread and must return quickly (the pipeline puts the
    frame on its bounded queue). An exception from it is logged, never stops capture.
    """

    def __init__(self, device: Device = None, *, meter_frames: int = 3) -> None:
        self.device = device
        self.meter = LevelMeter(window_frames=meter_frames)
        """RMS of the recent input (read it from any thread)."""
        self.overflows = 0
        """Blocks PortAudio reported as overflowed (input data lost before we got it)."""
        self.sample_rate = SAMPLE_RATE
        """The rate the device actually runs at (16 kHz unless it refused)."""
        self._stream: Any = None
        self._on_frame: Callable[[np.ndarray], None] | None = None
        self._resampler: StreamResampler | None = None
        self._pending = np.zeros(0, dtype=np.int16)
        self._lost = False
        _adapters.add(self)

    def _release_if_idle(self) -> bool:
        return self._stream is None  # an open microphone is never idle

    @property
    def level(self) -> float:
        """RMS of the last few frames, 0..1 of full scale."""
        return self.meter.rms

    @property
    def active(self) -> bool:
        """True while the stream is open and running (False after an unplug)."""
        return self._stream is not None and not self._lost and bool(self._stream.active)

    def open(self, on_frame: Callable[[np.ndarray], None]) -> None:
        """Start capturing into ``on_frame``; AudioDeviceError when the device is missing."""
        self.close()
        sd = _sd()
        index = _resolve(self.device, "input")
        self._on_frame = on_frame
        self._pending = np.zeros(0, dtype=np.int16)
        self._lost = False
        try:
            stream = self._make_stream(sd, index, SAMPLE_RATE)
        except sd.PortAudioError as exc:
            try:  # e.g. WASAPI devices only run at their mix rate: capture there, resample
                rate = int(sd.query_devices(index, kind="input")["default_samplerate"])
                if rate == SAMPLE_RATE:
                    raise
                stream = self._make_stream(sd, index, rate)
            except (sd.PortAudioError, ValueError):
                raise AudioDeviceError("input", f"cannot open input device {self.device or 'default'}: {exc}") from None
        try:
            stream.start()
        except sd.PortAudioError as exc:
            stream.close(ignore_errors=True)
            raise AudioDeviceError("input", f"cannot start input device {self.device or 'default'}: {exc}") from None
        self._stream = stream

    def _make_stream(self, sd: Any, index: int | None, rate: int) -> Any:
        self.sample_rate = rate
        self._resampler = None if rate == SAMPLE_RATE else StreamResampler(rate, SAMPLE_RATE)
        return sd.InputStream(samplerate=rate, channels=1, dtype="int16", device=index,
                              blocksize=round(rate * FRAME_SAMPLES / SAMPLE_RATE),
                              callback=self._callback, finished_callback=self._finished)

    def _callback(self, indata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if status.input_overflow:
            self.overflows += 1
        block = indata[:, 0]
        if self._resampler is not None:
            block = self._resampler.process(block)
        if self._resampler is None and block.size == FRAME_SAMPLES and self._pending.size == 0:
            self._deliver(block.copy())
            return
        # Only when resampling (or a host API ignoring the block size): re-chunk to 80 ms.
        self._pending = np.concatenate((self._pending, block))
        while self._pending.size >= FRAME_SAMPLES:
            frame, self._pending = self._pending[:FRAME_SAMPLES].copy(), self._pending[FRAME_SAMPLES:]
            self._deliver(frame)

    def _deliver(self, frame: np.ndarray) -> None:
        self.meter.feed(frame)
        callback = self._on_frame
        if callback is None:
            return
        try:
            callback(frame)
        except Exception:  # the audio thread must survive a consumer bug
            log.exception("microphone frame consumer failed")

    def _finished(self) -> None:
        # Called by PortAudio when the stream ends: by close(), or when the device vanished.
        self._lost = True

    def close(self) -> None:
        """Stop capturing; idempotent."""
        stream, self._stream = self._stream, None
        self._on_frame = None
        if stream is not None:
            try:
                stream.stop(ignore_errors=True)
            finally:
                stream.close(ignore_errors=True)


def level_meter(device: Device = None) -> SoundDeviceInput:
    """An open microphone whose ``.level`` shows the input RMS (for the Settings tab).

    Close it when done; raises AudioDeviceError when the device is missing.
    """
    mic = SoundDeviceInput(device)
    mic.open(lambda frame: None)
    return mic


class SoundDeviceOutput:
    """:class:`~openclaw_desktop.voice.ports.AudioOutput` over a PortAudio output stream.

    The stream opens at the rate of the first utterance (Piper: 22050 Hz); later
    utterances at another rate are resampled to it, as they are when the device refuses
    that rate. ``idle_stop_s`` of silence stops the stream until the next ``play``.
    """

    def __init__(self, device: Device = None, *, reference_s: float = 2.0, idle_stop_s: float = 1.0) -> None:
        self.device = device
        self.idle_stop_s = idle_stop_s
        self.played_utterances = 0
        """Utterances played to the end (not stopped)."""
        self._lock = threading.Lock()  # queue and reference; the audio callback takes it briefly
        # Opening, restarting and closing the stream; never held by the callback, so
        # stream.stop()/close() (which wait for the callback) cannot deadlock under it.
        self._device_lock = threading.RLock()
        self._queue: deque[np.ndarray] = deque()
        self._current: np.ndarray | None = None
        self._pos = 0
        self._stream: Any = None
        self._rate = 0
        self._ref = SampleRing(int(reference_s * SAMPLE_RATE))
        self._ref_resampler: StreamResampler | None = None
        self._idle_frames = 0
        self._stopping = False  # the callback decided to stop the stream (idle)
        self._tail_until = 0.0  # stream time until which the last samples are still audible
        _adapters.add(self)

    @property
    def sample_rate(self) -> int:
        """The rate the stream runs at (0 before the first ``play``)."""
        return self._rate

    @property
    def busy(self) -> bool:
        """True while anything is playing or queued (including the device's buffer)."""
        with self._lock:
            if self._current is not None or self._queue:
                return True
            stream = self._stream
        if stream is None or not stream.active:
            return False
        return stream.time < self._tail_until

    def play(self, audio: np.ndarray, sample_rate: int) -> None:
        """Queue int16 mono ``audio`` after what is already queued; starts the stream."""
        if audio.ndim != 1:
            raise ValueError("speaker needs mono audio")
        samples = audio.astype(np.int16, copy=False)
        sd = _sd()
        with self._device_lock:
            if self._stream is None:
                self._open(sd, sample_rate)
            if sample_rate != self._rate:
                samples = resample(samples, sample_rate, self._rate)
            with self._lock:
                self._queue.append(samples)
                restart = self._stopping or not self._stream.active
            if restart:
                self._restart(sd)

    def _open(self, sd: Any, sample_rate: int) -> None:
        index = _resolve(self.device, "output")
        try:
            stream = self._make_stream(sd, index, sample_rate)
        except sd.PortAudioError as exc:
            try:  # the device refuses the voice's rate: run at its own and resample
                rate = int(sd.query_devices(index, kind="output")["default_samplerate"])
                if rate == sample_rate:
                    raise
                stream = self._make_stream(sd, index, rate)
            except (sd.PortAudioError, ValueError):
                raise AudioDeviceError("output", f"cannot open output device {self.device or 'default'}: {exc}") from None
        self._stream = stream
        self._rate = int(stream.samplerate)
        self._ref_resampler = StreamResampler(self._rate, SAMPLE_RATE)

    def _make_stream(self, sd: Any, index: int | None, rate: int) -> Any:
        # PortAudio's "high" latency (35 ms through PulseAudio): "low" underruns constantly
        # there, and stop() aborts the stream anyway, so the buffer never delays barge-in.
        return sd.OutputStream(samplerate=rate, channels=1, dtype="int16", device=index,
                               callback=self._callback, finished_callback=self._finished)

    def _restart(self, sd: Any) -> None:
        stream = self._stream
        try:
            if not stream.stopped:
                stream.stop()  # finishes an idle stop the callback began
            with self._lock:
                self._stopping = False
                self._idle_frames = 0
            stream.start()
        except sd.PortAudioError as exc:
            self._discard_stream()
            raise AudioDeviceError("output", f"output device {self.device or 'default'} failed: {exc}") from None

    def _callback(self, outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        out = outdata[:, 0]
        filled = 0
        with self._lock:
            while filled < frames:
                if self._current is None:
                    if not self._queue:
                        break
                    self._current, self._pos = self._queue.popleft(), 0
                take = min(frames - filled, self._current.size - self._pos)
                out[filled:filled + take] = self._current[self._pos:self._pos + take]
                filled += take
                self._pos += take
                if self._pos >= self._current.size:
                    self._current = None
                    self.played_utterances += 1
            out[filled:] = 0
            if filled:
                self._idle_frames = 0
                # DAC time of this block's first sample + what we wrote = audible until then.
                dac = time.outputBufferDacTime or time.currentTime
                self._tail_until = dac + filled / self._rate + 0.02
            else:
                self._idle_frames += frames
            if self._ref_resampler is not None:
                self._ref.write(self._ref_resampler.process(out))
            if self._idle_frames >= self.idle_stop_s * self._rate:
                self._stopping = True
                raise _sd().CallbackStop

    def _finished(self) -> None:
        with self._lock:
            self._ref.clear()
            if self._ref_resampler is not None:
                self._ref_resampler.reset()

    def reference(self, samples: int) -> np.ndarray:
        """The last ``samples`` handed to the device, at 16 kHz; zeros while silent."""
        with self._lock:
            stream = self._stream
            if stream is None or self._stopping or not stream.active:
                return np.zeros(samples, dtype=np.int16)
            return self._ref.last(samples)

    def stop(self) -> None:
        """Drop everything queued and silence the device at once (barge-in); idempotent."""
        with self._lock:
            self._queue.clear()
            self._current = None
            self._tail_until = 0.0
        with self._device_lock:
            stream = self._stream
            if stream is not None and not stream.stopped:
                try:
                    stream.abort()  # drops PortAudio's buffered blocks, unlike stop()
                except _sd().PortAudioError:
                    self._discard_stream()

    def _discard_stream(self) -> None:
        with self._device_lock:
            stream, self._stream = self._stream, None
            self._rate = 0
            if stream is not None:
                stream.close(ignore_errors=True)

    def _release_if_idle(self) -> bool:
        with self._device_lock:
            if self._stream is None:
                return True
            with self._lock:
                idle = self._current is None and not self._queue
            if not idle or (self._stream.active and not self._stopping):
                return False
            self._discard_stream()
            return True

    def close(self) -> None:
        """Stop and release the device; idempotent (the next ``play`` reopens it)."""
        self.stop()
        self._discard_stream()
