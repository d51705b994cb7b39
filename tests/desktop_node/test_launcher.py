"""`openclaw-desktop node` arguments and config, and a headless run as a child process."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from openclaw_desktop.cli import build_parser
from openclaw_desktop.client.gateway_client import RpcError
from openclaw_desktop.errors import ConfigError
from openclaw_desktop.nodes.desktop.commands import DEFAULT_ON
from openclaw_desktop.nodes.desktop.launcher import (
    configured_commands,
    launch_from_args,
)
from tests.conftest import TOKEN, connect

from .qt_support import spawn_node, stop, wait_for_text
from .test_node_client import ADMIN, approve_surface, invoke


def parse(*argv: str):
    return build_parser().parse_args(["node", *argv])


def test_enabled_set_is_defaults_plus_config_plus_allow(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "openclaw.json").write_text('{node: {commands: {enabled: ["location.get"]}}}\n')
    launch = launch_from_args(parse("--url", "ws://127.0.0.1:1", "--allow", "screen.snapshot", "--display-name",
                                    "d"), {"OPENCLAW_STATE_DIR": str(state), "OPENCLAW_GATEWAY_TOKEN": "env-tok"})
    assert launch.enabled == DEFAULT_ON | {"location.get", "screen.snapshot"}
    assert (launch.settings.token, launch.settings.display_name, launch.state_dir) == ("env-tok", "d", state)
    nothing = launch_from_args(parse("--url", "wss://gw.example:443"), {"OPENCLAW_STATE_DIR": str(tmp_path / "x")})
    assert nothing.enabled == DEFAULT_ON and nothing.settings.token is None


@pytest.mark.parametrize(("argv", "message"), [
    (("--url", "http://127.0.0.1:1"), "--url must be ws://HOST:PORT"),
    (("--url", "ws://127.0.0.1:1", "--allow", "screen.grab"), "unknown node command(s): screen.grab"),
    (("--url", "ws://127.0.0.1:1", "--nmea", "/no/such/file.nmea"), "no such file"),
])
def test_bad_arguments_exit_with_a_clear_message(tmp_path, argv, message):
    with pytest.raises(SystemExit) as exc:
        launch_from_args(parse(*argv), {"OPENCLAW_STATE_DIR": str(tmp_path)})
    assert message in str(exc.value)


@pytest.mark.parametrize(("doc", "problem"), [
    ({"node": {"commands": {"enabled": "location.get"}}}, "must be a list of command names"),
    ({"node": {"commands": {"enabled": ["location.get", "mic.listen"]}}}, "unknown command(s) mic.listen"),
])
def test_bad_config_names_file_and_key(doc, problem):
    with pytest.raises(ConfigError) as exc:
        configured_commands(doc, "/cfg/openclaw.json")
    assert str(exc.value) == f"config error in /cfg/openclaw.json at key 'node.commands.enabled': {problem}"
    assert configured_commands({"node": "x"}, "f") == [] and configured_commands({}, "f") == []


async def test_headless_cli_node_against_our_gateway(gateway, tmp_path):
    log = tmp_path / "node.log"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")},
           "OPENCLAW_STATE_DIR": str(tmp_path / "node-state")}
    proc = spawn_node(gateway.url, "--token", TOKEN, "--headless", "--allow", "location.get", "--display-name",
                      "plain", env=env, log=log)
    try:
        async with connect(gateway, scopes=ADMIN) as admin:
            approved = (await approve_surface(admin))["node"]
            assert "location.get" in approved["commands"] and "screen.snapshot" not in approved["commands"]
            note = await invoke(admin, "plain", "system.notify", {"title": "Hi", "body": "there"}, key="h1")
            assert note["payload"] == {"ok": True, "delivery": "log"}
            with pytest.raises(RpcError) as exc:
                await invoke(admin, "plain", "location.get", {}, key="h2")
            assert exc.value.details["nodeError"]["code"] == "LOCATION_UNAVAILABLE"
    finally:
        code = await asyncio.to_thread(stop, proc)
    text = wait_for_text(log, "node stopped", timeout=5)
    assert code == 0 and "[openclaw notification] Hi: there" in text
    identity = json.dumps(sorted(p.name for p in (tmp_path / "node-state" / "identity").iterdir()))
    assert identity == '["desktop-node-tokens.json", "desktop-node.pem"]'
