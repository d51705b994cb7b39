"""Boot the tray app: display check, QApplication, single instance, qasync loop, signals.

``main()`` is what ``openclaw-desktop`` (no subcommand) and ``openclaw-desktop app`` run.
It refuses clearly, without a traceback, when there is no display to talk to (Qt would
abort the process instead), hands over to an already running instance for the same state
folder (which shows its window; we exit 0), decides whether this is a first run (no
config yet, or one the onboarding never finished: checked *before* the gateway writes its
config), then runs :class:`DesktopApp` on one Qt + asyncio loop until Quit, SIGTERM/SIGINT, a logout (``commitDataRequest``) or
``aboutToQuit`` — every path goes through the app's ordered shutdown, which awaits
``gateway.close()``. Returns the exit code (0 after a normal quit).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

import qasync  # type: ignore[import-untyped]
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import Overrides

from .app_shell import DesktopApp
from .onboarding import needs_onboarding
from .single_instance import HandoverFailed, SingleInstance

log = logging.getLogger(__name__)

HEADLESS_HINT = "run the gateway without a UI instead: openclaw-desktop gateway"


def _unix_socket_reachable(path: str) -> bool:
    if not hasattr(socket, "AF_UNIX"):
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        try:
            sock.connect(path)
            return True
        except OSError:
            return False


def _x11_reachable(display: str) -> bool:
    host, _, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not number.isdigit():
        return False
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        # Linux X servers also listen on the abstract name, which works inside sandboxes
        # that hide /tmp; try it first, then the file.
        return (sys.platform.startswith("linux") and _unix_socket_reachable("\0" + path)) \
            or _unix_socket_reachable(path)
    try:
        socket.create_connection((host, 6000 + int(number)), timeout=1.0).close()
        return True
    except OSError:
        return False


def _wayland_reachable(env: Mapping[str, str]) -> bool:
    name = env.get("WAYLAND_DISPLAY", "")
    path = name if os.path.isabs(name) else os.path.join(env.get("XDG_RUNTIME_DIR", ""), name)
    return bool(name) and _unix_socket_reachable(path)


def display_problem(env: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why Qt could not open a window here, or None when it can (checked before Qt aborts)."""
    if platform in ("win32", "darwin", "cygwin"):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0]
    if qpa and qpa not in ("xcb", "wayland", "wayland-egl"):
        return None  # offscreen, vnc, eglfs…: the user chose a platform that needs no display server
    display, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if qpa != "xcb" and wayland and _wayland_reachable(env):
        return None
    if qpa != "wayland" and display and _x11_reachable(display):
        return None
    if not display and not wayland:
        return "no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    return f"cannot connect to the display {display or wayland!r}"


def _install_signal_handlers(loop: asyncio.AbstractEventLoop, app: DesktopApp) -> QTimer | None:
    """SIGTERM/SIGINT → ordered quit. Returns a wake-up timer where the loop cannot watch signals."""
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, app.request_quit, f"signal {sig.name}")
        return None
    except (NotImplementedError, RuntimeError):  # Windows: plain handlers, and a timer so
        # Python gets to run them while Qt waits in C++.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda num, _frame: loop.call_soon_threadsafe(app.request_quit, f"signal {num}"))
        wake = QTimer()
        wake.timeout.connect(lambda: None)
        wake.start(200)
        return wake


def _remove_signal_handlers(loop: asyncio.AbstractEventLoop) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.remove_signal_handler(sig)
        except (NotImplementedError, RuntimeError):
            signal.signal(sig, signal.SIG_DFL)


def run_app(loop: qasync.QEventLoop, app: DesktopApp) -> int:
    """Run ``app`` on ``loop`` until it quits; survives Qt's loop being quit from outside."""
    async def body() -> int:
        wake = _install_signal_handlers(loop, app)
        try:
            return await app.run()
        finally:
            _remove_signal_handlers(loop)
            if wake is not None:
                wake.stop()

    task = loop.create_task(body())
    try:
        return loop.run_until_complete(task)
    except RuntimeError as exc:
        if task.done() or "stopped before Future completed" not in str(exc):
            raise
        # QApplication.quit() (a logout, a platform quit) ended Qt's loop under us: run
        # it again just long enough for the ordered shutdown.
        app.request_quit("application quit")
        return loop.run_until_complete(task)


def make_application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        # argv[0] becomes the X11 WM_CLASS instance: a stable name, not "__main__.py".
        app = QApplication(["openclaw-desktop"])
    assert isinstance(app, QApplication)
    app.setApplicationName("OpenClaw Desktop")
    app.setApplicationDisplayName("OpenClaw")
    app.setDesktopFileName("openclaw-desktop")
    app.setQuitOnLastWindowClosed(False)  # closing a dialog or the chat must not stop the gateway
    return app


def main(paths: StatePaths, overrides: Overrides, *, attach_url: str | None = None) -> int:
    """Start the tray app; returns the process exit code."""
    problem = display_problem(os.environ)
    if problem:
        print(f"openclaw-desktop: the desktop app needs a display: {problem}.\n  {HEADLESS_HINT}", file=sys.stderr)
        return 2
    if not logging.getLogger().handlers:
        # The gateway's JSONL log file gets INFO; the terminal only what needs attention.
        console = logging.StreamHandler()
        console.setLevel(logging.WARNING)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        logging.getLogger().addHandler(console)
    qapp = make_application()
    instance = SingleInstance(Path(paths.state_dir))
    try:
        if not instance.claim():
            print("openclaw-desktop: already running for this state folder; asked it to show its window",
                  flush=True)
            return 0
    except HandoverFailed as exc:
        print(f"openclaw-desktop: {exc}", file=sys.stderr)
        return 1
    first_run = attach_url is None and needs_onboarding(Path(paths.config_path))
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        app = DesktopApp(paths, overrides, attach_url=attach_url,
                         tray_available=QSystemTrayIcon.isSystemTrayAvailable(), announce=True,
                         first_run=first_run)
        instance.show_requested.connect(app.show_main_window)
        qapp.commitDataRequest.connect(lambda _manager: app.request_quit("logout"))
        qapp.aboutToQuit.connect(lambda: app.request_quit("application quit"))
        with loop:
            code = run_app(loop, app)
        print(f"openclaw-desktop: stopped ({app.quit_reason or 'start-up failed'})", flush=True)
        return code
    finally:
        instance.close()
        asyncio.set_event_loop(None)
