"""``memory_search``, ``memory_get``, ``memory_append`` over the workspace memory index
(SQLite FTS5; the index is synchronous, so calls run in a worker thread)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from ..llm.port import ToolSpec
from ..memory import MemoryIndex
from .base import Tool, ToolContext, ToolError


def memory_tools(index: MemoryIndex) -> list[Tool]:
    async def search(args: dict[str, Any], _ctx: ToolContext) -> str:
        hits = await asyncio.to_thread(index.search, args["query"], args.get("limit", 8))
        if not hits:
            return "no matching memories"
        return "\n\n".join(f"{h.path}:{h.start_line}-{h.end_line}\n{h.snippet}" for h in hits)

    async def get(args: dict[str, Any], _ctx: ToolContext) -> str:
        try:
            return await asyncio.to_thread(index.get, args["path"], args.get("startLine"), args.get("lines"))
        except FileNotFoundError:
            raise ToolError(f"no such memory file: {args['path']}") from None
        except ValueError as exc:
            raise ToolError(str(exc)) from None

    async def append(args: dict[str, Any], _ctx: ToolContext) -> str:
        path = await asyncio.to_thread(index.append, args["text"], now=datetime.now().astimezone())
        return f"remembered in {path}"

    def schema(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
        return {"type": "object", "properties": props, "required": required, "additionalProperties": False}

    return [
        Tool(ToolSpec("memory_search", "Search the user's memory notes (MEMORY.md, memory/*.md); returns file:lines "
                      "and snippets.", schema({"query": {"type": "string", "minLength": 1, "maxLength": 1000},
                                               "limit": {"type": "integer", "minimum": 1, "maximum": 50}},
                                              ["query"])), search),
        Tool(ToolSpec("memory_get", "Read a memory file, optionally from a line for a number of lines.",
                      schema({"path": {"type": "string", "minLength": 1, "maxLength": 1024},
                              "startLine": {"type": "integer", "minimum": 1},
                              "lines": {"type": "integer", "minimum": 1, "maximum": 2000}}, ["path"])), get),
        Tool(ToolSpec("memory_append", "Remember something for later: appends a note to today's memory file.",
                      schema({"text": {"type": "string", "minLength": 1, "maxLength": 4000}}, ["text"])), append),
    ]
