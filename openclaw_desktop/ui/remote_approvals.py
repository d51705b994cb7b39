"""Exec approvals of a gateway reached only through the link (attach mode), broker-shaped.

The native ``ApprovalDialogs`` talk to an :class:`~openclaw_desktop.approvals.broker.
ApprovalBroker` (``lookup``, ``resolve``, ``fail``). When the app hosts the gateway it
gets the real broker; attached to another gateway it gets this stand-in, which keeps the
pending approvals it saw in ``exec.approval.requested`` events and sends answers as
``exec.approval.resolve`` through the link. Answers are fire-and-forget from the dialog's
point of view; one that cannot be delivered leaves the request to time out on the gateway,
which denies it (fail closed). Imports no Qt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from openclaw_desktop.approvals.broker import (
    DENY,
    ApprovalRequest,
    GrantChoice,
    PendingApproval,
    Resolution,
)
from openclaw_desktop.errors import ErrorCode, GatewayError

log = logging.getLogger(__name__)


class Caller(Protocol):
    async def call(self, method: str, params: dict[str, Any] | None = None, *, expect_final: bool = False,
                   timeout_s: float = 30.0) -> Any: ...


def request_from_wire(raw: Any) -> ApprovalRequest:
    """``exec.approval.requested``'s ``request`` object → ApprovalRequest (lenient on input)."""
    r = raw if isinstance(raw, dict) else {}

    def text(key: str) -> str | None:
        value = r.get(key)
        return value if isinstance(value, str) else None

    argv = r.get("commandArgv")
    reasons = r.get("reasons")
    if not isinstance(reasons, list):
        reasons = [r["warningText"]] if isinstance(r.get("warningText"), str) else []
    allowed = r.get("allowedDecisions")
    return ApprovalRequest(
        command=text("command") or text("commandPreview") or "", cwd=text("cwd"),
        argv=tuple(a for a in argv if isinstance(a, str)) if isinstance(argv, list) else None,
        agent_id=text("agentId") or "main", session_key=text("sessionKey"), resolved_path=text("resolvedPath"),
        reasons=tuple(x for x in reasons if isinstance(x, str)), security=text("security"), ask=text("ask"),
        host=text("host") or "gateway",
        allow_always=isinstance(allowed, list) and "allow-always" in allowed, run_id=text("runId"))


class RemoteApprovals:
    """Broker-shaped view of a remote gateway's pending exec approvals.

    Feed it the link's events with :meth:`handle_event` (it forwards them to ``forward``,
    the dialogs' own handler, after updating its table).
    """

    def __init__(self, link: Caller, forward: Callable[[str, dict[str, Any]], None] = lambda _n, _p: None) -> None:
        self.link = link
        self.forward = forward
        self._pending: dict[str, PendingApproval] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def handle_event(self, name: str, payload: dict[str, Any]) -> None:
        approval_id = payload.get("id")
        if name == "exec.approval.requested" and isinstance(approval_id, str):
            created = payload.get("createdAtMs")
            expires = payload.get("expiresAtMs")
            self._pending[approval_id] = PendingApproval(
                approval_id, request_from_wire(payload.get("request")),
                created if isinstance(created, int) else 0, expires if isinstance(expires, int) else 0,
                asyncio.get_running_loop().create_future())
        elif name == "exec.approval.resolved" and isinstance(approval_id, str):
            pending = self._pending.pop(approval_id, None)
            if pending is not None and pending.resolution is None:
                decision = payload.get("decision")
                pending.resolution = Resolution(decision if isinstance(decision, str) else None,
                                                str(payload.get("resolvedBy") or "gateway"),
                                                str(payload.get("reason") or "user"))
        else:
            return
        self.forward(name, payload)

    # ---- the broker surface ApprovalDialogs uses --------------------------------------
    def lookup(self, approval_id: str) -> PendingApproval:
        pending = self._pending.get(approval_id)
        if pending is None or pending.resolution is not None:
            raise GatewayError(ErrorCode.APPROVAL_NOT_FOUND, f"unknown approval id: {approval_id}")
        return pending

    def resolve(self, approval_id: str, decision: str, resolved_by: str,
                grant: GrantChoice | None = None) -> PendingApproval:
        pending = self.lookup(approval_id)
        pending.resolution = Resolution(decision, resolved_by, "user", grant)
        params: dict[str, Any] = {"id": approval_id, "decision": decision}
        if grant is not None and decision == "allow-always":
            params["grant"] = {"scope": grant.scope, **({"minutes": grant.minutes} if grant.minutes else {})}
        self._send(params)
        return pending

    def fail(self, approval_id: str, reason: str = "ui-failure") -> None:
        """The dialog broke: answer deny (what the gateway would do at the timeout anyway)."""
        pending = self._pending.get(approval_id)
        if pending is not None and pending.resolution is None:
            pending.resolution = Resolution(DENY, "this computer", reason)
            self._send({"id": approval_id, "decision": DENY})

    async def close(self) -> None:
        """Wait for answers still on their way (quit path)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _send(self, params: dict[str, Any]) -> None:
        async def send() -> None:
            try:
                await self.link.call("exec.approval.resolve", params)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - undeliverable: the gateway's timeout denies it
                log.warning("could not send the approval answer for %s: %s", params["id"], exc)

        task = asyncio.ensure_future(send())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
