"""The broker-shaped stand-in for a remote gateway's approvals (attach mode), with a
recording fake link."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from openclaw_desktop.approvals.broker import (
    ApprovalBroker,
    ApprovalRequest,
    GrantChoice,
)
from openclaw_desktop.errors import GatewayError
from openclaw_desktop.ui.remote_approvals import RemoteApprovals, request_from_wire


class RecordingLink:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any] | None]] = []
        self.fail = fail

    async def call(self, method: str, params: dict[str, Any] | None = None, **_kw: Any) -> Any:
        self.calls.append((method, params))
        if self.fail:
            raise ConnectionError("link down")
        return {"ok": True}


def wire_event() -> dict[str, Any]:
    """A real broker's ``exec.approval.requested`` payload (what arrives over the link)."""
    events: list[tuple[str, dict[str, Any]]] = []

    async def make() -> None:
        broker = ApprovalBroker(lambda: 1_000, lambda n, p: events.append((n, p)), lambda: True)
        broker.submit(ApprovalRequest(command="make deploy", argv=("make", "deploy"), cwd="/srv", agent_id="ops",
                                      session_key="agent:ops:main", resolved_path="/usr/bin/make",
                                      reasons=("not allowlisted",)), approval_id="a1")
        broker.close()

    asyncio.run(make())
    return events[0][1]


def test_wire_request_round_trips():
    request = request_from_wire(wire_event()["request"])
    assert (request.command, request.argv, request.cwd, request.agent_id, request.session_key,
            request.resolved_path, request.reasons, request.allow_always) == (
        "make deploy", ("make", "deploy"), "/srv", "ops", "agent:ops:main", "/usr/bin/make",
        ("not allowlisted",), True)
    assert request_from_wire("junk").command == "" and request_from_wire({}).allow_always is False


def test_answers_go_over_the_link_and_resolved_events_close_the_entry():
    event = wire_event()

    async def go() -> None:
        link = RecordingLink()
        forwarded: list[str] = []
        remote = RemoteApprovals(link, lambda name, _p: forwarded.append(name))
        remote.handle_event("exec.approval.requested", event)
        remote.handle_event("chat", {"id": "x"})  # not ours: not forwarded
        assert remote.lookup("a1").request.command == "make deploy"
        remote.resolve("a1", "allow-always", "this computer", GrantChoice("timed", 30))
        with pytest.raises(GatewayError):
            remote.lookup("a1")  # answered here: no second answer
        await remote.close()
        assert link.calls == [("exec.approval.resolve", {"id": "a1", "decision": "allow-always",
                                                         "grant": {"scope": "timed", "minutes": 30}})]
        remote.handle_event("exec.approval.resolved", {"id": "a1", "decision": "allow-always"})
        assert forwarded == ["exec.approval.requested", "exec.approval.resolved"]

    asyncio.run(go())


def test_failure_denies_and_an_undeliverable_answer_is_only_logged(caplog):
    event = wire_event()

    async def go() -> None:
        link = RecordingLink(fail=True)
        remote = RemoteApprovals(link)
        remote.handle_event("exec.approval.requested", event)
        remote.fail("a1")
        remote.fail("a1")  # once only
        await remote.close()
        assert link.calls == [("exec.approval.resolve", {"id": "a1", "decision": "deny"})]

    asyncio.run(go())
    assert "could not send the approval answer for a1" in caplog.text
