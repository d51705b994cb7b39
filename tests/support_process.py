"""Run our gateway as a real child process (``python -m openclaw_desktop gateway``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

_LISTENING = re.compile(r"listening on (ws://[\d.]+:(\d+))")


@dataclass
class GatewayProcess:
    proc: subprocess.Popen[str]
    url: str
    port: int
    state_dir: Path

    def stop(self, timeout: float = 10.0) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def start_gateway(state_dir: Path, *args: str, env: dict[str, str] | None = None,
                  timeout: float = 20.0) -> GatewayProcess:
    """Start the gateway on ``--port 0`` (unless given) and wait for its listening line."""
    full_env = {**os.environ, "OPENCLAW_STATE_DIR": str(state_dir), **(env or {})}
    full_env.pop("OPENCLAW_CONFIG_PATH", None)
    argv = [sys.executable, "-m", "openclaw_desktop", "gateway", *args]
    if "--port" not in args:
        argv += ["--port", "0"]
    proc = subprocess.Popen(argv, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout
    lines = []
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = _LISTENING.search(line)
        if match:
            return GatewayProcess(proc, match.group(1), int(match.group(2)), state_dir)
    proc.kill()
    raise RuntimeError("gateway did not start:\n" + "".join(lines))


def wait_for_text(path: Path, needle: str, timeout: float = 90.0) -> str:
    """Poll a log file until ``needle`` shows up; the file's tail is in the failure."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        if needle in text:
            return text
        time.sleep(0.2)
    tail = path.read_text(errors="replace")[-3000:] if path.exists() else "(no file)"
    raise AssertionError(f"{needle!r} not seen in {path}:\n{tail}")
