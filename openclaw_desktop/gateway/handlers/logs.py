"""``logs.tail``: page through the gateway's own JSON-lines log by byte cursor."""

from __future__ import annotations

import asyncio
from typing import Any

from openclaw_desktop.errors import invalid_request
from openclaw_desktop.protocol import scopes as S
from openclaw_desktop.storage.jsonl_log import tail

from ..connection import Connection
from ..dispatcher import MethodRegistry, require_object
from ..services import GatewayServices


def _int(params: dict[str, Any], key: str, lo: int, hi: int, default: int | None) -> int | None:
    value = params.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise invalid_request(f"invalid logs.tail params: {key} must be an integer in {lo}..{hi}")
    return value


def register(reg: MethodRegistry, svc: GatewayServices) -> None:
    async def logs_tail(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object("logs.tail", params)
        cursor = _int(p, "cursor", 0, 2**53, None)
        limit = _int(p, "limit", 1, 5000, 200)
        max_bytes = _int(p, "maxBytes", 1, 1_000_000, 250_000)
        # File reads go to a thread so a big log never stalls other clients.
        result = await asyncio.to_thread(tail, svc.log_path, cursor, limit, max_bytes)
        return result.to_wire()

    reg.add("logs.tail", S.READ, logs_tail)
