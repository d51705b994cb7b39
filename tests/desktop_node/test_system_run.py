"""``system.run`` on the desktop node goes through the command-safety policy (real
policy, real processes, real audit log; no approver on a node yet, so *ask* is denied)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from openclaw_desktop.nodes.desktop.commands import CommandRegistry, enabled_commands
from openclaw_desktop.nodes.desktop.ports import CommandError
from openclaw_desktop.nodes.desktop.system_run import PolicyRunner

from .fakes import fake_ports


@pytest.fixture
def registry(tmp_path):
    (tmp_path / "exec-approvals.json").write_text(json.dumps(
        {"version": 1, "agents": {"main": {"allowlist": [{"pattern": "/usr/bin/echo"}]}}}))
    runner = PolicyRunner.for_state(tmp_path, lambda: 1)
    return CommandRegistry(replace(fake_ports(), runner=runner), enabled_commands(["system.run"])), tmp_path


async def test_allowlisted_argv_runs(registry):
    reg, state = registry
    result = await reg.invoke("system.run", {"command": ["echo", "hi", "$HOME;x"], "rawCommand": "echo hi"})
    assert result == {"exitCode": 0, "timedOut": False, "success": True, "stdout": "hi $HOME;x\n", "stderr": "",
                      "error": None}
    events = [json.loads(line)["event"] for line in (state / "logs" / "exec-audit.jsonl").read_text().splitlines()]
    assert events == ["exec.start", "exec.finish"]


@pytest.mark.parametrize(("argv", "why"), [
    (["ls", "-la"], "approval-required"),                # not on the allowlist: would need a human
    (["sh", "-c", "echo pwned"], "approval-required"),   # inline code always needs approval
    (["echo", "a", "|", "sh"], None),                     # quoted argv: '|' is just an argument
])
async def test_everything_else_is_denied_without_an_approver(registry, argv, why):
    reg, _ = registry
    if why is None:
        assert (await reg.invoke("system.run", {"command": argv}))["stdout"] == "a | sh\n"
        return
    with pytest.raises(CommandError) as exc:
        await reg.invoke("system.run", {"command": argv, "rawCommand": "echo harmless"})
    assert exc.value.code == "SYSTEM_RUN_DENIED" and exc.value.message.startswith(f"SYSTEM_RUN_DENIED: {why}")


async def test_cwd_outside_the_workspace_and_bad_params(registry):
    reg, _ = registry
    with pytest.raises(CommandError, match="cwd-unavailable"):
        await reg.invoke("system.run", {"command": ["echo", "x"], "cwd": "/etc"})
    with pytest.raises(CommandError, match="non-empty array"):
        await reg.invoke("system.run", {"command": "echo x"})


async def test_system_run_is_off_by_default(registry):
    _, state = registry
    reg = CommandRegistry(fake_ports(), enabled_commands([]))
    assert "system.run" not in reg.commands
    with pytest.raises(CommandError, match="disabled on this node"):
        await reg.invoke("system.run", {"command": ["echo", "x"]})
