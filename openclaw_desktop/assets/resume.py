"""Resuming a download: which request to send and what the server's answer means (sans-I/O).

A download writes ``<file>.part``; the response validator (``ETag``, else
``Last-Modified``) of the response that started it is kept beside it. Resuming asks for
``Range: bytes=<part size>-`` with ``If-Range: <validator>``, so a server whose file
changed since answers ``200`` with the whole new file instead of the rest of the old one.

No I/O, no clock, no HTTP library: plain values in, a :class:`Step` out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


class DownloadError(Exception):
    """A download failed; a partial file may remain and will be resumed next time."""


class Step(StrEnum):
    """What to do with the response to a (possibly ranged) request."""

    APPEND = "append"      # 206 for exactly the missing bytes: write after the part
    RESTART = "restart"    # 200: the body is the whole file, throw the part away
    COMPLETE = "complete"  # 416 and the part already has every byte: just verify it
    RETRY_FRESH = "retry-fresh"  # 416 for a part of the wrong size: delete it, ask again


@dataclass(frozen=True, slots=True)
class PartState:
    """What is on disk already: bytes in the part file and the validator that began it."""

    size: int = 0
    validator: str | None = None


def request_headers(part: PartState) -> dict[str, str]:
    """Headers for the next request (none for a fresh download)."""
    if part.size <= 0:
        return {}
    headers = {"Range": f"bytes={part.size}-"}
    if part.validator:
        headers["If-Range"] = part.validator
    return headers


def validator_of(headers: Mapping[str, str]) -> str | None:
    """The strong validator to resume against: ETag (not a weak one), else Last-Modified."""
    etag = headers.get("etag")
    if etag and not etag.startswith("W/"):
        return etag
    return headers.get("last-modified") or None


def decide(status: int, headers: Mapping[str, str], part_size: int, expected_size: int) -> Step:
    """Interpret a response; raise :class:`DownloadError` for anything unusable.

    ``headers`` must be case-insensitive or lower-case keyed (``httpx.Headers`` is).
    """
    if status == 200:
        return Step.RESTART
    if status == 206:
        match = _CONTENT_RANGE.fullmatch(headers.get("content-range", "").strip())
        if match is None:
            raise DownloadError(f"server sent 206 without a usable Content-Range: "
                                f"{headers.get('content-range')!r}")
        start, _end, total = match.groups()
        if int(start) != part_size:
            raise DownloadError(f"server resumed at byte {start}, not at {part_size}")
        if total != "*" and int(total) != expected_size:
            raise DownloadError(f"server's file has {total} bytes, the catalog says {expected_size}")
        return Step.APPEND
    if status == 416:
        return Step.COMPLETE if part_size == expected_size else Step.RETRY_FRESH
    raise DownloadError(f"HTTP {status}")
