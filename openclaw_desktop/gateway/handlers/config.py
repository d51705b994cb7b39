"""``config.get`` / ``config.set`` / ``config.patch`` over the raw JSON5 text + hash."""

from __future__ import annotations

from typing import Any

from openclaw_desktop.errors import invalid_request
from openclaw_desktop.protocol import scopes as S

from ..connection import Connection
from ..dispatcher import MethodRegistry, require_object
from ..services import GatewayServices


def _raw_and_base(method: str, params: Any) -> tuple[str, str | None]:
    p = require_object(method, params)
    raw, base = p.get("raw"), p.get("baseHash")
    if not isinstance(raw, str):
        raise invalid_request(f"invalid {method} params: raw must be a string")
    if base is not None and not isinstance(base, str):
        raise invalid_request(f"invalid {method} params: baseHash must be a string")
    return raw, base


def register(reg: MethodRegistry, svc: GatewayServices) -> None:
    async def config_get(_conn: Connection, _params: Any) -> dict[str, Any]:
        return svc.config.view()

    async def config_set(_conn: Connection, params: Any) -> dict[str, Any]:
        return await svc.config.write_raw(*_raw_and_base("config.set", params))

    async def config_patch(_conn: Connection, params: Any) -> dict[str, Any]:
        return await svc.config.patch_raw(*_raw_and_base("config.patch", params))

    reg.add("config.get", S.READ, config_get)
    reg.add("config.set", S.ADMIN, config_set)
    reg.add("config.patch", S.ADMIN, config_patch)
