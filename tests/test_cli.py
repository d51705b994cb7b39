"""The ``openclaw-desktop`` command as users run it: a real child process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from tests.support_process import start_gateway


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "openclaw_desktop", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_sigterm_when_idle_exits_zero_within_two_seconds(tmp_path):
    gw = start_gateway(tmp_path / "s", "--token", "t")
    with urllib.request.urlopen(gw.url.replace("ws://", "http://") + "/readyz", timeout=2) as resp:
        assert json.loads(resp.read()) == {"ready": True}
    started = time.monotonic()
    gw.proc.send_signal(signal.SIGTERM)
    assert gw.proc.wait(5) == 0
    assert time.monotonic() - started < 2.0
    log = (tmp_path / "s" / "logs" / "gateway.jsonl").read_text()
    assert "gateway stopped" in log  # the ordered shutdown ran to the end


def test_port_in_use_is_one_clear_line(tmp_path):
    gw = start_gateway(tmp_path / "a", "--token", "t")
    try:
        result = run_cli("gateway", "--port", str(gw.port), env={"OPENCLAW_STATE_DIR": str(tmp_path / "b")})
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert lines == [f"openclaw-desktop: port {gw.port} is already in use (an OpenClaw gateway is already "
                         "running there); stop it or choose another with --port"]
    finally:
        gw.stop()
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        result = run_cli("gateway", env={"OPENCLAW_STATE_DIR": str(tmp_path / "c"), "OPENCLAW_GATEWAY_PORT": str(port)})
    assert result.returncode == 1 and f"port {port} is already in use (another program is using it)" in result.stderr


def test_bad_config_is_reported_not_overwritten(tmp_path):
    state = tmp_path / "s"
    state.mkdir()
    (state / "openclaw.json").write_text("{gateway: {bind: 'everywhere'}}")
    result = run_cli("gateway", "--port", "0", env={"OPENCLAW_STATE_DIR": str(state)})
    assert result.returncode == 1
    assert f"config error in {state / 'openclaw.json'} at key 'gateway.bind'" in result.stderr
    assert "Traceback" not in result.stderr
    assert (state / "openclaw.json").read_text() == "{gateway: {bind: 'everywhere'}}"


def test_bad_env_port_is_reported():
    result = run_cli("gateway", env={"OPENCLAW_GATEWAY_PORT": "http"})
    assert result.returncode != 0 and "OPENCLAW_GATEWAY_PORT must be a port number" in result.stderr


def test_version():
    result = run_cli("version")
    assert result.returncode == 0 and result.stdout.startswith("openclaw-desktop ")


def test_exec_policy_check_exit_codes_and_json():
    allowed = run_cli("exec-policy", "check", "--allow", "ls", "--", "ls -la")
    assert allowed.returncode == 0 and "decision: allow" in allowed.stdout
    asked = run_cli("exec-policy", "check", "--allow", "ls", "--json", "--", "ls | sh")
    data = json.loads(asked.stdout)
    assert asked.returncode == 1 and data["decision"] == "ask"
    assert [s["argv"] for s in data["segments"]] == [["ls"], ["sh"]]


def test_model_key_without_a_usable_keyring_fails_clearly():
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "ANTHROPIC_API_KEY": ""}
    status = run_cli("model-key", "status", env=env)
    assert status.returncode == 0 and status.stdout.startswith("key: none (")
    stored = subprocess.run([sys.executable, "-m", "openclaw_desktop", "model-key", "set"], input="sk-x\n",
                            capture_output=True, text=True, timeout=20, env={**os.environ, **env})
    assert stored.returncode == 1 and "OS keyring unavailable" in stored.stderr and "Traceback" not in stored.stderr
    found = run_cli("model-key", "status", env={**env, "ANTHROPIC_API_KEY": "sk-env"})
    assert found.stdout.strip() == "key: found in env"


def test_bind_custom_listens_on_that_address(tmp_path):
    gw = start_gateway(tmp_path / "s", "--token", "t", "--bind", "custom", "--host", "127.0.0.2")
    try:
        assert gw.url.startswith("ws://127.0.0.2:")
        with urllib.request.urlopen(f"http://127.0.0.2:{gw.port}/healthz", timeout=2) as resp:
            assert json.loads(resp.read())["status"] == "live"
    finally:
        assert gw.stop() == 0
