"""Adding a model to the user catalog ``<state dir>/models/catalog.json`` from a form.

``draft_model`` checks what a person typed (kind, name, file URLs with their SHA-256s,
licence) and turns it into a catalog entry without sizes; ``probe_size`` asks the server for
a file's size (the catalog needs one for every file: the store checks it, and the progress bar
counts against it); ``append_model`` validates the finished entry with the catalog's own
parser, refuses an id already in the (built-in or user) catalog, and writes the file
atomically (temporary file, then ``os.replace``), so a crash never leaves half a catalog.

What each kind needs, so the engine can load the folder: a Piper voice is its ``.onnx`` and
the ``.onnx.json`` beside it; a faster-whisper (CTranslate2) folder is ``model.bin``,
``config.json``, ``tokenizer.json`` and a ``vocabulary.*`` file. File names come from the
last part of each URL's path. Uses ``httpx`` for the size probe; must not import Qt.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from .builtin_catalog import CATALOG
from .catalog import (
    CATALOG_VERSION,
    CatalogError,
    ModelAsset,
    parse_catalog,
    parse_model,
)
from .store import load_catalog

FORM_KINDS = {"whisper": "Whisper speech model", "piper": "Piper voice"}
"""Kinds the form offers, with their labels."""
NO_LICENCE = "not stated"
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True, slots=True)
class DraftFile:
    """One file as typed: its name (from the URL), URL and SHA-256 (lower case)."""

    name: str
    url: str
    sha256: str


@dataclass(frozen=True, slots=True)
class DraftModel:
    """A checked form: everything a catalog entry needs except the files' sizes."""

    id: str
    kind: str
    title: str
    licence: str
    files: tuple[DraftFile, ...]

    def entry(self, sizes: Sequence[int]) -> dict[str, Any]:
        """The catalog entry (JSON object) with ``sizes`` in file order."""
        return {"id": self.id, "kind": self.kind, "title": self.title, "licence": self.licence,
                "description": "Added in Settings → Models.",
                "files": [{"name": f.name, "url": f.url, "sha256": f.sha256, "size": size}
                          for f, size in zip(self.files, sizes, strict=True)]}


def model_id(kind: str, title: str) -> str:
    """The id for a name: lower case, runs of other characters become ``-`` (``"Whisper small"`` → ``whisper-small``)."""
    slug = re.sub(r"[^a-z0-9._]+", "-", title.lower()).strip("-._")[:56]
    return slug if slug.startswith(kind) else f"{kind}-{slug}" if slug else kind


def _missing_files(kind: str, names: Sequence[str]) -> str | None:
    if kind == "piper":
        onnx = [n for n in names if n.endswith(".onnx")]
        if len(onnx) != 1:
            return "A Piper voice needs exactly one .onnx file (and its .onnx.json)."
        if onnx[0] + ".json" not in names:
            return f"A Piper voice needs {onnx[0]}.json next to {onnx[0]}."
        return None
    needed = [n for n in ("model.bin", "config.json", "tokenizer.json") if n not in names]
    if not any(n.startswith("vocabulary.") for n in names):
        needed.append("vocabulary.* (e.g. vocabulary.txt)")
    if needed:
        return "A Whisper model folder also needs " + ", ".join(needed) + "."
    return None


def draft_model(kind: str, title: str, files: Sequence[tuple[str, str]], licence: str = "",
                existing_ids: Sequence[str] = ()) -> DraftModel:
    """Check a filled-in form; raise :class:`CatalogError` with a message for the person.

    ``files`` is (URL, SHA-256) per row; fully blank rows are ignored.
    """
    title = title.strip()
    if kind not in FORM_KINDS:
        raise CatalogError(f"Choose what kind of model this is ({' or '.join(FORM_KINDS.values())}).")
    if not title:
        raise CatalogError("Give the model a name.")
    new_id = model_id(kind, title)
    if new_id in existing_ids:
        raise CatalogError(f"A model with the id {new_id!r} is already in the catalog; choose another name.")
    rows = [(url.strip(), sha.strip()) for url, sha in files if url.strip() or sha.strip()]
    if not rows:
        raise CatalogError("Add at least one file URL with its SHA-256.")
    drafted: list[DraftFile] = []
    for number, (url, sha) in enumerate(rows, 1):
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise CatalogError(f"File {number}: the URL must start with https:// or http:// (got {url!r}).")
        name = unquote(parts.path.rsplit("/", 1)[-1])
        if not name:
            raise CatalogError(f"File {number}: the URL must end with a file name.")
        if not _SHA256.fullmatch(sha):
            raise CatalogError(f"File {number} ({name}): the SHA-256 must be 64 hexadecimal digits.")
        drafted.append(DraftFile(name, url, sha.lower()))
    names = [f.name for f in drafted]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CatalogError(f"Two files have the same name: {', '.join(duplicates)}.")
    problem = _missing_files(kind, names)
    if problem:
        raise CatalogError(problem)
    draft = DraftModel(new_id, kind, title, licence.strip() or NO_LICENCE, tuple(drafted))
    parse_model(draft.entry([1] * len(drafted)), 0)  # the catalog's own rules (file names, id)
    return draft


async def probe_size(client: httpx.AsyncClient, url: str) -> int:
    """The size of the file at ``url`` from a one-byte Range request (or a plain 200's length).

    Raises :class:`CatalogError` when the server cannot be reached or does not say.
    """
    try:
        async with client.stream("GET", url, headers={"Range": "bytes=0-0", "Accept-Encoding": "identity"},
                                 follow_redirects=True) as response:
            total: str | None = None
            if response.status_code == 206:
                total = response.headers.get("Content-Range", "").rpartition("/")[2]
            elif response.status_code == 200:
                total = response.headers.get("Content-Length")
            else:
                raise CatalogError(f"{url}: the server answered HTTP {response.status_code}.")
    except httpx.HTTPError as exc:
        raise CatalogError(f"{url}: could not be reached ({type(exc).__name__}: {exc}).") from exc
    if not total or not total.isdigit() or int(total) <= 0:
        raise CatalogError(f"{url}: the server did not say how large the file is.")
    return int(total)


def append_model(root: Path, entry: Mapping[str, Any], builtin: Mapping[str, Any] = CATALOG) -> ModelAsset:
    """Add ``entry`` to ``<root>/catalog.json`` (created if missing) and return it parsed.

    Raises :class:`CatalogError` for an invalid entry, an id already in the catalog, or a
    user catalog that is itself broken (it is then left as it is).
    """
    asset = parse_model(entry, 0)
    if asset.id in {m.id for m in load_catalog(root, builtin)}:
        raise CatalogError(f"A model with the id {asset.id!r} is already in the catalog; choose another name.")
    path = root / "catalog.json"
    doc: dict[str, Any] = {"version": CATALOG_VERSION, "models": []}
    if path.is_file():
        doc = json.loads(path.read_text(encoding="utf-8"))  # valid: load_catalog parsed it above
    doc["models"] = [*doc["models"], dict(entry)]
    parse_catalog(doc)
    write_catalog(path, doc)
    return asset


def write_catalog(path: Path, doc: Mapping[str, Any]) -> None:
    """Write a catalog document atomically: a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".catalog-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(doc, out, indent=1, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
