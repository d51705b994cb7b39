"""Virtual audio devices for tests: a private PulseAudio with null sinks (no sound card).

Recipe from the voice-stack reference §4: PulseAudio in user mode (works as root) on a
socket in a temp dir, a null sink ``vspeaker`` as the speaker, a null sink ``micfeed``
whose monitor is remapped to the source ``vmic`` as the microphone, both the defaults.
PortAudio (sounddevice) reaches it through ALSA's ``pulse`` plugin, so ``PULSE_SERVER``
is exported *before* anything imports sounddevice. Silence writers keep both sinks
running in small blocks, so the first microphone block arrives after ~0.1 s instead of ~2 s.

* ``VirtualAudio.play_into_mic(audio, rate)`` - what the "user" says into the microphone
* ``VirtualAudio.record_speaker()`` - a context manager recording what the app plays,
  with the arrival time of each chunk (to measure how fast playback stops)

Use the ``virtual_audio`` fixture (import it into the test module). It FAILS, never skips,
when pulseaudio/pactl/pacat are missing: ``scripts/bootstrap.sh`` installs them as root.
Also used by ``bench/voice_bench.py``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

TOOLS = ("pulseaudio", "pactl", "pacat")
APT_HINT = "apt-get install pulseaudio pulseaudio-utils libportaudio2 (scripts/bootstrap.sh does this as root)"

_CONFIG = """\
load-module module-native-protocol-unix auth-anonymous=1 socket={dir}/native
load-module module-null-sink sink_name=vspeaker rate=48000 sink_properties=device.description=VirtualSpeaker
load-module module-null-sink sink_name=micfeed rate=16000 channels=1 sink_properties=device.description=MicFeed
load-module module-remap-source master=micfeed.monitor source_name=vmic source_properties=device.description=VirtualMic
set-default-sink vspeaker
set-default-source vmic
"""


class AudioEnvError(RuntimeError):
    """The virtual audio devices could not be set up."""


def write_wav(path: Path, audio: np.ndarray, rate: int) -> Path:
    """Write int16 mono ``audio`` as a WAV file."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(audio.astype(np.int16).tobytes())
    return path


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """int16 mono samples and rate of a 16-bit WAV file (first channel)."""
    with wave.open(str(path), "rb") as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        return data[:: w.getnchannels()].copy(), w.getframerate()


class Recording:
    """What ``record_speaker`` captured, with the arrival time of each chunk.

    ``audio`` grows while recording; :meth:`time_at` maps a sample index to the
    ``time.monotonic()`` at which it reached us (at most ~20 ms after it was played).
    """

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._chunks: list[bytes] = []
        self._marks: list[tuple[int, float]] = []  # (samples so far, arrival time)
        self._samples = 0
        self._lock = threading.Lock()

    def _add(self, data: bytes, now: float) -> None:
        with self._lock:
            self._chunks.append(data)
            self._samples += len(data) // 2
            self._marks.append((self._samples, now))

    @property
    def audio(self) -> np.ndarray:
        """Everything recorded so far, int16 mono at :attr:`rate`."""
        with self._lock:
            data = b"".join(self._chunks)
        return np.frombuffer(data[: len(data) // 2 * 2], dtype=np.int16).copy()

    def time_at(self, index: int) -> float:
        """Monotonic arrival time of sample ``index``."""
        with self._lock:
            marks = list(self._marks)
        for count, when in marks:
            if count > index:
                return when - (count - 1 - index) / self.rate
        return marks[-1][1] if marks else 0.0


class VirtualAudio:
    """A private PulseAudio daemon with a virtual microphone and speaker."""

    def __init__(self, directory: Path | None = None) -> None:
        missing = [tool for tool in TOOLS if shutil.which(tool) is None]
        if missing:
            raise AudioEnvError(f"{', '.join(missing)} not installed: {APT_HINT}")
        # A short path of our own: the socket path must stay under 108 bytes.
        self._own_dir = directory is None
        self.dir = Path(directory or tempfile.mkdtemp(prefix="oc-pa-"))
        self.server = f"unix:{self.dir}/native"
        self.env = {**os.environ, "PULSE_SERVER": self.server, "PULSE_RUNTIME_PATH": str(self.dir),
                    "PULSE_STATE_PATH": str(self.dir)}
        self._keepalive: list[subprocess.Popen[bytes]] = []
        self._saved_env: dict[str, str | None] = {}

    def start(self) -> VirtualAudio:
        """Start the daemon, wait until it answers, export PULSE_SERVER to this process."""
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "default.pa").write_text(_CONFIG.format(dir=self.dir))
        done = subprocess.run(
            ["pulseaudio", "--daemonize=yes", "--system=false", "--exit-idle-time=-1", "--disallow-exit=yes",
             "-n", "-F", str(self.dir / "default.pa"), "--use-pid-file=yes",
             f"--log-target=file:{self.dir / 'pulse.log'}"],
            env=self.env, capture_output=True, text=True, timeout=30, check=False)
        if done.returncode != 0:
            raise AudioEnvError(f"pulseaudio failed to start: {done.stderr.strip()} {self._log_tail()}")
        deadline = time.monotonic() + 10
        while subprocess.run(["pactl", "info"], env=self.env, capture_output=True, check=False).returncode != 0:
            if time.monotonic() > deadline:
                self.stop()
                raise AudioEnvError(f"pulseaudio did not answer within 10 s: {self._log_tail()}")
            time.sleep(0.1)
        # Small-block silence into the mic sink so capture starts at once (reference §4 gotcha).
        # The same on the speaker, so its monitor (our recorder) is timed in small blocks too.
        self._keepalive = [
            subprocess.Popen(["pacat", "-p", "-d", sink, "--latency-msec=20", "--rate=16000", "--channels=1",
                              "--format=s16le", "/dev/zero"],
                             env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for sink in ("micfeed", "vspeaker")]
        for key in ("PULSE_SERVER", "PULSE_RUNTIME_PATH", "PULSE_STATE_PATH"):
            self._saved_env[key] = os.environ.get(key)
            os.environ[key] = self.env[key]
        return self

    def _log_tail(self) -> str:
        log = self.dir / "pulse.log"
        return log.read_text(errors="replace")[-800:] if log.exists() else ""

    def _pid(self) -> int | None:
        try:
            return int((self.dir / "pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        """Stop the silence writer and the daemon; restore the environment."""
        for proc in self._keepalive:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
        self._keepalive = []
        pid = self._pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def play_into_mic(self, audio: np.ndarray, rate: int, *, wait: bool = True) -> subprocess.Popen[bytes]:
        """Play int16 mono ``audio`` into the virtual microphone (raw ``pacat`` to ``micfeed``)."""
        proc = subprocess.Popen(
            # 100 ms of buffer: with less, a CPU-starved pacat underruns and PulseAudio
            # inserts silence into the "speech".
            ["pacat", "-p", "-d", "micfeed", "--latency-msec=100", f"--rate={rate}", "--channels=1",
             "--format=s16le"],
            env=self.env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        data = audio.astype(np.int16).tobytes()

        def feed() -> None:
            with contextlib.suppress(BrokenPipeError):
                assert proc.stdin is not None
                proc.stdin.write(data)
                proc.stdin.close()

        if not wait:
            threading.Thread(target=feed, daemon=True).start()
            return proc
        feed()
        proc.wait(timeout=60 + audio.size / rate)
        if proc.returncode != 0:
            assert proc.stderr is not None
            raise AudioEnvError(f"playing into the microphone failed: {proc.stderr.read().decode(errors='replace')}")
        return proc

    @contextlib.contextmanager
    def record_speaker(self, rate: int = 16_000) -> Iterator[Recording]:
        """Record the virtual speaker (``vspeaker.monitor``) at ``rate`` while the block runs."""
        proc = subprocess.Popen(
            ["pacat", "-r", "-d", "vspeaker.monitor", "--latency-msec=20", f"--rate={rate}", "--channels=1",
             "--format=s16le"], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        recording = Recording(rate)
        chunk = rate * 2 // 50  # 20 ms of int16

        def pump() -> None:
            assert proc.stdout is not None
            while data := proc.stdout.read1(chunk) if hasattr(proc.stdout, "read1") else proc.stdout.read(chunk):
                recording._add(data, time.monotonic())

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        # Wait until the recorder delivers: audio played before that would not be captured.
        deadline = time.monotonic() + 5
        while not recording._marks and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            yield recording
        finally:
            time.sleep(0.2)
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            reader.join(5)


@pytest.fixture(scope="session")
def virtual_audio() -> Iterator[VirtualAudio]:
    """A running virtual microphone/speaker for the whole session; fails if PulseAudio is missing."""
    try:
        env = VirtualAudio().start()
    except AudioEnvError as exc:
        pytest.fail(f"virtual audio devices unavailable: {exc}", pytrace=False)
    try:
        yield env
    finally:
        env.stop()
