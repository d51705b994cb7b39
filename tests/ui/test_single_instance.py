"""One tray app per state folder: handover between two real processes, stale locks after
a crash, separate state folders side by side, and the local-socket protocol itself."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import urllib.request

import pytest
from PySide6.QtNetwork import QLocalSocket

from openclaw_desktop.ui.single_instance import (
    HandoverFailed,
    SingleInstance,
    server_name,
)
from tests.support_process import wait_for_text
from tests.ui.app_process import app_env, spawn_app


def healthy(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as resp:
        return json.loads(resp.read()).get("status") == "live"


def test_second_launch_hands_over_to_the_first_and_exits_0(tmp_path):
    state = tmp_path / "state"
    first = spawn_app(state).wait_ready()
    try:
        second = subprocess.run([sys.executable, "-m", "openclaw_desktop", "app", "--port", "0"], env=app_env(state),
                                capture_output=True, text=True, timeout=60, check=False)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stdout and "ready (" not in second.stdout  # no second gateway
        wait_for_text(state / "logs" / "gateway.jsonl", "showing the main window: another launch asked for it",
                      timeout=10)
        assert healthy(first.port)
    finally:
        assert first.stop() == 0


def test_a_crashed_instance_does_not_block_the_next_launch(tmp_path):
    state = tmp_path / "state"
    crashed = spawn_app(state).wait_ready()
    crashed.stop(sig=9)  # SIGKILL: lock file and socket are left behind
    assert (state / "desktop-app.lock").exists()
    again = spawn_app(state).wait_ready()
    try:
        assert healthy(again.port)
    finally:
        assert again.stop() == 0


def test_separate_state_folders_run_side_by_side(tmp_path):
    one = spawn_app(tmp_path / "one").wait_ready()
    try:
        two = spawn_app(tmp_path / "two").wait_ready()
        try:
            assert one.port != two.port and healthy(one.port) and healthy(two.port)
        finally:
            assert two.stop() == 0
    finally:
        assert one.stop() == 0


def test_names_are_per_state_folder_and_stable(tmp_path):
    assert server_name(tmp_path / "a") == server_name(tmp_path / "a" / ".." / "a")
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert len(server_name(tmp_path / ("a" * 200))) < 60  # fits a Unix socket path, however deep the folder


def test_the_first_instance_answers_show(qtbot, tmp_path):
    instance = SingleInstance(tmp_path / "state")
    try:
        assert instance.claim() is True
        client = QLocalSocket()
        with qtbot.waitSignal(instance.show_requested, timeout=5000):
            client.connectToServer(instance.name)
            assert client.waitForConnected(2000)
            client.write(b"sh")
            client.flush()
            qtbot.wait(50)
            client.write(b"ow\n")  # a line split across packets still counts
            client.flush()
        qtbot.waitUntil(lambda: client.bytesAvailable() > 0 or client.state() != QLocalSocket.LocalSocketState.ConnectedState)
        assert bytes(client.readAll().data()) == b"ok\n"
        other = QLocalSocket()
        other.connectToServer(instance.name)
        assert other.waitForConnected(2000)
        with qtbot.assertNotEmitted(instance.show_requested, wait=200):
            other.write(b"rm -rf /\n")
            other.flush()
    finally:
        instance.close()
    assert not (tmp_path / "state" / "desktop-app.lock").exists()


def test_a_holder_that_never_answers_fails_the_handover(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from PySide6.QtCore import QLockFile
        lock = QLockFile({str(state / "desktop-app.lock")!r})
        assert lock.tryLock(0)
        print("locked", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(HandoverFailed, match="does not answer"):
            SingleInstance(state).claim(handover_timeout_s=1.0)
    finally:
        holder.kill()
        holder.wait()
