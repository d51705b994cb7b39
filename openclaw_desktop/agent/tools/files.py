"""``read``, ``write``, ``edit``, ``ls``: file tools confined to the agent workspace."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from ..llm.port import ToolSpec
from .base import Tool, ToolContext, ToolError

MAX_READ_BYTES = 256_000
MAX_WRITE_BYTES = 2_000_000
MAX_LS_ENTRIES = 500


def inside(workspace: Path, relative: str) -> Path:
    """Resolve a path (following symlinks) and refuse anything outside the workspace."""
    root = workspace.resolve()
    target = (root / os.path.expanduser(relative)).resolve() if relative else root
    if target != root and root not in target.parents:
        raise ToolError(f"path is outside the workspace ({root}): {relative}")
    return target


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def file_tools(workspace: Path) -> list[Tool]:
    async def read(args: dict[str, Any], _ctx: ToolContext) -> str:
        path = inside(workspace, args["path"])
        if not path.is_file():
            raise ToolError(f"not a file: {args['path']}")
        data = await asyncio.to_thread(path.read_bytes)
        text = data[:MAX_READ_BYTES].decode("utf-8", "replace")
        lines = text.splitlines()
        start = max(1, args.get("offset", 1))
        limit = args.get("limit", 2000)
        chunk = lines[start - 1:start - 1 + limit]
        note = ""
        if len(data) > MAX_READ_BYTES or start - 1 + limit < len(lines):
            note = f"\n[showing lines {start}-{start - 1 + len(chunk)}; use offset/limit for more]"
        return "\n".join(chunk) + note

    async def write(args: dict[str, Any], _ctx: ToolContext) -> str:
        path = inside(workspace, args["path"])
        content = args["content"]
        if len(content.encode("utf-8")) > MAX_WRITE_BYTES:
            raise ToolError(f"content is larger than {MAX_WRITE_BYTES} bytes")
        path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_text, content, encoding="utf-8")
        return f"wrote {len(content)} characters to {path.relative_to(workspace.resolve())}"

    async def edit(args: dict[str, Any], _ctx: ToolContext) -> str:
        path = inside(workspace, args["path"])
        if not path.is_file():
            raise ToolError(f"not a file: {args['path']}")
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        count = text.count(args["old_text"])
        if count != 1:
            raise ToolError(f"old_text must appear exactly once in {args['path']} (found {count} times)")
        await asyncio.to_thread(path.write_text, text.replace(args["old_text"], args["new_text"], 1),
                                encoding="utf-8")
        return f"edited {args['path']}"

    async def ls(args: dict[str, Any], _ctx: ToolContext) -> str:
        path = inside(workspace, args.get("path", ""))
        if not path.is_dir():
            raise ToolError(f"not a folder: {args.get('path', '')}")
        names = sorted(p.name + ("/" if p.is_dir() else "") for p in path.iterdir())
        more = f"\n[{len(names) - MAX_LS_ENTRIES} more entries not shown]" if len(names) > MAX_LS_ENTRIES else ""
        return "\n".join(names[:MAX_LS_ENTRIES]) + more or "(empty folder)"

    path_prop = {"type": "string", "minLength": 1, "maxLength": 4096,
                 "description": "path relative to the workspace"}
    return [
        Tool(ToolSpec("read", "Read a UTF-8 text file in the workspace.", _schema(
            {"path": path_prop, "offset": {"type": "integer", "minimum": 1},
             "limit": {"type": "integer", "minimum": 1, "maximum": 10000}}, ["path"])), read),
        Tool(ToolSpec("write", "Create or overwrite a text file in the workspace.", _schema(
            {"path": path_prop, "content": {"type": "string"}}, ["path", "content"])), write),
        Tool(ToolSpec("edit", "Replace one exact, unique piece of text in a workspace file.", _schema(
            {"path": path_prop, "old_text": {"type": "string", "minLength": 1}, "new_text": {"type": "string"}},
            ["path", "old_text", "new_text"])), edit),
        Tool(ToolSpec("ls", "List a folder in the workspace (default: the workspace root).", _schema(
            {"path": {"type": "string", "maxLength": 4096}}, [])), ls),
    ]
