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


# ---- with an approver (the tray app): ask goes through the broker ------------------
def approving_registry(tmp_path, answer):
    """A real ExecService + broker whose requests are answered by ``answer(broker, id)``."""
    import asyncio

    from openclaw_desktop.approvals.audit import AuditLog
    from openclaw_desktop.approvals.broker import ApprovalBroker
    from openclaw_desktop.approvals.document_store import ApprovalsDocumentStore
    from openclaw_desktop.approvals.exec_service import ExecService
    from openclaw_desktop.nodes.desktop.system_run import ApprovingRunner

    holder: dict = {}

    def on_event(name, payload):
        if name == "exec.approval.requested":
            asyncio.get_running_loop().call_soon(answer, holder["broker"], payload["id"])

    broker = ApprovalBroker(lambda: 1, on_event, lambda: True, default_timeout_ms=5000)
    holder["broker"] = broker
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    service = ExecService(ApprovalsDocumentStore(tmp_path / "exec-approvals.json"), broker,
                          AuditLog(tmp_path / "audit.jsonl"), workspace, lambda: 1)
    return CommandRegistry(replace(fake_ports(), runner=ApprovingRunner(service)), enabled_commands(["system.run"]))


async def test_ask_is_approved_through_the_broker(tmp_path):
    reg = approving_registry(tmp_path, lambda b, i: b.resolve(i, "allow-once", "alice"))
    result = await reg.invoke("system.run", {"command": ["echo", "approved"]})
    assert (result["stdout"], result["exitCode"], result["approvedBy"]) == ("approved\n", 0, "alice")


async def test_ask_denied_or_failed_ui_is_refused(tmp_path):
    for answer in (lambda b, i: b.resolve(i, "deny", "alice"), lambda b, i: b.fail(i, "ui-failure")):
        (tmp_path / str(id(answer))).mkdir()
        reg = approving_registry(tmp_path / str(id(answer)), answer)
        with pytest.raises(CommandError) as exc:
            await reg.invoke("system.run", {"command": ["echo", "nope"]})
        assert exc.value.code == "SYSTEM_RUN_DENIED" and "approval-denied" in exc.value.message
