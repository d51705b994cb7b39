"""``nodes_list`` and ``node_invoke``: the agent reaches connected devices (phones, this
desktop, node hosts) — "take a photo with the phone" — and images come back to the turn.

The gateway wires in two callables, so this module knows nothing of sockets.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from openclaw_desktop.errors import GatewayError

from ..llm.port import ToolSpec
from .base import Tool, ToolContext, ToolError, ToolImage, ToolOutput

ListNodes = Callable[[], list[dict[str, Any]]]
Invoke = Callable[..., Awaitable[dict[str, Any]]]
_MIME = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
MAX_IMAGE_BASE64 = 7_000_000  # the API's image limit is ~5 MB decoded


def node_tools(list_nodes: ListNodes, invoke: Invoke, resolve: Callable[[str], str]) -> list[Tool]:
    async def nodes_list(_args: dict[str, Any], _ctx: ToolContext) -> str:
        nodes = [{k: n.get(k) for k in ("nodeId", "displayName", "platform", "connected", "commands")}
                 for n in list_nodes()]
        return json.dumps(nodes, indent=1) if nodes else "no nodes are paired"

    async def node_invoke(args: dict[str, Any], ctx: ToolContext) -> str:
        try:
            result = await invoke(resolve(args["node"]), args["command"], args.get("params"),
                                  timeout_ms=args.get("timeoutMs"), idempotency_key=str(uuid.uuid4()),
                                  session_key=ctx.session_key)
        except GatewayError as exc:
            raise ToolError(exc.message) from None
        payload = result.get("payload")
        images: tuple[ToolImage, ...] = ()
        if isinstance(payload, dict) and isinstance(payload.get("base64"), str) \
                and str(payload.get("format", "")).lower() in _MIME:
            data = payload["base64"]
            if len(data) > MAX_IMAGE_BASE64:
                raise ToolError("the image is too large to show to the model")
            images = (ToolImage(_MIME[str(payload["format"]).lower()], data),)
            payload = {k: v for k, v in payload.items() if k != "base64"} | {"image": "attached"}
        return ToolOutput.with_images(json.dumps(payload, indent=1)[:100_000], images)

    schema = {"type": "object", "properties": {
        "node": {"type": "string", "minLength": 1, "maxLength": 200, "description": "node id or display name"},
        "command": {"type": "string", "minLength": 1, "maxLength": 200,
                    "description": "e.g. camera.snap, camera.list, screen.snapshot, location.get, system.notify"},
        "params": {"type": "object"},
        "timeoutMs": {"type": "integer", "minimum": 1000, "maximum": 120000}},
        "required": ["node", "command"], "additionalProperties": False}
    return [
        Tool(ToolSpec("nodes_list", "List the user's paired devices (phones, computers) and what they can do.",
                      {"type": "object", "properties": {}, "additionalProperties": False}), nodes_list),
        Tool(ToolSpec("node_invoke", "Run a command on one of the user's devices (camera, screen, location, "
                      "notifications). Images come back attached.", schema), node_invoke),
    ]
