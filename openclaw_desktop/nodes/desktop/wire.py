"""Sans-I/O pieces of the node client: invoke request parsing, result params, the
reconnect decision after a failed connect, and the backoff schedule.

Pure functions and small value objects: no asyncio, no sockets, no clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from openclaw_desktop.protocol.constants import DEFAULT_INVOKE_TIMEOUT_MS


@dataclass(frozen=True, slots=True)
class InvokeRequest:
    """A ``node.invoke.request`` event payload, parsed."""

    id: str
    node_id: str
    command: str
    params: Any
    timeout_ms: int  # 0 = no deadline
    params_error: str | None = None  # set when paramsJSON was not JSON: answer INVALID_REQUEST


def parse_invoke_request(payload: Any) -> InvokeRequest | None:
    """Parse leniently (``paramsJSON`` string or legacy ``params`` object); None when the
    payload lacks an id or command (nothing can be answered then)."""
    if not isinstance(payload, dict):
        return None
    invoke_id, command = payload.get("id"), payload.get("command")
    if not isinstance(invoke_id, str) or not invoke_id or not isinstance(command, str) or not command:
        return None
    node_id = payload.get("nodeId")
    node_id = node_id if isinstance(node_id, str) else ""
    params: Any = payload.get("params")
    error = None
    raw = payload.get("paramsJSON")
    if isinstance(raw, str):
        try:
            params = json.loads(raw)
        except ValueError:
            params, error = None, "paramsJSON is not valid JSON"
    timeout = payload.get("timeoutMs")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
        timeout = DEFAULT_INVOKE_TIMEOUT_MS
    return InvokeRequest(invoke_id, node_id, command, params, int(timeout), error)


def result_ok(req: InvokeRequest, node_id: str, payload: Any) -> dict[str, Any]:
    """``node.invoke.result`` params for a success (payload as a JSON string, like the node host)."""
    return {"id": req.id, "nodeId": node_id, "ok": True,
            "payloadJSON": json.dumps(payload, separators=(",", ":"), ensure_ascii=False)}


def result_error(req: InvokeRequest, node_id: str, code: str, message: str) -> dict[str, Any]:
    return {"id": req.id, "nodeId": node_id, "ok": False, "error": {"code": code, "message": message}}


class Next(StrEnum):
    """What the reconnect loop does after a failed connect."""

    RETRY = "retry"  # back off, then connect again
    RETRY_NOW = "retry-now"  # connect again at once (credentials changed)
    PAUSE = "pause"  # stop until restarted/resumed (pairing or credentials need a human)


@dataclass(frozen=True, slots=True)
class FailurePlan:
    next: Next
    clear_device_token: bool = False
    use_device_token: bool = False  # retry once presenting the stored device token
    delay_ms: int | None = None  # server-provided wait (rate limiting)
    request_id: str | None = None  # PAIRING_REQUIRED: what the operator must approve
    reason: str = ""


# Failures a retry cannot fix (reference §2.7); the node pauses until a human acts.
_TERMINAL = frozenset({"AUTH_TOKEN_MISSING", "AUTH_TOKEN_NOT_CONFIGURED", "AUTH_BOOTSTRAP_TOKEN_INVALID",
                       "AUTH_PASSWORD_MISSING", "AUTH_PASSWORD_MISMATCH", "AUTH_PASSWORD_NOT_CONFIGURED",
                       "AUTH_SCOPE_MISMATCH", "DEVICE_IDENTITY_REQUIRED", "PROTOCOL_MISMATCH",
                       "AUTH_REQUIRED", "AUTH_UNAUTHORIZED", "DEVICE_AUTH_PUBLIC_KEY_INVALID"})


def plan_after_connect_error(error: dict[str, Any], *, has_shared_secret: bool, has_device_token: bool,
                             tried_device_token: bool) -> FailurePlan:
    """Decide what to do after ``connect`` was answered ``ok:false`` with ``error``."""
    raw_details = error.get("details")
    details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
    code = str(details.get("code") or error.get("code") or "")
    message = str(error.get("message") or code)
    if code == "PAIRING_REQUIRED":
        request_id = details.get("requestId")
        request_id = request_id if isinstance(request_id, str) else None
        keep_trying = details.get("pauseReconnect") is False or details.get("recommendedNextStep") == "wait_then_retry"
        return FailurePlan(Next.RETRY if keep_trying else Next.PAUSE, request_id=request_id, reason=message)
    if code == "AUTH_DEVICE_TOKEN_MISMATCH":
        # The stored token is dead: forget it; with a shared secret we can still get in.
        return FailurePlan(Next.RETRY_NOW if has_shared_secret else Next.PAUSE, clear_device_token=True,
                           reason=message)
    if code == "AUTH_TOKEN_MISMATCH":
        if details.get("canRetryWithDeviceToken") and has_device_token and not tried_device_token:
            return FailurePlan(Next.RETRY_NOW, use_device_token=True, reason=message)
        return FailurePlan(Next.PAUSE, reason=message)
    if code == "AUTH_RATE_LIMITED":
        wait = error.get("retryAfterMs")
        return FailurePlan(Next.RETRY, delay_ms=wait if isinstance(wait, int) and wait >= 0 else None, reason=message)
    if code in _TERMINAL:
        return FailurePlan(Next.PAUSE, reason=message)
    return FailurePlan(Next.RETRY, reason=message)


class Backoff:
    """Reconnect delays: ``initial`` doubling up to ``maximum`` (1 s → 30 s by default)."""

    def __init__(self, initial_s: float = 1.0, maximum_s: float = 30.0) -> None:
        self.initial_s, self.maximum_s = initial_s, maximum_s
        self._next = initial_s

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self.maximum_s)
        return delay

    def reset(self) -> None:
        self._next = self.initial_s
