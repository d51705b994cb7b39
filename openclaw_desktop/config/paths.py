"""Where state and config live (``~/.openclaw`` unless overridden), per the reference.

``OPENCLAW_STATE_DIR`` overrides the state dir, ``OPENCLAW_HOME`` the home used for
``~``, ``OPENCLAW_CONFIG_PATH`` the config file. Sharing the official layout lets the
official CLI on the same machine find our gateway's port and token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StatePaths:
    """All on-disk locations derived from the state dir."""

    state_dir: Path
    config_path: Path

    @property
    def db_path(self) -> Path:
        return self.state_dir / "state" / "desktop.sqlite"

    @property
    def token_path(self) -> Path:
        return self.state_dir / "credentials" / "gateway-token"

    @property
    def default_log_path(self) -> Path:
        return self.state_dir / "logs" / "gateway.jsonl"

    @staticmethod
    def resolve(env: Mapping[str, str] | None = None) -> StatePaths:
        env = os.environ if env is None else env
        home = Path(env.get("OPENCLAW_HOME") or Path.home()).expanduser()
        state = env.get("OPENCLAW_STATE_DIR")
        state_dir = Path(state).expanduser() if state else home / ".openclaw"
        config = env.get("OPENCLAW_CONFIG_PATH")
        config_path = Path(config).expanduser() if config else state_dir / "openclaw.json"
        return StatePaths(state_dir.absolute(), config_path.absolute())
