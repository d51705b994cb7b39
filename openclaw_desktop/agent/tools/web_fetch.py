"""``web_fetch``: GET an http(s) URL with size and time limits (httpx)."""

from __future__ import annotations

from typing import Any

import httpx

from ..llm.port import ToolSpec
from .base import Tool, ToolContext, ToolError

DEFAULT_MAX_BYTES = 200_000
TIMEOUT_S = 20.0


def web_fetch_tool(transport: httpx.AsyncBaseTransport | None = None) -> Tool:
    async def run(args: dict[str, Any], _ctx: ToolContext) -> str:
        url = args["url"]
        if not url.startswith(("http://", "https://")):
            raise ToolError("only http:// and https:// URLs can be fetched")
        limit = args.get("maxBytes", DEFAULT_MAX_BYTES)
        body = bytearray()
        truncated = False
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_S, follow_redirects=True, max_redirects=5,
                                         transport=transport) as client:
                async with client.stream("GET", url, headers={"User-Agent": "openclaw-desktop"}) as resp:
                    async for chunk in resp.aiter_bytes():
                        body += chunk
                        if len(body) > limit:
                            truncated = True
                            break  # leaving the block closes the connection
                    status, ctype = resp.status_code, resp.headers.get("content-type", "")
        except httpx.TimeoutException:
            raise ToolError(f"timed out after {TIMEOUT_S:.0f} s fetching {url}") from None
        except httpx.HTTPError as exc:
            raise ToolError(f"fetch failed: {exc}") from None
        text = bytes(body[:limit]).decode("utf-8", "replace")
        note = f"\n[truncated at {limit} bytes]" if truncated else ""
        return f"HTTP {status} {ctype}\n\n{text}{note}"

    schema = {"type": "object", "properties": {
        "url": {"type": "string", "minLength": 8, "maxLength": 4096},
        "maxBytes": {"type": "integer", "minimum": 1, "maximum": 2_000_000}},
        "required": ["url"], "additionalProperties": False}
    return Tool(ToolSpec("web_fetch", "Fetch a web page or API response over HTTP(S).", schema), run)
