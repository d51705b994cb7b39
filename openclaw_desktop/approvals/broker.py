"""The approval broker: pending exec approvals as futures that fail closed.

Every resolver (official CLI, phones, the tray app's native dialog) goes through here.
The first answer wins; later answers are refused. Timeout, the requesting connection
going away, the last approval-capable operator disconnecting, or a UI failure all
resolve as *deny*. Events are reported through ``on_event`` (wired to the gateway's
broadcast by the composition root); the broker knows nothing of sockets.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openclaw_desktop.errors import ErrorCode, GatewayError, invalid_request

ALLOW_ONCE, ALLOW_ALWAYS, DENY = "allow-once", "allow-always", "deny"
DECISIONS = (ALLOW_ONCE, ALLOW_ALWAYS, DENY)
GRANT_SCOPES = ("exact", "executable-in-folder", "session", "timed")
DEFAULT_TIMEOUT_MS = 120_000
_TERMINAL_KEEP = 500


@dataclass(frozen=True)
class ApprovalRequest:
    """What the human is asked to approve (all display fields are plain data)."""

    command: str
    argv: tuple[str, ...] | None
    cwd: str | None
    agent_id: str = "main"
    session_key: str | None = None
    resolved_path: str | None = None
    reasons: tuple[str, ...] = ()
    security: str | None = None
    ask: str | None = None
    host: str = "gateway"
    allow_always: bool = True
    run_id: str | None = None
    tool_call_id: str | None = None

    def allowed_decisions(self) -> list[str]:
        return [ALLOW_ONCE, ALLOW_ALWAYS, DENY] if self.allow_always else [ALLOW_ONCE, DENY]

    def to_wire(self) -> dict[str, Any]:
        return {
            "command": self.command, "commandPreview": None,
            "commandArgv": list(self.argv) if self.argv is not None else None,
            "cwd": self.cwd, "nodeId": None, "host": self.host, "security": self.security, "ask": self.ask,
            "warningText": "; ".join(self.reasons) or None, "reasons": list(self.reasons),
            "allowedDecisions": self.allowed_decisions(), "agentId": self.agent_id,
            "resolvedPath": self.resolved_path, "sessionKey": self.session_key, "runId": self.run_id,
            "toolCallId": self.tool_call_id,
        }


@dataclass(frozen=True)
class GrantChoice:
    """How far an allow-always reaches (our extension; official clients send none → exact)."""

    scope: str = "exact"
    minutes: int | None = None

    @staticmethod
    def parse(raw: Any) -> GrantChoice:
        if raw is None:
            return GrantChoice()
        if not isinstance(raw, dict) or raw.get("scope") not in GRANT_SCOPES:
            raise invalid_request(f"invalid grant: scope must be one of {', '.join(GRANT_SCOPES)}")
        minutes = raw.get("minutes")
        if raw["scope"] == "timed":
            if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 7 * 24 * 60:
                raise invalid_request("invalid grant: timed grants need minutes in 1..10080")
        return GrantChoice(raw["scope"], minutes if raw["scope"] == "timed" else None)


@dataclass(frozen=True)
class Resolution:
    """How a pending approval ended. ``decision`` is None when it expired."""

    decision: str | None
    resolved_by: str
    reason: str  # user | timeout | disconnect | no-route | ui-failure | cancelled
    grant: GrantChoice | None = None

    @property
    def allowed(self) -> bool:
        return self.decision in (ALLOW_ONCE, ALLOW_ALWAYS)


@dataclass
class PendingApproval:
    id: str
    request: ApprovalRequest
    created_at_ms: int
    expires_at_ms: int
    future: asyncio.Future[Resolution]
    owner: str | None = None
    resolution: Resolution | None = None
    _timer: asyncio.TimerHandle | None = field(default=None, repr=False)

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "approvalKind": "exec", "request": self.request.to_wire(),
                "createdAtMs": self.created_at_ms, "expiresAtMs": self.expires_at_ms}


class ApprovalBroker:
    """Holds pending approvals. ``has_route()`` says whether any resolver is reachable."""

    def __init__(self, clock_ms: Callable[[], int], on_event: Callable[[str, dict[str, Any]], None],
                 has_route: Callable[[], bool], default_timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        self._clock = clock_ms
        self._on_event = on_event
        self._has_route = has_route
        self.default_timeout_ms = default_timeout_ms
        self._pending: dict[str, PendingApproval] = {}
        self._done: OrderedDict[str, PendingApproval] = OrderedDict()

    # ---- creating -----------------------------------------------------------------
    def submit(self, request: ApprovalRequest, *, timeout_ms: int | None = None, approval_id: str | None = None,
               owner: str | None = None) -> PendingApproval:
        """Register a request and announce it; the returned future always completes."""
        if approval_id is not None and (approval_id in self._pending or approval_id in self._done):
            raise invalid_request("approval id already pending")
        loop = asyncio.get_running_loop()
        now = self._clock()
        timeout = self.default_timeout_ms if timeout_ms is None else timeout_ms
        pending = PendingApproval(approval_id or str(uuid.uuid4()), request, now, now + timeout,
                                  loop.create_future(), owner)
        self._pending[pending.id] = pending
        if not self._has_route():
            # Nobody can answer: deny now instead of making the agent wait for the timeout.
            self._finish(pending, Resolution(DENY, "gateway", "no-route"))
            return pending
        pending._timer = loop.call_later(timeout / 1000, self._expire, pending.id)
        self._on_event("exec.approval.requested", pending.to_wire())
        return pending

    async def request(self, request: ApprovalRequest, **kw: Any) -> Resolution:
        """Submit and wait. Cancelling the waiter cancels the approval (and re-raises)."""
        pending = self.submit(request, **kw)
        try:
            return await asyncio.shield(pending.future)
        except asyncio.CancelledError:
            self.cancel(pending.id, "cancelled")
            raise

    # ---- resolving ----------------------------------------------------------------
    def lookup(self, id_or_prefix: str) -> PendingApproval:
        """Find a pending approval by id or unique id prefix."""
        if id_or_prefix in self._pending:
            return self._pending[id_or_prefix]
        if id_or_prefix in self._done:
            done = self._done[id_or_prefix]
            who = done.resolution.resolved_by if done.resolution else "someone"
            raise invalid_request(f"approval already resolved by {who}",
                                  {"reason": "APPROVAL_ALREADY_RESOLVED", "resolvedBy": who})
        matches = [p for k, p in self._pending.items() if k.startswith(id_or_prefix)] if len(id_or_prefix) >= 4 else []
        if len(matches) > 1:
            raise invalid_request("ambiguous approval id prefix; use the full id")
        if not matches:
            raise GatewayError(ErrorCode.APPROVAL_NOT_FOUND, f"unknown approval id: {id_or_prefix}")
        return matches[0]

    def resolve(self, id_or_prefix: str, decision: str, resolved_by: str,
                grant: GrantChoice | None = None) -> PendingApproval:
        """Apply a human decision; the first answer wins, later ones raise."""
        if decision not in DECISIONS:
            raise invalid_request(f"invalid decision: {decision}")
        pending = self.lookup(id_or_prefix)
        if decision == ALLOW_ALWAYS and not pending.request.allow_always:
            raise invalid_request("allow-always is not available for this request",
                                  {"reason": "APPROVAL_ALLOW_ALWAYS_UNAVAILABLE"})
        self._finish(pending, Resolution(decision, resolved_by, "user",
                                         (grant or GrantChoice()) if decision == ALLOW_ALWAYS else None))
        return pending

    def fail(self, approval_id: str, reason: str = "ui-failure") -> None:
        """A resolver broke (dialog crashed, closed without a choice): deny."""
        pending = self._pending.get(approval_id)
        if pending is not None:
            self._finish(pending, Resolution(DENY, "gateway", reason))

    def cancel(self, approval_id: str, reason: str = "cancelled") -> None:
        pending = self._pending.get(approval_id)
        if pending is not None:
            self._finish(pending, Resolution(DENY, "gateway", reason))

    def owner_gone(self, owner: str) -> None:
        """The connection that asked went away: deny what it was waiting for."""
        for pending in [p for p in self._pending.values() if p.owner == owner]:
            self._finish(pending, Resolution(DENY, "gateway", "disconnect"))

    def route_lost(self) -> None:
        """No resolver is reachable any more: deny everything pending."""
        if not self._has_route():
            for pending in list(self._pending.values()):
                self._finish(pending, Resolution(DENY, "gateway", "no-route"))

    def close(self) -> None:
        """Gateway shutdown: nothing stays pending."""
        for pending in list(self._pending.values()):
            self._finish(pending, Resolution(DENY, "gateway", "gateway-restart"))

    def _expire(self, approval_id: str) -> None:
        pending = self._pending.get(approval_id)
        if pending is not None:
            self._finish(pending, Resolution(None, "gateway", "timeout"))

    def _finish(self, pending: PendingApproval, resolution: Resolution) -> None:
        if pending.resolution is not None:
            return
        pending.resolution = resolution
        if pending._timer is not None:
            pending._timer.cancel()
        self._pending.pop(pending.id, None)
        self._done[pending.id] = pending
        while len(self._done) > _TERMINAL_KEEP:
            self._done.popitem(last=False)
        if not pending.future.done():
            pending.future.set_result(resolution)
        self._on_event("exec.approval.resolved", {
            "id": pending.id, "decision": resolution.decision, "resolvedBy": resolution.resolved_by,
            "reason": resolution.reason, "ts": self._clock(), "request": pending.request.to_wire(),
        })

    # ---- reading ------------------------------------------------------------------
    def list(self) -> list[PendingApproval]:
        return sorted(self._pending.values(), key=lambda p: p.created_at_ms)

    def __len__(self) -> int:
        return len(self._pending)
