"""Xvfb, the screen painter and `openclaw-desktop node` as child processes; a tiny PNG
reader so tests need no image library."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support_process import wait_for_text  # noqa: F401 - re-exported for the Qt tests

REPO = Path(__file__).resolve().parents[2]
NMEA = REPO / "resources" / "test" / "vienna.nmea"
ARTIFACTS = REPO / "artifacts"
SCREEN = (1024, 768)


def require_qt_and_xvfb() -> None:
    """Fail (never skip: CI must run these) with the install step that is missing."""
    try:
        import PySide6.QtMultimedia
        import PySide6.QtPositioning  # noqa: F401
        import qasync  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"needs PySide6-Essentials, PySide6-Addons and qasync (and libpulse0); "
                    f"run scripts/test.sh, which installs them: {exc}")
    if shutil.which("Xvfb") is None:
        pytest.fail("needs Xvfb (apt-get install xvfb and the xcb libraries; scripts/test.sh does this as root)")


@contextlib.contextmanager
def xvfb() -> Iterator[str]:
    """An Xvfb server on a free display (``-displayfd``); yields ``":N"``."""
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                             "-nolisten", "tcp"], pass_fds=(write,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    os.close(write)
    try:
        with os.fdopen(read) as fh:
            number = fh.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not report a display number")
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def qt_env(display: str, state_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", OPENCLAW_STATE_DIR=str(state_dir), **extra)
    env.pop("WAYLAND_DISPLAY", None)
    return env


@contextlib.contextmanager
def painter(display: str, tmp: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("paint_screen.py"))],
                            env=qt_env(display, tmp), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "painted"
        yield proc
    finally:
        stop(proc)


def spawn_node(url: str, *args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``python -m openclaw_desktop node --url URL ARGS…`` with stdout+stderr to ``log``."""
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "openclaw_desktop", "node", "--url", url, *args], env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> int:
    """SIGTERM, then SIGKILL after ``timeout``; returns the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode




def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def png_pixels(data: bytes) -> list[list[tuple[int, ...]]]:
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG into rows of pixel tuples."""
    width, height = png_size(data)
    pos, idat, depth, ctype = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            depth, ctype, _, _, interlace = struct.unpack(">BBBBB", body[8:13])
            assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 3 if ctype == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return rows
