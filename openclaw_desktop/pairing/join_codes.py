"""Join codes: a setup payload parked under a random 128-bit shortcode, fetched once.

``device.pair.setupCode {joinUrl: true}`` registers the payload here and answers with
``…/j/<shortcode>``; ``GET /j/<shortcode>`` takes it out again (burning the code). A code
lives no longer than its bootstrap token.

Kept in memory on purpose: the payload carries the live bootstrap token, and the
SQLite store only ever holds token hashes. A gateway restart forgets unfetched codes;
the owner mints another (codes live 10 minutes at most anyway). Pure code: no I/O, the
clock is passed in and the randomness is injectable for tests.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .setup_code import is_loopback_host

JOIN_PATH_PREFIX = "/j/"
MAX_LIVE_CODES = 256
"""At most this many unexpired codes at once; registering more raises ValueError."""

_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")


def new_shortcode() -> str:
    """128 random bits as 22 base64url characters (no padding)."""
    return secrets.token_urlsafe(16)


def is_shortcode(text: str) -> bool:
    """Is ``text`` shaped like a shortcode? (Anything else is not even looked up.)"""
    return bool(_CODE_RE.match(text))


def join_base(gateway_url: str) -> str:
    """The HTTP base of join URLs for a gateway URL: ``https://`` for ``wss://``.

    Plain ``http://`` only for a loopback ``ws://`` URL: a join URL hands a bearer
    token to whoever fetches it first, and the official ``openclaw connect`` accepts
    plain HTTP only for loopback too. Raises ValueError otherwise.
    """
    parts = urlsplit(gateway_url)
    if parts.scheme == "wss":
        scheme = "https"
    elif parts.scheme == "ws" and is_loopback_host(parts.hostname or ""):
        scheme = "http"
    else:
        raise ValueError("join URLs need a TLS (wss://) gateway URL, except on loopback; "
                         "for plaintext LAN pairing use the setup code itself")
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def join_url(gateway_url: str, code: str) -> str:
    """``http(s)://<host:port>[/path]/j/<code>`` (see :func:`join_base`)."""
    return join_base(gateway_url) + JOIN_PATH_PREFIX + code


@dataclass(frozen=True, slots=True)
class _Parked:
    payload: dict[str, Any]
    expires_at_ms: int


class JoinCodeStore:
    """Shortcode -> setup payload, single use, expiring with the bootstrap token."""

    def __init__(self, *, max_live: int = MAX_LIVE_CODES,
                 shortcode: Callable[[], str] = new_shortcode) -> None:
        self._codes: dict[str, _Parked] = {}
        self._max_live = max_live
        self._shortcode = shortcode

    def __len__(self) -> int:
        return len(self._codes)

    def _purge(self, now_ms: int) -> None:
        for code in [c for c, p in self._codes.items() if p.expires_at_ms <= now_ms]:
            del self._codes[code]

    def register(self, payload: dict[str, Any], expires_at_ms: int, now_ms: int) -> str:
        """Park ``payload`` (the setup JSON) until ``expires_at_ms``; returns the shortcode.

        Raises ValueError for an expiry that is not in the future or when too many codes
        are live (a bound on memory, not a limit anyone reaches by hand).
        """
        if expires_at_ms <= now_ms:
            raise ValueError("a join code needs a future expiry")
        self._purge(now_ms)
        if len(self._codes) >= self._max_live:
            raise ValueError(f"too many unused join codes ({self._max_live}); wait for some to expire")
        code = self._shortcode()
        if not is_shortcode(code) or code in self._codes:
            raise ValueError("could not draw a fresh shortcode")
        self._codes[code] = _Parked(dict(payload), expires_at_ms)
        return code

    def redeem(self, code: str, now_ms: int) -> dict[str, Any] | None:
        """Take the payload out (the code is burned); None when unknown, used or expired."""
        self._purge(now_ms)
        if not is_shortcode(code):
            return None
        parked = self._codes.pop(code, None)
        return None if parked is None else parked.payload
