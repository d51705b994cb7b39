"""``exec``: shell commands, only through the command-safety layer (policy, grants,
human approval); see ``approvals.exec_service``."""

from __future__ import annotations

from typing import Any

from openclaw_desktop.approvals.exec_service import ExecService

from ..llm.port import ToolSpec
from .base import Tool, ToolContext

SCHEMA = {
    "type": "object",
    "properties": {
        "command": {"type": "string", "minLength": 1, "maxLength": 10000, "description": "shell command"},
        "cwd": {"type": "string", "maxLength": 4096, "description": "folder inside the workspace"},
        "timeoutSeconds": {"type": "integer", "minimum": 1, "maximum": 1800},
    },
    "required": ["command"],
    "additionalProperties": False,
}


def exec_tool(service: ExecService) -> Tool:
    async def run(args: dict[str, Any], ctx: ToolContext) -> str:
        outcome = await service.run(args["command"], cwd=args.get("cwd"), agent_id=ctx.agent_id,
                                    session_key=ctx.session_key, timeout_s=args.get("timeoutSeconds"),
                                    run_id=ctx.run_id)
        return outcome.to_tool_text()

    description = ("Run a shell command in the workspace. Commands not on the allowlist need the user's "
                   "approval; pipes, redirections, substitutions and inline scripts always do.")
    return Tool(ToolSpec("exec", description, SCHEMA), run)
