"""Pure tables: catalog validation and the resume decisions."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from openclaw_desktop.assets.builtin_catalog import CATALOG
from openclaw_desktop.assets.catalog import CatalogError, merge_catalogs, parse_catalog
from openclaw_desktop.assets.resume import (
    DownloadError,
    PartState,
    Step,
    decide,
    request_headers,
    validator_of,
)

GOOD = {"version": 1, "models": [{
    "id": "whisper-small", "kind": "whisper", "title": "Whisper small", "licence": "MIT",
    "files": [{"name": "model.bin", "url": "https://example.org/m/model.bin", "sha256": "A" * 64, "size": 10},
              {"name": "config.json", "url": "https://example.org/m/config.json", "sha256": "b" * 64, "size": 2}]}]}


def test_good_catalog_parses_with_normalised_hashes():
    (model,) = parse_catalog(GOOD)
    assert model.id == "whisper-small" and model.total_size == 12
    assert model.files[0].sha256 == "a" * 64


def test_builtin_catalog_is_valid():
    parse_catalog(CATALOG)


def _broken(path: tuple, value: object) -> dict:
    doc = copy.deepcopy(GOOD)
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


@pytest.mark.parametrize(("path", "value", "message"), [
    (("version",), 2, "'version' must be 1"),
    (("models",), {}, "'models' must be a list"),
    (("models", 0, "id"), "Bad Id", "lower-case"),
    (("models", 0, "kind"), "llm", "'kind' must be one of"),
    (("models", 0, "title"), "", "'title' must be a non-empty str"),
    (("models", 0, "licence"), KeyError, "'licence'"),
    (("models", 0, "files"), [], "non-empty list"),
    (("models", 0, "files", 0, "name"), "../evil", "plain file name"),
    (("models", 0, "files", 0, "name"), "sub/model.bin", "plain file name"),
    (("models", 0, "files", 0, "url"), "file:///etc/passwd", "http"),
    (("models", 0, "files", 0, "sha256"), "abc", "64 hex"),
    (("models", 0, "files", 0, "size"), 0, "positive"),
    (("models", 0, "files", 0, "size"), True, "'size'"),
    (("models", 0, "files", 1, "name"), "model.bin", "unique"),
])
def test_bad_catalogs_name_the_entry_and_field(path, value, message):
    with pytest.raises(CatalogError, match=message):
        parse_catalog(_broken(path, value))


def test_duplicate_ids_are_rejected_and_merge_replaces_by_id():
    doc = copy.deepcopy(GOOD)
    doc["models"].append(copy.deepcopy(doc["models"][0]))
    with pytest.raises(CatalogError, match="appears twice"):
        parse_catalog(doc)
    first = parse_catalog(GOOD)
    second = parse_catalog(_broken(("models", 0, "title"), "Whisper small (user)"))
    assert [m.title for m in merge_catalogs(first, second)] == ["Whisper small (user)"]


@pytest.mark.parametrize(("part", "headers"), [
    (PartState(), {}),
    (PartState(100), {"Range": "bytes=100-"}),
    (PartState(100, '"abc"'), {"Range": "bytes=100-", "If-Range": '"abc"'}),
])
def test_request_headers(part, headers):
    assert request_headers(part) == headers


@pytest.mark.parametrize(("headers", "validator"), [
    ({"etag": '"x"', "last-modified": "Tue"}, '"x"'),
    ({"etag": 'W/"x"', "last-modified": "Tue"}, "Tue"),  # a weak ETag cannot guard a byte range
    ({}, None),
])
def test_validator(headers, validator):
    assert validator_of(headers) == validator


@pytest.mark.parametrize(("status", "headers", "part", "step"), [
    (200, {}, 0, Step.RESTART),
    (200, {}, 50, Step.RESTART),
    (206, {"content-range": "bytes 50-99/100"}, 50, Step.APPEND),
    (206, {"content-range": "bytes 50-99/*"}, 50, Step.APPEND),
    (416, {}, 100, Step.COMPLETE),
    (416, {}, 120, Step.RETRY_FRESH),
])
def test_decide(status, headers, part, step):
    assert decide(status, headers, part, 100) is step


@pytest.mark.parametrize(("status", "headers", "message"), [
    (206, {}, "Content-Range"),
    (206, {"content-range": "bytes 0-99/100"}, "resumed at byte 0"),
    (206, {"content-range": "bytes 50-199/200"}, "200 bytes"),
    (404, {}, "HTTP 404"),
    (500, {}, "HTTP 500"),
])
def test_decide_rejects(status, headers, message):
    with pytest.raises(DownloadError, match=message):
        decide(status, headers, 50, 100)
