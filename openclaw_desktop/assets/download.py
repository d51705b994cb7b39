"""Download one file over HTTP(S): resumable, SHA-256 verified, with progress.

``fetch_file`` writes ``<dest>.part`` (and ``<dest>.part.json`` with the validator that
started it), resumes an existing part with a Range request (see :mod:`.resume`), and
moves the part into place only once its size and SHA-256 match the catalog. A mismatch
deletes the part: a corrupt or tampered file is never kept, and never resumed from.

Cancellation and network failures keep the part so the next call resumes; cancellation is
re-raised. The hash of an existing part is computed in a worker thread (it may be
gigabytes); chunk writes (one network read each) stay on the loop. Uses ``httpx`` (a dependency of
the agent runtime already); must not import Qt.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from .catalog import AssetFile
from .resume import (
    DownloadError,
    PartState,
    Step,
    decide,
    request_headers,
    validator_of,
)

ProgressCallback = Callable[[int], None]
"""Called with the number of bytes of this file on disk so far (resumed bytes included)."""


class VerificationError(DownloadError):
    """The downloaded bytes do not match the catalog's size or SHA-256; the file was removed."""


def part_paths(dest: Path) -> tuple[Path, Path]:
    """The partial file and its validator sidecar for ``dest``."""
    return dest.with_name(dest.name + ".part"), dest.with_name(dest.name + ".part.json")


def _read_part(part: Path, meta: Path) -> PartState:
    try:
        size = part.stat().st_size
    except FileNotFoundError:
        return PartState()
    try:
        validator = json.loads(meta.read_text(encoding="utf-8")).get("validator")
    except (OSError, ValueError, AttributeError):
        validator = None
    return PartState(size, validator if isinstance(validator, str) else None)


def _hash_file(path: Path) -> Any:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest


def discard_part(dest: Path) -> None:
    """Forget any partial download of ``dest``."""
    for path in part_paths(dest):
        path.unlink(missing_ok=True)


async def fetch_file(client: httpx.AsyncClient, file: AssetFile, dest: Path,
                     on_progress: ProgressCallback | None = None) -> Path:
    """Download ``file`` to ``dest`` (resuming a ``.part``); return ``dest``.

    Raises :class:`VerificationError` (part deleted) or :class:`DownloadError` (part kept).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    part, meta = part_paths(dest)
    for _ in range(2):  # the second round only after a 416 for a part of the wrong size
        state = _read_part(part, meta)
        digest = await asyncio.to_thread(_hash_file, part) if state.size else hashlib.sha256()
        step, digest = await _request(client, file, part, meta, state, digest, on_progress)
        if step is not Step.RETRY_FRESH:
            break
        discard_part(dest)
    else:
        raise DownloadError(f"{file.name}: the server refuses the range request")
    size = part.stat().st_size
    if size != file.size or digest.hexdigest() != file.sha256:
        discard_part(dest)
        raise VerificationError(f"{file.name}: got {size} bytes with SHA-256 {digest.hexdigest()}, "
                                f"expected {file.size} bytes with {file.sha256}; the download was deleted")
    os.replace(part, dest)
    meta.unlink(missing_ok=True)
    return dest


async def _request(client: httpx.AsyncClient, file: AssetFile, part: Path, meta: Path, state: PartState,
                   digest: Any, on_progress: ProgressCallback | None) -> tuple[Step, Any]:
    """One GET that appends to (or restarts) the part; returns the step and the digest so far.

    A cancellation leaves the part as it is (the ``with`` blocks close it) and propagates.
    """
    try:
        # identity: byte offsets in Range must be offsets in the file, not in a gzip stream
        headers = {"Accept-Encoding": "identity", **request_headers(state)}
        async with client.stream("GET", file.url, headers=headers, follow_redirects=True) as response:
            step = decide(response.status_code, response.headers, state.size, file.size)
            if step in (Step.COMPLETE, Step.RETRY_FRESH):
                return step, digest
            done = state.size
            if step is Step.RESTART:
                done, digest = 0, hashlib.sha256()
                meta.write_text(json.dumps({"url": file.url, "validator": validator_of(response.headers)}),
                                encoding="utf-8")
            with part.open("ab" if step is Step.APPEND else "wb") as out:
                if on_progress is not None:
                    on_progress(done)
                # No chunk_size: a re-chunker would hold back bytes that arrived before a
                # disconnect, and those are exactly what resuming needs on disk.
                async for chunk in response.aiter_bytes():
                    done += len(chunk)
                    if done > file.size:
                        raise DownloadError(f"{file.name}: the server sent more than {file.size} bytes")
                    out.write(chunk)
                    digest.update(chunk)
                    if on_progress is not None:
                        on_progress(done)
            return step, digest
    except httpx.HTTPError as exc:  # connection lost, timeout, protocol error: resumable
        raise DownloadError(f"{file.name}: download interrupted ({type(exc).__name__}: {exc}); "
                            "it resumes on the next try") from exc
