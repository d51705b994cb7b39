"""Approval round-trips over real WebSockets: a requester, one or two resolvers."""

from __future__ import annotations

import asyncio
import json

import pytest

from openclaw_desktop.approvals.broker import ApprovalRequest
from openclaw_desktop.client.gateway_client import RpcError
from tests.conftest import connect

APPROVER = ["operator.approvals", "operator.read"]


async def request_in_background(client, **params):
    base = {"command": "rm -rf build", "commandArgv": ["rm", "-rf", "build"], "cwd": "/tmp", "twoPhase": True}
    base.update(params)
    return asyncio.create_task(client.call("exec.approval.request", base, timeout=30, expect_final=True))


async def test_round_trip_first_answer_wins(gateway):
    async with connect(gateway, scopes=APPROVER) as requester, \
            connect(gateway, scopes=APPROVER, display_name="phone") as phone, \
            connect(gateway, scopes=["operator.read"]) as bystander:
        task = await request_in_background(requester)
        event = await phone.next_event("exec.approval.requested")
        approval = event["payload"]
        assert approval["request"]["command"] == "rm -rf build"
        assert approval["request"]["allowedDecisions"] == ["allow-once", "allow-always", "deny"]
        assert [p["id"] for p in await phone.call("exec.approval.list")] == [approval["id"]]
        assert (await phone.call("exec.approval.resolve", {"id": approval["id"][:8], "decision": "allow-once"}))["ok"]
        final = await task
        assert final["decision"] == "allow-once" and final["resolvedBy"] == "phone"
        with pytest.raises(RpcError, match="approval already resolved by phone"):
            await requester.call("exec.approval.resolve", {"id": approval["id"], "decision": "deny"})
        resolved = await requester.next_event("exec.approval.resolved")
        assert resolved["payload"]["decision"] == "allow-once"
        # Without operator.approvals nobody sees approvals at all.
        assert all(e["event"] != "exec.approval.requested" for e in list(bystander.events._queue))
        with pytest.raises(RpcError, match="missing scope: operator.approvals"):
            await bystander.call("exec.approval.list")


async def test_two_resolvers_racing(gateway):
    async with connect(gateway, scopes=APPROVER) as requester, connect(gateway, scopes=APPROVER) as a, \
            connect(gateway, scopes=APPROVER) as b:
        task = await request_in_background(requester)
        approval_id = (await a.next_event("exec.approval.requested"))["payload"]["id"]
        results = await asyncio.gather(a.call("exec.approval.resolve", {"id": approval_id, "decision": "deny"}),
                                       b.call("exec.approval.resolve", {"id": approval_id, "decision": "allow-once"}),
                                       return_exceptions=True)
        winners = [r for r in results if not isinstance(r, Exception)]
        assert len(winners) == 1
        assert (await task)["decision"] == winners[0]["decision"]


async def test_timeout_denies(gateway):
    async with connect(gateway, scopes=APPROVER) as requester:
        task = await request_in_background(requester, timeoutMs=150)
        final = await task
        assert final["decision"] is None and final["reason"] == "timeout"


async def test_requester_disconnect_denies(gateway):
    async with connect(gateway, scopes=APPROVER) as watcher:
        async with connect(gateway, scopes=APPROVER) as requester:
            await request_in_background(requester)
            await watcher.next_event("exec.approval.requested")
        resolved = await watcher.next_event("exec.approval.resolved")
        assert resolved["payload"]["decision"] == "deny" and resolved["payload"]["reason"] == "disconnect"
        assert await watcher.call("exec.approval.list") == []


async def test_last_approver_leaving_denies(gateway):
    async with connect(gateway, scopes=["operator.approvals"]) as only:
        pending = gateway.broker.submit(ApprovalRequest(command="make install", argv=("make", "install"), cwd="/tmp"))
        await only.next_event("exec.approval.requested")
    resolution = await asyncio.wait_for(pending.future, 5)
    assert (resolution.decision, resolution.reason) == ("deny", "no-route")


async def test_no_route_denies_immediately(gateway):
    resolution = await asyncio.wait_for(gateway.broker.request(ApprovalRequest("ls", ("ls",), "/")), 1)
    assert (resolution.decision, resolution.reason) == ("deny", "no-route")


async def test_bad_resolve_params(gateway):
    async with connect(gateway, scopes=APPROVER) as c:
        with pytest.raises(RpcError) as exc:
            await c.call("exec.approval.resolve", {"id": "nope-nope", "decision": "deny"})
        assert exc.value.code == "APPROVAL_NOT_FOUND"
        with pytest.raises(RpcError, match="invalid decision"):
            await c.call("exec.approval.resolve", {"id": "nope", "decision": "maybe"})
        with pytest.raises(RpcError, match="command is required"):
            await c.call("exec.approval.request", {})


async def test_approvals_document_get_set_with_base_hash(gateway, paths):
    async with connect(gateway) as admin:
        view = await admin.call("exec.approvals.get")
        assert view["exists"] is False and view["hash"].startswith("missing:")
        assert view["resolvedDefaults"]["security"] == "allowlist"
        doc = {"version": 1, "defaults": {"security": "allowlist", "ask": "on-miss"},
               "agents": {"main": {"allowlist": [{"pattern": "/usr/bin/git"}]}}}
        saved = await admin.call("exec.approvals.set", {"file": doc})
        assert saved["exists"] is True and saved["file"]["agents"]["main"]["allowlist"][0]["pattern"] == "/usr/bin/git"
        with pytest.raises(RpcError, match="base hash required"):
            await admin.call("exec.approvals.set", {"file": doc})
        with pytest.raises(RpcError, match="changed since last load"):
            await admin.call("exec.approvals.set", {"file": doc, "baseHash": view["hash"]})
        with pytest.raises(RpcError, match="defaults.security: must be one of"):
            await admin.call("exec.approvals.set", {"file": {"version": 1, "defaults": {"security": "yolo"}},
                                                    "baseHash": saved["hash"]})
        assert json.loads((paths.state_dir / "exec-approvals.json").read_text()) == doc
    async with connect(gateway, scopes=["operator.approvals"]) as approver:
        with pytest.raises(RpcError, match="missing scope: operator.admin"):
            await approver.call("exec.approvals.get")


async def test_corrupt_document_fails_closed(gateway, paths):
    (paths.state_dir / "exec-approvals.json").write_text("{ not json")
    async with connect(gateway) as admin:
        view = await admin.call("exec.approvals.get")
    assert view["resolvedDefaults"]["security"] == "deny" and "unreadable" in view["error"]
    assert (paths.state_dir / "exec-approvals.json").read_text() == "{ not json"
