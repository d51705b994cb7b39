"""Downloaded models on disk: ``<state dir>/models/<kind>/<id>/``.

A model counts as installed when its folder holds every catalog file and an
``installed.json`` manifest written after all of them were verified; a half-finished
install therefore never looks usable. ``install`` resumes interrupted files (up to
``attempts`` tries per call) and reports progress for the model as a whole.

The catalog comes from :mod:`.builtin_catalog` plus the user's
``<state dir>/models/catalog.json`` (same format; same ids replace built-in ones).
Must not import Qt or any voice engine.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from .builtin_catalog import CATALOG
from .catalog import AssetFile, CatalogError, ModelAsset, merge_catalogs, parse_catalog
from .download import (
    DownloadError,
    VerificationError,
    discard_part,
    fetch_file,
    part_paths,
)

MANIFEST = "installed.json"

ModelProgress = Callable[[int, int], None]
"""Called with (bytes done, bytes in total) for the whole model."""


def models_dir(state_dir: Path) -> Path:
    """Where downloaded models live for a state dir."""
    return state_dir / "models"


def load_catalog(root: Path, builtin: Mapping[str, Any] = CATALOG) -> tuple[ModelAsset, ...]:
    """The built-in catalog merged with ``<root>/catalog.json`` if there is one.

    Raises :class:`~.catalog.CatalogError` (naming the file) for a malformed user catalog.
    """
    catalogs = [parse_catalog(builtin)]
    path = root / "catalog.json"
    if path.is_file():
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise CatalogError(f"{path}: not valid JSON ({exc})") from exc
        try:
            catalogs.append(parse_catalog(doc))
        except CatalogError as exc:
            raise CatalogError(f"{path}: {exc}") from exc
    return merge_catalogs(*catalogs)


class ModelStore:
    """Installs, checks and removes downloadable models under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._locks: dict[str, asyncio.Lock] = {}

    def folder(self, asset: ModelAsset) -> Path:
        """The model's folder (whether or not it is installed)."""
        return self.root / asset.kind / asset.id

    def is_installed(self, asset: ModelAsset) -> bool:
        """True when the manifest matches this catalog entry and every file is there."""
        folder = self.folder(asset)
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        expected = {f.name: f.sha256 for f in asset.files}
        if manifest.get("files") != expected:
            return False  # installed from an older catalog entry
        return all((folder / f.name).is_file() and (folder / f.name).stat().st_size == f.size
                   for f in asset.files)

    async def install(self, client: httpx.AsyncClient, asset: ModelAsset,
                      on_progress: ModelProgress | None = None, attempts: int = 3) -> Path:
        """Download and verify every file of ``asset``; return its folder.

        Each file gets up to ``attempts`` tries, each resuming where the last stopped.
        A hash mismatch is not retried (the catalog or the server is wrong): it raises
        :class:`VerificationError` at once. Concurrent installs of one model are serialised.
        """
        lock = self._locks.setdefault(asset.id, asyncio.Lock())
        async with lock:
            if self.is_installed(asset):
                if on_progress is not None:
                    on_progress(asset.total_size, asset.total_size)
                return self.folder(asset)
            folder = self.folder(asset)
            (folder / MANIFEST).unlink(missing_ok=True)
            before = 0
            for file in asset.files:
                dest = folder / file.name
                if not (dest.is_file() and dest.stat().st_size == file.size):
                    await self._fetch_with_retries(client, file, dest, before, asset.total_size,
                                                   on_progress, attempts)
                before += file.size
                if on_progress is not None:
                    on_progress(before, asset.total_size)
            manifest = {"id": asset.id, "kind": asset.kind, "files": {f.name: f.sha256 for f in asset.files}}
            (folder / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            return folder

    async def _fetch_with_retries(self, client: httpx.AsyncClient, file: AssetFile, dest: Path, before: int,
                                  total: int, on_progress: ModelProgress | None, attempts: int) -> None:
        def progress(done: int) -> None:
            if on_progress is not None:
                on_progress(before + done, total)

        for attempt in range(1, attempts + 1):
            try:
                await fetch_file(client, file, dest, progress)
                return
            except VerificationError:
                raise
            except DownloadError:
                if attempt == attempts:
                    raise
                await asyncio.sleep(min(0.5 * attempt, 2.0))  # brief back-off, then resume

    def downloaded_bytes(self, asset: ModelAsset) -> int:
        """Bytes of ``asset`` on disk: finished files plus partial ones (what a resume keeps)."""
        done = 0
        for file in asset.files:
            dest = self.folder(asset) / file.name
            part = part_paths(dest)[0]
            if dest.is_file() and dest.stat().st_size == file.size:
                done += file.size
            elif part.is_file():
                done += min(part.stat().st_size, file.size)
        return done

    def remove(self, asset: ModelAsset) -> None:
        """Delete the model's folder, partial downloads included."""
        shutil.rmtree(self.folder(asset), ignore_errors=True)

    def discard_partial(self, asset: ModelAsset) -> None:
        """Forget partial downloads of ``asset`` (keeps completed files)."""
        for file in asset.files:
            discard_part(self.folder(asset) / file.name)
