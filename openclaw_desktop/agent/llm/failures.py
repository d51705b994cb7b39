"""Sans-I/O: classify a failed model call and decide how long to wait before retrying.

Pure code (no asyncio, no SDK, no clock: ``now`` and the jitter draw are passed in), so
the policy is table-tested without a server. The adapter extracts the HTTP status, the
API's ``error.type`` and message and the response headers, and hands them here.
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC

from openclaw_desktop.agent.llm.port import ModelError

#: ``error.type`` → (ModelError kind, RetryNotice reason or None when not retryable).
#: Used when the HTTP status says nothing (an ``error`` event inside a 200 stream).
_BY_ERROR_TYPE: dict[str, tuple[str, str | None]] = {
    "rate_limit_error": ("rate_limit", "rate_limit"),
    "overloaded_error": ("server", "overloaded"),
    "api_error": ("server", "server_error"),
    "authentication_error": ("auth", None),
    "permission_error": ("auth", None),
    "billing_error": ("auth", None),
    "not_found_error": ("bad_request", None),
    "request_too_large": ("context_length", None),
    "timeout_error": ("timeout", None),
    "invalid_request_error": ("bad_request", None),
}

_CONTEXT_HINTS = ("prompt is too long", "context window", "context length", "context_length")


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed attempt, classified. ``retry_reason`` is None when retrying is pointless."""

    kind: str
    message: str
    status: int | None = None
    retry_reason: str | None = None
    retry_after_s: float | None = None

    def to_error(self) -> ModelError:
        return ModelError(self.kind, self.message, status=self.status)


def classify_status(
    status: int | None, error_type: str | None, message: str
) -> tuple[str, str | None]:
    """Map an API error to ``(kind, retry_reason)``.

    The status wins when it is an error status; ``error_type`` decides for errors that
    arrive inside a successful (200) stream. 413 is reported as ``context_length``
    because the caller's remedy is the same: send less.
    """
    if status is None or status < 400:
        kind, reason = _BY_ERROR_TYPE.get(error_type or "", ("server", None))
    elif status == 429:
        kind, reason = "rate_limit", "rate_limit"
    elif status == 529 or error_type == "overloaded_error":
        kind, reason = "server", "overloaded"
    elif status >= 500:
        kind, reason = "server", "server_error"
    elif status in (401, 402, 403):
        kind, reason = "auth", None
    elif status == 408:
        kind, reason = "timeout", None
    elif status == 413:
        kind, reason = "context_length", None
    else:
        kind, reason = "bad_request", None
    if kind == "bad_request" and any(h in message.lower() for h in _CONTEXT_HINTS):
        kind = "context_length"
    return kind, reason


def parse_retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the server asked us to wait, or None.

    ``headers`` must have lower-case keys. ``retry-after-ms`` wins (it is more precise);
    ``retry-after`` may be seconds (integer or not) or an HTTP date, which is measured
    from ``now`` (a Unix time). A date in the past means "now" (0).
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" parses naive; HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """How many times to retry and how long to wait in between."""

    max_retries: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0

    def delay_s(self, retry: int, retry_after_s: float | None, jitter: float) -> float | None:
        """The wait before retry number ``retry`` (1-based), or None to give up.

        A server-given ``retry_after_s`` is honoured exactly. When it exceeds
        ``max_delay_s`` we give up instead: retrying earlier would only earn another
        429, and an interactive turn should not hang silently for minutes. Otherwise
        the wait is exponential, capped at ``max_delay_s``, scaled by a jitter factor
        in [0.75, 1.0] (``jitter`` is a draw in [0, 1)) so that clients that failed
        together do not retry together.
        """
        if retry > self.max_retries:
            return None
        if retry_after_s is not None:
            return retry_after_s if retry_after_s <= self.max_delay_s else None
        nominal = min(self.max_delay_s, self.base_delay_s * 2.0 ** (retry - 1))
        return nominal * (1.0 - 0.25 * jitter)
