"""Attach mode against the OFFICIAL gateway: `openclaw-desktop chat` connects as an
operator with this app's device identity, is paired, streams the official agent's reply
(from our fake model), and the next run gets in with the stored device token alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.interop import official_gateway
from tests.support.fake_anthropic import FakeAnthropic

pytestmark = pytest.mark.interop
TOKEN = "interop-attach-token"


def chat(state, url, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "ANTHROPIC_"))}
    env["OPENCLAW_STATE_DIR"] = str(state)
    return subprocess.run([sys.executable, "-m", "openclaw_desktop", "chat", "--url", url, *args],
                          capture_output=True, text=True, env=env, timeout=180)


def test_chat_through_the_official_gateway(tmp_path):
    with FakeAnthropic() as api:
        proc, port = official_gateway.start(tmp_path / "official", TOKEN,
                                            official_gateway.fake_model_config(api.base_url, tmp_path / "ws"))
        try:
            url = f"ws://127.0.0.1:{port}"
            first = chat(tmp_path / "app", url, "--token", TOKEN, "hello from the desktop")
            assert first.returncode == 0, first.stderr
            # The official agent adds its own context to the last user turn, which the fake
            # echoes; what matters is that our message reached the model and the reply came back.
            assert first.stdout.startswith("echo: ") and len(first.stdout) > 10
            assert "hello from the desktop" in json.dumps(api.requests[-1])
            again = chat(tmp_path / "app", url, "second turn")  # no token: the stored device token
            assert again.returncode == 0, again.stderr
            assert again.stdout.startswith("echo: ") and "second turn" in json.dumps(api.requests[-1])
            assert (tmp_path / "app" / "identity").is_dir()
            refused = chat(tmp_path / "other-app", url, "--token", "wrong", "x")
            assert refused.returncode == 1 and "gateway token mismatch" in refused.stderr
        finally:
            official_gateway.stop(proc)
