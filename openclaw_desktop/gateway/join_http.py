"""``GET /j/<shortcode>``: hand a parked setup payload out once (join URLs).

The answers follow the reference: 200 with the setup JSON (the code is burned), 404
``{"error":"not_found"}`` for anything else (unknown, used or expired code, a query
string, a malformed path: all look the same), 429 ``{"error":"rate_limited"}`` when the
client IP failed too often. Failures count per IP with the gateway's auth rate-limit
settings (own counter, not shared with failed shared-secret attempts); loopback is
exempt when ``gateway.auth.rateLimit.exemptLoopback`` is on, as for the handshake.

Runs inside websockets' ``process_request`` (synchronous, no awaits): the store is
in memory. Imports no Qt and no storage.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from http import HTTPStatus

from websockets.http11 import Request, Response

from openclaw_desktop.pairing.join_codes import JOIN_PATH_PREFIX, JoinCodeStore
from openclaw_desktop.protocol.ratelimit import AuthRateLimiter

from .http_routes import json_response
from .services import GatewayServices

log = logging.getLogger("gateway.join")

_NOT_FOUND = {"error": "not_found"}


def is_join_path(path: str) -> bool:
    """Does this request path (query stripped) belong to the ``/j`` namespace?"""
    return path == JOIN_PATH_PREFIX.rstrip("/") or path.startswith(JOIN_PATH_PREFIX)


class JoinRoute:
    """Serves ``/j/…`` from a :class:`JoinCodeStore`, with a per-IP failure limit."""

    def __init__(self, codes: JoinCodeStore, clock_ms: Callable[[], int], limiter: AuthRateLimiter,
                 exempt_loopback: Callable[[], bool]) -> None:
        self.codes = codes
        self.clock_ms = clock_ms
        self.limiter = limiter
        self.exempt_loopback = exempt_loopback  # read per request: config edits apply at once

    def handle(self, request: Request, ip: str, *, local: bool) -> Response:
        """Answer one ``/j`` request from ``ip`` (``local``: loopback without proxy headers)."""
        now = self.clock_ms()
        limited = not (local and self.exempt_loopback())
        if limited:
            wait = self.limiter.retry_after_ms(ip, now)
            if wait is not None:
                resp = json_response(HTTPStatus.TOO_MANY_REQUESTS, {"error": "rate_limited"})
                resp.headers["Retry-After"] = str(max(1, math.ceil(wait / 1000)))
                return resp
        path, sep, _query = request.path.partition("?")
        payload = None
        if not sep and path.startswith(JOIN_PATH_PREFIX):
            # A query string never redeems (and never burns) a code.
            payload = self.codes.redeem(path[len(JOIN_PATH_PREFIX):], now)
        if payload is None:
            if limited:
                self.limiter.record_failure(ip, now)
            return json_response(HTTPStatus.NOT_FOUND, _NOT_FOUND)
        if limited:
            self.limiter.record_success(ip)
        log.info("join code redeemed", extra={"fields": {"ip": ip}})
        return json_response(HTTPStatus.OK, payload)


def join_route_for(svc: GatewayServices) -> JoinRoute:
    """The route wired to this gateway's join codes, clock and rate-limit settings."""
    rl = svc.config.settings.gateway.auth.rate_limit
    return JoinRoute(svc.pairing.join_codes, lambda: svc.clock_ms(),
                     AuthRateLimiter(rl.max_attempts, rl.window_ms, rl.lockout_ms),
                     lambda: svc.config.settings.gateway.auth.rate_limit.exempt_loopback)
