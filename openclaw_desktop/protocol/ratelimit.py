"""Per-IP limiter for failed shared-secret attempts (pure; the caller passes ``now_ms``).

Defaults follow the reference: 10 failures in 60 s lock the address out for 300 s.
Loopback peers are exempt (a local user can always read the token from disk anyway).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class AuthRateLimiter:
    """Sliding-window failure counter with a lockout; bounded to ``max_tracked`` addresses."""

    max_attempts: int = 10
    window_ms: int = 60_000
    lockout_ms: int = 300_000
    max_tracked: int = 10_000
    _failures: dict[str, deque[int]] = field(default_factory=dict)
    _locked_until: dict[str, int] = field(default_factory=dict)

    def retry_after_ms(self, ip: str, now_ms: int) -> int | None:
        """Milliseconds until ``ip`` may try again, or ``None`` if it is not locked out."""
        until = self._locked_until.get(ip)
        if until is None:
            return None
        if now_ms >= until:
            del self._locked_until[ip]
            return None
        return until - now_ms

    def record_failure(self, ip: str, now_ms: int) -> None:
        """Count one failed attempt; lock the address out when the window overflows."""
        if len(self._failures) >= self.max_tracked and ip not in self._failures:
            # Evict the oldest-inserted address so a scan of many IPs cannot grow memory.
            self._failures.pop(next(iter(self._failures)))
        window = self._failures.setdefault(ip, deque())
        window.append(now_ms)
        while window and window[0] <= now_ms - self.window_ms:
            window.popleft()
        if len(window) >= self.max_attempts:
            self._locked_until[ip] = now_ms + self.lockout_ms
            del self._failures[ip]

    def record_success(self, ip: str) -> None:
        """A success clears the address's failure history."""
        self._failures.pop(ip, None)
