"""Split a Markdown memory file into small, line-addressed chunks for the full-text index.

A chunk is one paragraph or one top-level list item (with its indented continuation), at
most ``MAX_LINES`` lines, so a hit points at the few lines that matter. A heading starts a
new chunk, stays attached to the content right below it and is remembered as the
``heading`` of every chunk under it (indexed with a lower weight, so bullets under
"## Project Atlas" are found by "atlas" even when they do not repeat the word). Fenced
code blocks are kept whole (up to the line cap): a ``#`` comment inside one is not a heading.

Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LINES = 20
_HEADING = re.compile(r"^#{1,6}[ \t]+(.*?)[ \t#]*$")
_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])[ \t]")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")


@dataclass(frozen=True, slots=True)
class Chunk:
    """Lines ``start_line``..``end_line`` (1-based, inclusive) and the heading they sit under."""

    start_line: int
    end_line: int
    text: str
    heading: str = ""


def chunk_markdown(text: str, max_lines: int = MAX_LINES) -> list[Chunk]:
    """Chunks of ``text`` in file order; blank-only chunks are dropped."""
    chunks: list[Chunk] = []
    lines: list[str] = []
    start = 0
    heading = ""
    heading_only = False  # the open chunk holds just a heading line, waiting for its content
    fence: str | None = None

    def flush() -> None:
        nonlocal lines, heading_only
        if lines and any(line.strip() for line in lines):
            chunks.append(Chunk(start, start + len(lines) - 1, "\n".join(lines), heading))
        lines, heading_only = [], False

    for number, line in enumerate(text.splitlines(), start=1):
        if fence is None:
            fence_open = _FENCE.match(line)
            heading_match = _HEADING.match(line)
            if not line.strip():
                flush()
                continue
            if heading_match:
                flush()
                heading, heading_only = heading_match.group(1).strip(), True
            elif _ITEM.match(line) and lines and not heading_only:
                flush()
            elif fence_open:
                fence = fence_open.group(1)
            if not heading_match:
                heading_only = False
        elif line.lstrip().startswith(fence):
            fence = None
        if not lines:
            start = number
        lines.append(line)
        if len(lines) >= max_lines:
            flush()
    flush()
    return chunks
