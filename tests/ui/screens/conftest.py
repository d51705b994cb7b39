"""Real-window screenshot tests: a virtual desktop with a tray host and a compositor.

``xvfb_desktop`` starts Xvfb (1280×800, its own display number), ``trayer`` as the system
tray host (top right) and ``xcompmgr`` so translucent windows really are translucent, and
yields an :class:`XvfbDesktop`. Scenes run as child Qt processes on it
(``desktop.env()`` gives them ``DISPLAY`` and ``QT_QPA_PLATFORM=xcb``) and save PNGs
with ``save_screenshot(widget_or_none, name)``; the test process can grab the root
window with ``desktop.grab(name)``. PNGs land in ``artifacts/screenshots/``.

Missing Xvfb, trayer, xcompmgr or ImageMagick fails the test (never skips): on Debian
``scripts/bootstrap.sh ui,test`` installs them when run as root.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.ui.screens.shots import SCREENSHOTS, grab_root, save_screenshot  # noqa: F401 - re-exported

SCREEN = (1280, 800)
TOOLS = {"Xvfb": "xvfb", "trayer": "trayer", "xcompmgr": "xcompmgr", "import": "imagemagick",
         "xwininfo": "x11-utils"}


def require_desktop_tools() -> None:
    missing = [f"{tool} (apt package {pkg})" for tool, pkg in TOOLS.items() if shutil.which(tool) is None]
    if missing:
        pytest.fail("screenshot tests need " + ", ".join(missing) +
                    "; scripts/bootstrap.sh ui,test installs them (as root on Debian/Ubuntu)")


@dataclass
class XvfbDesktop:
    """A running virtual desktop: ``display`` (":N"), its helper processes, and helpers."""

    display: str
    size: tuple[int, int] = SCREEN
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a child Qt process on this display (no Wayland, no ambient OpenClaw)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
        env.pop("WAYLAND_DISPLAY", None)
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb", **extra)
        return env

    def windows(self) -> str:
        """``xwininfo -root -tree`` (window names and geometry), for waiting and debugging."""
        return subprocess.run(["xwininfo", "-display", self.display, "-root", "-tree"], capture_output=True,
                              text=True, timeout=10, check=False).stdout

    def grab(self, name: str, crop: tuple[int, int, int, int] | None = None) -> Path:
        """Save what is on screen now as ``artifacts/screenshots/<name>.png``."""
        return grab_root(self.display, name, crop)

    def wait_for_window(self, needle: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.windows():
            if time.monotonic() > deadline:
                raise AssertionError(f"no window matching {needle!r} on {self.display}:\n{self.windows()}")
            time.sleep(0.05)


def _start(argv: list[str], display: str, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(argv, env={**os.environ, "DISPLAY": display}, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _start_helper(desktop: XvfbDesktop, argv: list[str], needle: str, log: Path, attempts: int = 3) -> None:
    """Start a helper and wait for its window; a helper that died on start (seen under heavy
    load, when it raced the X server's start) is started again."""
    for attempt in range(1, attempts + 1):
        proc = _start(argv, desktop.display, log)
        desktop.procs.append(proc)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.poll() is None:
            if needle in desktop.windows():
                return
            time.sleep(0.05)
        if proc.poll() is None or attempt == attempts:
            raise AssertionError(f"{argv[0]} did not come up on {desktop.display} (exit {proc.poll()}):\n"
                                 f"{log.read_text(errors='replace')[-2000:]}\n{desktop.windows()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def xvfb_desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XvfbDesktop]:
    require_desktop_tools()
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                             "-nolisten", "tcp"], pass_fds=(write,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    os.close(write)
    desktop: XvfbDesktop | None = None
    try:
        with os.fdopen(read) as fh:
            number = fh.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not report a display number")
        desktop = XvfbDesktop(f":{number}", procs=[xvfb])
        logs = tmp_path_factory.mktemp("xvfb-desktop")
        _start_helper(desktop, ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height",
                                "32", "--SetDockType", "true", "--transparent", "false", "--distance", "0"],
                      '"panel": ("panel" "trayer")', logs / "trayer.log")
        _start_helper(desktop, ["xcompmgr"], '"xcompmgr"', logs / "xcompmgr.log")
        yield desktop
    finally:
        for proc in reversed(desktop.procs if desktop else [xvfb]):
            _stop(proc)
