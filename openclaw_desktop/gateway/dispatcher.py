"""One method registry: dotted name -> (required scope, async handler).

Role and scope checks, the unknown-method answer and error mapping happen here, once.
Handlers raise :class:`GatewayError` for client errors; anything else becomes an
``UNAVAILABLE`` error with the exception text (and is logged), never a crash.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from openclaw_desktop.errors import ErrorCode, GatewayError, invalid_request
from openclaw_desktop.protocol.constants import (
    CLOSE_POLICY_VIOLATION,
    MAX_CONSECUTIVE_UNAUTHORIZED,
)
from openclaw_desktop.protocol.frames import RequestFrame, encode_ok
from openclaw_desktop.protocol.scopes import authorize

from .connection import Connection

log = logging.getLogger(__name__)

Handler = Callable[[Connection, Any], Awaitable[Any]]

# The id of the request a handler is serving. Each request runs in its own task, and
# tasks copy the context, so concurrent requests never see each other's id.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("current_request_id")


async def send_interim(conn: Connection, payload: Any) -> None:
    """Answer the current request early (e.g. ``status: "accepted"``); the handler's
    return value later becomes the final response on the same id."""
    await conn.send_text(encode_ok(current_request_id.get(), payload))


@dataclass(frozen=True, slots=True)
class Method:
    name: str
    scope: str
    handler: Handler
    advertised: bool = True
    """Listed in ``hello-ok.features.methods`` (a few admin helpers are not, as upstream)."""


class MethodRegistry:
    """Registry plus dispatch. Families call :meth:`add` from their ``register``."""

    def __init__(self) -> None:
        self._methods: dict[str, Method] = {}

    def add(self, name: str, scope: str, handler: Handler, *, advertised: bool = True) -> None:
        if name in self._methods:
            raise ValueError(f"method registered twice: {name}")
        self._methods[name] = Method(name, scope, handler, advertised)

    def names(self) -> list[str]:
        """Advertised method names, in registration order."""
        return [m.name for m in self._methods.values() if m.advertised]

    def __contains__(self, name: str) -> bool:
        return name in self._methods

    async def dispatch(self, conn: Connection, frame: RequestFrame) -> Any:
        """Authorize and run one request; returns the payload or raises GatewayError."""
        method = self._methods.get(frame.method)
        if method is None:
            raise invalid_request(f"unknown method: {frame.method}")
        denied = authorize(frame.method, method.scope, conn.role or "", conn.scopes)
        if denied is not None:
            if denied.message.startswith("unauthorized role"):
                conn.unauthorized_streak += 1
                if conn.unauthorized_streak > MAX_CONSECUTIVE_UNAUTHORIZED:
                    conn.spawn(conn.ws.close(CLOSE_POLICY_VIOLATION, "repeated unauthorized calls"))
            raise denied
        conn.unauthorized_streak = 0
        current_request_id.set(frame.id)
        try:
            return await method.handler(conn, frame.params)
        except (GatewayError, asyncio.CancelledError):
            raise
        except Exception as exc:  # a handler bug must not take the socket down
            log.exception("handler %s failed", frame.method)
            raise GatewayError(ErrorCode.UNAVAILABLE, str(exc) or exc.__class__.__name__) from None


def require_object(method: str, params: Any) -> dict[str, Any]:
    """Params must be an object (missing params were already turned into ``{}``)."""
    if not isinstance(params, dict):
        raise invalid_request(f"invalid {method} params: must be an object")
    return params


def require_str(method: str, params: dict[str, Any], key: str, *, max_len: int = 1024) -> str:
    value = params.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise invalid_request(f"invalid {method} params: {key} must be a non-empty string")
    return value
