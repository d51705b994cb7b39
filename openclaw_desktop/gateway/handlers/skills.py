"""``skills.status``: every known skill with its source, gating and eligibility."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openclaw_desktop.protocol import scopes as S
from openclaw_desktop.skills import SkillCatalog

from ..connection import Connection
from ..dispatcher import MethodRegistry
from ..services import GatewayServices


def register(reg: MethodRegistry, _svc: GatewayServices, load: Callable[[], SkillCatalog], workspace: Path,
             managed_dir: Path) -> None:
    async def status(_conn: Connection, params: Any) -> dict[str, Any]:
        agent_id = params.get("agentId") if isinstance(params, dict) and isinstance(params.get("agentId"), str) \
            else "main"
        catalog = await asyncio.to_thread(load)  # reads SKILL.md files: off the event loop
        return catalog.status_payload(workspace, managed_dir, agent_id)

    reg.add("skills.status", S.READ, status)
