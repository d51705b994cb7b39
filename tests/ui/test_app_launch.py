"""``openclaw-desktop`` as a process: starts the tray app by default, SIGTERM/SIGINT quit in
order with exit 0, and a missing display or Qt gives a clear message instead of a crash."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import pytest

from openclaw_desktop.ui.desktop_app import display_problem
from tests.ui.app_process import AppProcess, app_env, spawn_app


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_quits_in_order_with_exit_0(tmp_path, sig):
    state = tmp_path / "state"
    app = spawn_app(state).wait_ready()
    assert app.lines[0].startswith("openclaw-desktop: ready (window)")  # offscreen: no tray, main window
    assert app.stop(sig) == 0
    out = app.rest_of_stdout()
    assert f"stopped (signal {sig.name})" in out
    log = (state / "logs" / "gateway.jsonl").read_text()
    assert log.rindex("gateway stopped") > log.rindex(f"quitting: signal {sig.name}")
    assert "Traceback" not in app.stderr()


def test_no_subcommand_starts_the_tray_app(tmp_path):
    state = tmp_path / "state"
    env = app_env(state, OPENCLAW_GATEWAY_PORT="0")
    proc = subprocess.Popen([sys.executable, "-m", "openclaw_desktop"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    app = AppProcess(proc).wait_ready()
    assert app.stop() == 0


def test_without_a_display_it_says_so_and_exits_2(tmp_path):
    env = app_env(tmp_path / "state")
    for key in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(key, None)
    result = subprocess.run([sys.executable, "-m", "openclaw_desktop"], env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2
    assert "needs a display" in result.stderr and "openclaw-desktop gateway" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "state" / "state").exists()  # no gateway was started


def test_without_qt_it_says_so_and_exits_2(tmp_path):
    code = ("import sys; sys.modules['PySide6'] = None; sys.modules['qasync'] = None\n"
            "from openclaw_desktop.cli import main; sys.exit(main(['app']))")
    result = subprocess.run([sys.executable, "-c", code], env=app_env(tmp_path / "state"), capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "needs Qt" in result.stderr and "openclaw-desktop[ui]" in result.stderr
    assert "Traceback" not in result.stderr


def test_display_checks():
    assert display_problem({}, "darwin") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert "neither DISPLAY nor WAYLAND_DISPLAY" in (display_problem({}, "linux") or "")
    assert "cannot connect to the display ':987'" in (display_problem({"DISPLAY": ":987"}, "linux") or "")
    assert display_problem({"DISPLAY": "garbage"}, "linux") is not None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": "/nonexistent"}, "linux")
    # A reachable TCP display counts (any listener on 6000+N is "an X server" to this check).
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        if port > 6000:
            assert display_problem({"DISPLAY": f"127.0.0.1:{port - 6000}"}, "linux") is None


def test_display_check_accepts_a_real_x_server():
    from tests.desktop_node.qt_support import require_qt_and_xvfb, xvfb

    require_qt_and_xvfb()
    with xvfb() as display:
        assert display_problem({"DISPLAY": display}, "linux") is None
        assert display_problem({"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}, "linux") is None
