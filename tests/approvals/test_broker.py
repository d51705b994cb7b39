"""Broker unit tests with a recording event sink (no sockets): every ending denies."""

from __future__ import annotations

import asyncio

import pytest

from openclaw_desktop.approvals.broker import (
    ApprovalBroker,
    ApprovalRequest,
    GrantChoice,
)
from openclaw_desktop.errors import GatewayError


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict]] = []

    def __call__(self, name: str, payload: dict) -> None:
        self.events.append((name, payload))


def make(route: bool = True, timeout_ms: int = 60_000) -> tuple[ApprovalBroker, Recorder]:
    rec = Recorder()
    return ApprovalBroker(lambda: 1000, rec, lambda: route, default_timeout_ms=timeout_ms), rec


REQ = ApprovalRequest("rm -rf build", ("rm", "-rf", "build"), "/w")


@pytest.mark.parametrize(("end", "reason"), [
    (lambda b, p: b.fail(p.id), "ui-failure"),
    (lambda b, p: b.cancel(p.id), "cancelled"),
    (lambda b, p: b.owner_gone("conn-1"), "disconnect"),
    (lambda b, p: b.close(), "gateway-restart"),
])
async def test_every_non_answer_denies(end, reason):
    broker, rec = make()
    pending = broker.submit(REQ, owner="conn-1")
    end(broker, pending)
    resolution = await pending.future
    assert (resolution.decision, resolution.reason) == ("deny", reason)
    assert [name for name, _ in rec.events] == ["exec.approval.requested", "exec.approval.resolved"]
    assert len(broker) == 0


async def test_timeout_has_no_decision():
    broker, rec = make(timeout_ms=30)
    resolution = await broker.request(REQ)
    assert (resolution.decision, resolution.reason, resolution.allowed) == (None, "timeout", False)


async def test_cancelled_waiter_cancels_the_approval():
    broker, rec = make()
    task = asyncio.create_task(broker.request(REQ))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert rec.events[-1][1]["reason"] == "cancelled" and len(broker) == 0


async def test_first_answer_wins_and_grant_defaults_to_exact():
    broker, _ = make()
    pending = broker.submit(REQ)
    broker.resolve(pending.id, "allow-always", "phone")
    with pytest.raises(GatewayError, match="already resolved by phone"):
        broker.resolve(pending.id, "deny", "cli")
    resolution = await pending.future
    assert resolution.grant == GrantChoice("exact") and resolution.allowed


async def test_allow_always_unavailable_and_duplicate_ids():
    broker, _ = make()
    pending = broker.submit(ApprovalRequest("x", None, None, allow_always=False), approval_id="fixed-id")
    with pytest.raises(GatewayError) as exc:
        broker.resolve("fixed-id", "allow-always", "cli")
    assert exc.value.details == {"reason": "APPROVAL_ALLOW_ALWAYS_UNAVAILABLE"}
    with pytest.raises(GatewayError, match="already pending"):
        broker.submit(REQ, approval_id="fixed-id")
    broker.resolve(pending.id, "deny", "cli")


def test_grant_choice_validation():
    assert GrantChoice.parse({"scope": "timed", "minutes": 30}) == GrantChoice("timed", 30)
    assert GrantChoice.parse({"scope": "session", "minutes": 30}) == GrantChoice("session", None)
    for bad in ({"scope": "forever"}, {"scope": "timed", "minutes": 0}, {"scope": "timed", "minutes": True}, "exact"):
        with pytest.raises(GatewayError):
            GrantChoice.parse(bad)
