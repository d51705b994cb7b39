"""``openclaw-desktop app`` as a real child process (offscreen Qt) for process-level tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

READY = re.compile(r"openclaw-desktop: ready \((tray|window)\); gateway (ws://[\d.]+:(\d+))")


def app_env(state_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
    env.update(OPENCLAW_STATE_DIR=str(state_dir), QT_QPA_PLATFORM="offscreen", OPENCLAW_GATEWAY_TOKEN="proc-token",
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", **extra)
    env.pop("ANTHROPIC_API_KEY", None)
    return env


@dataclass
class AppProcess:
    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    url: str = ""
    port: int = 0

    def wait_ready(self, timeout: float = 30.0) -> AppProcess:
        """Read stdout until the ready line (tray or window shown, gateway listening)."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            match = READY.search(line)
            if match:
                self.url, self.port = match.group(2), int(match.group(3))
                return self
        self.kill()
        raise AssertionError("app did not get ready:\n" + "".join(self.lines) + self.stderr())

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("app did not exit after " + signal.Signals(sig).name) from None
        return self.proc.returncode

    def rest_of_stdout(self) -> str:
        assert self.proc.stdout is not None
        return "".join(self.lines) + self.proc.stdout.read()

    def stderr(self) -> str:
        return self.proc.stderr.read() if self.proc.stderr and self.proc.poll() is not None else ""

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def spawn_app(state_dir: Path, *args: str, env: dict[str, str] | None = None) -> AppProcess:
    """``python -m openclaw_desktop app --port 0 ARGS…`` (stdout and stderr piped)."""
    argv = [sys.executable, "-m", "openclaw_desktop", "app", *args]
    if "--port" not in args:
        argv += ["--port", "0"]
    proc = subprocess.Popen(argv, env=env or app_env(state_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    return AppProcess(proc)
