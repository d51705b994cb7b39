"""The exec path end to end: real policy, real broker, an approver on a real WebSocket,
real processes, the audit log, grants that persist across a restart or expire."""

from __future__ import annotations

import asyncio
import json

import pytest

from openclaw_desktop.app import build_gateway
from openclaw_desktop.config.service import Overrides
from tests.conftest import TOKEN, connect

APPROVER = ["operator.approvals"]
DOC = {"version": 1, "defaults": {"security": "allowlist", "ask": "on-miss", "askFallback": "deny"},
       "agents": {"main": {"allowlist": [{"pattern": "/usr/bin/echo"}]}}}


@pytest.fixture
async def gw(paths):
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    (paths.state_dir / "exec-approvals.json").write_text(json.dumps(DOC))
    gateway = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    yield gateway
    await gateway.close()


def answer(client, decision: str, grant: dict | None = None, expect_allow_always: bool = True):
    """Resolve the next approval from a second operator connection."""
    async def run():
        event = await client.next_event("exec.approval.requested", timeout=10)
        req = event["payload"]["request"]
        assert ("allow-always" in req["allowedDecisions"]) is expect_allow_always
        params = {"id": event["payload"]["id"], "decision": decision}
        if grant:
            params["grant"] = grant
        await client.call("exec.approval.resolve", params)
        return event["payload"]
    return asyncio.create_task(run())


def audit(paths):
    return [json.loads(line) for line in (paths.state_dir / "logs" / "exec-audit.jsonl").read_text().splitlines()]


async def test_allowlisted_runs_without_asking(gw, paths):
    out = await gw.exec_service.run("echo hello world")
    assert out.ran and out.via == "policy" and out.result.stdout == "hello world\n"
    assert [e["event"] for e in audit(paths)] == ["exec.start", "exec.finish"]
    assert audit(paths)[0]["executables"] == ["/usr/bin/echo"]


async def test_miss_asks_and_allow_once_runs_once(gw, paths):
    async with connect(gw, scopes=APPROVER) as approver:
        task = answer(approver, "allow-once")
        out = await gw.exec_service.run("ls -a", cwd=None)
        shown = await task
        assert shown["request"]["resolvedPath"].endswith("/ls") and shown["request"]["reasons"]
        assert out.ran and out.via == "allow-once" and "." in out.result.stdout.split()
        task = answer(approver, "deny")
        again = await gw.exec_service.run("ls -a")
        await task
        assert not again.ran and again.via == "denied" and "denied (cli)" in again.reasons[0]
    entries = audit(paths)
    assert [e.get("approval") for e in entries if e["event"] in ("exec.start", "exec.refused")] == [
        "allow-once", "deny"]


async def test_hazards_always_ask_and_cannot_be_remembered(gw):
    async with connect(gw, scopes=APPROVER) as approver:
        task = answer(approver, "allow-once", expect_allow_always=False)
        out = await gw.exec_service.run("echo a | tr a b")
        await task
        assert out.ran and out.result.stdout == "b\n"


async def test_injection_never_runs_without_approval(gw, tmp_path):
    marker = tmp_path / "pwned"
    for attack in (f"echo hi; touch {marker}", f"echo $(touch {marker})", f"echo `touch {marker}`",
                   f"echo hi > {marker}", f"FOO=1 touch {marker}", f"sh -c 'touch {marker}'"):
        out = await gw.exec_service.run(attack)  # nobody connected to approve: no route
        assert not out.ran, attack
    assert not marker.exists()


async def test_timeout_denies_with_fallback_deny(gw):
    gw.broker.default_timeout_ms = 200
    async with connect(gw, scopes=APPROVER):
        out = await gw.exec_service.run("ls")
    assert not out.ran and out.via == "timeout"


async def test_allow_always_exact_survives_restart(paths):
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    (paths.state_dir / "exec-approvals.json").write_text(json.dumps(DOC))
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    try:
        async with connect(gw, scopes=APPROVER) as approver:
            task = answer(approver, "allow-always")
            assert (await gw.exec_service.run("ls -a")).via == "allow-always"
            await task
            grants = (await approver.call("exec.approval.grants.list"))["grants"]
            assert [(g["scope"], g["persistent"], g["args"]) for g in grants] == [("exact", True, ["-a"])]
    finally:
        await gw.close()
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    try:
        assert (await gw.exec_service.run("ls -a")).via == "policy"  # remembered, no question
        async with connect(gw, scopes=APPROVER) as approver:
            task = answer(approver, "deny")
            assert not (await gw.exec_service.run("ls -l")).ran  # other arguments still ask
            await task
            grant_id = (await approver.call("exec.approval.grants.list"))["grants"][0]["grantId"]
            revoked = await approver.call("exec.approval.grants.revoke", {"grantId": grant_id})
            assert revoked["outcome"] == "revoked"
            assert (await approver.call("exec.approval.grants.list"))["grants"] == []
            task = answer(approver, "deny")
            assert not (await gw.exec_service.run("ls -a")).ran  # revoked: asks again
            await task
    finally:
        await gw.close()


async def test_executable_in_folder_grant(gw):
    (gw.exec_service.workspace / "sub").mkdir()
    async with connect(gw, scopes=APPROVER) as approver:
        task = answer(approver, "allow-always", {"scope": "executable-in-folder"})
        assert (await gw.exec_service.run("ls -a")).ran
        await task
        assert (await gw.exec_service.run("ls -l")).via == "policy"  # any args, same folder
        task = answer(approver, "deny")
        assert not (await gw.exec_service.run("ls -l", cwd="sub")).ran  # other folder asks
        await task


async def test_session_grant_is_bound_to_its_session(gw):
    async with connect(gw, scopes=APPROVER) as approver:
        task = answer(approver, "allow-always", {"scope": "session"})
        assert (await gw.exec_service.run("ls", session_key="agent:main:a")).ran
        await task
        assert (await gw.exec_service.run("ls -l", session_key="agent:main:a")).via == "grant"
        task = answer(approver, "deny")
        assert not (await gw.exec_service.run("ls", session_key="agent:main:b")).ran
        await task


async def test_timed_grant_expires(gw):
    now = [1_800_000_000_000]
    gw.exec_service.clock_ms = lambda: now[0]
    async with connect(gw, scopes=APPROVER) as approver:
        task = answer(approver, "allow-always", {"scope": "timed", "minutes": 5})
        assert (await gw.exec_service.run("ls")).ran
        await task
        now[0] += 4 * 60_000
        assert (await gw.exec_service.run("ls -a")).via == "grant"
        assert len((await approver.call("exec.approval.grants.list"))["grants"]) == 1
        now[0] += 2 * 60_000
        task = answer(approver, "deny")
        assert not (await gw.exec_service.run("ls -a")).ran
        await task
        assert (await approver.call("exec.approval.grants.list"))["grants"] == []


async def test_folder_outside_workspace_is_refused(gw):
    out = await gw.exec_service.run("echo x", cwd="../..")
    assert not out.ran and "outside the workspace" in out.reasons[0]


async def test_bad_grant_choice_is_refused(gw):
    async with connect(gw, scopes=APPROVER) as approver:
        run = asyncio.create_task(gw.exec_service.run("ls"))
        event = await approver.next_event("exec.approval.requested")
        with pytest.raises(Exception, match="timed grants need minutes"):
            await approver.call("exec.approval.resolve", {"id": event["payload"]["id"], "decision": "allow-always",
                                                          "grant": {"scope": "timed"}})
        await approver.call("exec.approval.resolve", {"id": event["payload"]["id"], "decision": "deny"})
        assert not (await run).ran
