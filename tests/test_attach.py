"""`openclaw-desktop chat` as an operator of a gateway (ours here; the official one in
tests/interop/test_attach_official.py): token first, then the stored device token."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.fake_anthropic import FakeAnthropic
from tests.support_process import start_gateway


def chat(state, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCLAW_", "ANTHROPIC_"))}
    env["OPENCLAW_STATE_DIR"] = str(state)
    return subprocess.run([sys.executable, "-m", "openclaw_desktop", "chat", *args], capture_output=True, text=True,
                          env=env, timeout=60)


def test_chat_pairs_once_then_uses_the_device_token(tmp_path):
    with FakeAnthropic() as api:
        gw = start_gateway(tmp_path / "gw", "--token", "tt",
                           env={"ANTHROPIC_API_KEY": "sk-test", "ANTHROPIC_BASE_URL": api.base_url})
        try:
            first = chat(tmp_path / "app", "--url", gw.url, "--token", "tt", "hi there")
            assert (first.returncode, first.stdout) == (0, "echo: hi there\n"), first.stderr
            tokens = json.loads((tmp_path / "app" / "identity" / "desktop-node-tokens.json").read_text())
            assert any(k.endswith("|operator") for k in tokens["tokens"])
            assert oct((tmp_path / "app" / "identity" / "desktop-node-tokens.json").stat().st_mode & 0o777) == "0o600"
            again = chat(tmp_path / "app", "--url", gw.url, "--session", "notes", "second")
            assert (again.returncode, again.stdout) == (0, "echo: second\n"), again.stderr
            bad = chat(tmp_path / "other", "--url", gw.url, "--token", "nope", "x")
            assert bad.returncode == 1 and "gateway token mismatch" in bad.stderr and "Traceback" not in bad.stderr
            down = chat(tmp_path / "other", "--url", "ws://127.0.0.1:9", "--token", "tt", "x")
            assert down.returncode == 1 and "cannot reach ws://127.0.0.1:9" in down.stderr
        finally:
            assert gw.stop() == 0
