"""The model catalog: which extra voice models can be downloaded, from where, with which hash.

A catalog is a JSON document (the built-in one in ``builtin_catalog``, plus an optional
``<state dir>/models/catalog.json`` whose entries add to or replace built-in ones by
``id``)::

    {"version": 1,
     "models": [{"id": "whisper-small", "kind": "whisper", "title": "Whisper small",
                 "licence": "MIT", "description": "…",
                 "files": [{"name": "model.bin", "url": "https://…/model.bin",
                            "sha256": "<64 hex>", "size": 483546902}, …]}]}

``kind`` says which engine loads the model (``whisper``: a faster-whisper/CTranslate2
folder; ``piper``: an ``.onnx`` voice with its ``.onnx.json``; ``wakeword``: an
openWakeWord model). Every file needs a SHA-256 and a size: nothing unverifiable is ever
installed. File names are plain names inside the model's folder (no ``/``, no ``..``).

Pure: parsing and validation only, no I/O. Must not import Qt or any engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

CATALOG_VERSION = 1
KINDS = frozenset({"whisper", "piper", "wakeword"})
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class CatalogError(ValueError):
    """A catalog entry is malformed; the message names the entry and the field."""


@dataclass(frozen=True, slots=True)
class AssetFile:
    """One file of a model: where to fetch it and what it must hash to."""

    name: str
    url: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class ModelAsset:
    """A downloadable model: its files land in ``models/<kind>/<id>/``."""

    id: str
    kind: str
    title: str
    licence: str
    files: tuple[AssetFile, ...]
    description: str = ""

    @property
    def total_size(self) -> int:
        """Bytes to download for the whole model."""
        return sum(f.size for f in self.files)


def _field(entry: Mapping[str, Any], key: str, where: str, kind: type = str) -> Any:
    value = entry.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        raise CatalogError(f"{where}: '{key}' must be a non-empty {kind.__name__}")
    return value


def parse_file(entry: Any, where: str) -> AssetFile:
    """Validate one ``files[]`` entry."""
    if not isinstance(entry, Mapping):
        raise CatalogError(f"{where}: must be an object")
    name = _field(entry, "name", where)
    if not _FILE_NAME.fullmatch(name) or ".." in name:
        raise CatalogError(f"{where}: 'name' must be a plain file name, got {name!r}")
    url = _field(entry, "url", where)
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise CatalogError(f"{where}: 'url' must be an http(s) URL, got {url!r}")
    sha256 = _field(entry, "sha256", where).lower()
    if not _SHA256.fullmatch(sha256):
        raise CatalogError(f"{where}: 'sha256' must be 64 hex digits")
    size = _field(entry, "size", where, int)
    if size <= 0:
        raise CatalogError(f"{where}: 'size' must be positive")
    return AssetFile(name, url, sha256, size)


def parse_model(entry: Any, index: int) -> ModelAsset:
    """Validate one ``models[]`` entry (``index`` is used in error messages)."""
    if not isinstance(entry, Mapping):
        raise CatalogError(f"models[{index}]: must be an object")
    model_id = _field(entry, "id", f"models[{index}]")
    where = f"model {model_id!r}"
    if not _ID.fullmatch(model_id):
        raise CatalogError(f"{where}: 'id' must be lower-case letters, digits, '.', '_' or '-'")
    kind = _field(entry, "kind", where)
    if kind not in KINDS:
        raise CatalogError(f"{where}: 'kind' must be one of {sorted(KINDS)}, got {kind!r}")
    raw_files = entry.get("files")
    if not isinstance(raw_files, list) or not raw_files:
        raise CatalogError(f"{where}: 'files' must be a non-empty list")
    files = tuple(parse_file(f, f"{where} files[{i}]") for i, f in enumerate(raw_files))
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise CatalogError(f"{where}: file names must be unique")
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise CatalogError(f"{where}: 'description' must be a string")
    return ModelAsset(model_id, kind, _field(entry, "title", where), _field(entry, "licence", where),
                      files, description)


def parse_catalog(doc: Any) -> tuple[ModelAsset, ...]:
    """Validate a whole catalog document; ids must be unique."""
    if not isinstance(doc, Mapping):
        raise CatalogError("catalog: must be a JSON object")
    if doc.get("version") != CATALOG_VERSION:
        raise CatalogError(f"catalog: 'version' must be {CATALOG_VERSION}, got {doc.get('version')!r}")
    raw = doc.get("models")
    if not isinstance(raw, list):
        raise CatalogError("catalog: 'models' must be a list")
    models = tuple(parse_model(m, i) for i, m in enumerate(raw))
    seen: set[str] = set()
    for m in models:
        if m.id in seen:
            raise CatalogError(f"catalog: model id {m.id!r} appears twice")
        seen.add(m.id)
    return models


def merge_catalogs(*catalogs: Iterable[ModelAsset]) -> tuple[ModelAsset, ...]:
    """Later catalogs add models or replace earlier ones with the same id (order kept)."""
    merged: dict[str, ModelAsset] = {}
    for catalog in catalogs:
        for model in catalog:
            merged[model.id] = model
    return tuple(merged.values())
