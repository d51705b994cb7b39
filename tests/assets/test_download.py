"""Model downloads against a real loopback HTTP server: resume, verification, progress."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import httpx
import pytest

from openclaw_desktop.assets.catalog import AssetFile, ModelAsset
from openclaw_desktop.assets.download import (
    DownloadError,
    VerificationError,
    fetch_file,
    part_paths,
)
from openclaw_desktop.assets.store import ModelStore, load_catalog, models_dir

from .model_server import ModelServer

MODEL = os.urandom(300_000) + b"the end"
VOICE_JSON = json.dumps({"audio": {"sample_rate": 22050}}).encode()


def asset_file(server: ModelServer, path: str, body: bytes, *, sha256: str | None = None) -> AssetFile:
    server.files[path] = body
    return AssetFile(path.rsplit("/", 1)[-1], server.url(path), sha256 or hashlib.sha256(body).hexdigest(),
                     len(body))


@pytest.fixture
def server():
    srv = ModelServer().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
async def client():
    async with httpx.AsyncClient(timeout=10) as c:
        yield c


async def test_download_writes_the_verified_file_and_reports_progress(server, client, tmp_path):
    file = asset_file(server, "/m/model.bin", MODEL)
    seen: list[int] = []
    dest = await fetch_file(client, file, tmp_path / "model.bin", seen.append)
    assert dest.read_bytes() == MODEL
    assert seen[0] == 0 and seen[-1] == len(MODEL) and seen == sorted(seen)
    assert not any(p.exists() for p in part_paths(dest))


async def test_interrupted_download_resumes_with_a_range_request(server, client, tmp_path):
    file = asset_file(server, "/m/model.bin", MODEL)
    server.cut_after["/m/model.bin"] = [120_000]
    dest = tmp_path / "model.bin"
    with pytest.raises(DownloadError, match="interrupted"):
        await fetch_file(client, file, dest)
    part, meta = part_paths(dest)
    assert part.stat().st_size == 120_000 and not dest.exists()
    etag = json.loads(meta.read_text())["validator"]

    seen: list[int] = []
    await fetch_file(client, file, dest, seen.append)
    assert dest.read_bytes() == MODEL
    second = server.requests[-1]
    assert (second.range, second.if_range, second.status) == ("bytes=120000-", etag, 206)
    assert seen[0] == 120_000 and seen[-1] == len(MODEL)  # progress counts the resumed bytes


async def test_a_changed_file_on_the_server_restarts_instead_of_splicing(server, client, tmp_path):
    old = asset_file(server, "/m/model.bin", b"x" * 50_000)
    server.cut_after["/m/model.bin"] = [20_000]
    dest = tmp_path / "model.bin"
    with pytest.raises(DownloadError):
        await fetch_file(client, old, dest)
    new = asset_file(server, "/m/model.bin", MODEL)  # new content, new ETag: If-Range fails
    await fetch_file(client, new, dest)
    assert dest.read_bytes() == MODEL and server.requests[-1].status == 200


async def test_server_without_range_support_restarts_from_zero(server, client, tmp_path):
    file = asset_file(server, "/m/model.bin", MODEL)
    server.cut_after["/m/model.bin"] = [100_000]
    dest = tmp_path / "model.bin"
    with pytest.raises(DownloadError):
        await fetch_file(client, file, dest)
    server.ignore_range = True
    await fetch_file(client, file, dest)
    assert dest.read_bytes() == MODEL and server.requests[-1].status == 200


async def test_bad_hash_is_rejected_and_the_file_removed(server, client, tmp_path):
    file = asset_file(server, "/m/model.bin", MODEL, sha256="0" * 64)
    dest = tmp_path / "model.bin"
    with pytest.raises(VerificationError, match="deleted"):
        await fetch_file(client, file, dest)
    assert list(tmp_path.iterdir()) == []


async def test_a_complete_part_is_only_verified(server, client, tmp_path):
    file = asset_file(server, "/m/model.bin", MODEL)
    dest = tmp_path / "model.bin"
    part, _ = part_paths(dest)
    part.write_bytes(MODEL)
    await fetch_file(client, file, dest)
    assert dest.read_bytes() == MODEL and server.requests[-1].status == 416


async def test_an_oversized_part_is_discarded_and_fetched_again(server, client, tmp_path):
    file = asset_file(server, "/m/model.bin", MODEL)
    dest = tmp_path / "model.bin"
    part_paths(dest)[0].write_bytes(MODEL + b"junk")
    await fetch_file(client, file, dest)
    assert dest.read_bytes() == MODEL
    assert [r.status for r in server.requests] == [416, 200]


async def test_http_errors_name_the_status(server, client, tmp_path):
    file = AssetFile("missing.bin", server.url("/nope"), "0" * 64, 10)
    with pytest.raises(DownloadError, match="HTTP 404"):
        await fetch_file(client, file, tmp_path / "missing.bin")


def voice_asset(server: ModelServer, body: bytes = MODEL) -> ModelAsset:
    return ModelAsset("en-test-voice", "piper", "Test voice", "MIT",
                      (asset_file(server, "/v/voice.onnx", body), asset_file(server, "/v/voice.onnx.json", VOICE_JSON)))


async def test_store_installs_into_the_state_dirs_models_folder_with_retries(server, client, tmp_path):
    store = ModelStore(models_dir(tmp_path / "state"))
    asset = voice_asset(server)
    server.cut_after["/v/voice.onnx"] = [10_000, 90_000]  # two interruptions, resumed within one call
    progress: list[tuple[int, int]] = []
    folder = await store.install(client, asset, lambda d, t: progress.append((d, t)))
    assert folder == tmp_path / "state" / "models" / "piper" / "en-test-voice"
    assert (folder / "voice.onnx").read_bytes() == MODEL and (folder / "voice.onnx.json").read_bytes() == VOICE_JSON
    assert store.is_installed(asset)
    assert progress[-1] == (asset.total_size, asset.total_size)
    assert [r.range for r in server.requests if r.path == "/v/voice.onnx"] == [None, "bytes=10000-", "bytes=100000-"]
    store.remove(asset)
    assert not folder.exists() and not store.is_installed(asset)


async def test_store_does_not_mark_a_model_with_a_bad_file_installed(server, client, tmp_path):
    store = ModelStore(tmp_path / "models")
    good = voice_asset(server)
    bad = ModelAsset(good.id, good.kind, good.title, good.licence,
                     (good.files[0], AssetFile("voice.onnx.json", good.files[1].url, "f" * 64, len(VOICE_JSON))))
    with pytest.raises(VerificationError):
        await store.install(client, bad)
    folder = store.folder(bad)
    assert not store.is_installed(bad) and not (folder / "voice.onnx.json").exists()
    assert (folder / "voice.onnx").read_bytes() == MODEL  # the verified file stays for next time
    await store.install(client, good)
    assert store.is_installed(good)


async def test_user_catalog_adds_models(tmp_path):
    root = tmp_path / "models"
    root.mkdir()
    (root / "catalog.json").write_text(json.dumps({"version": 1, "models": [{
        "id": "whisper-small", "kind": "whisper", "title": "Whisper small", "licence": "MIT",
        "files": [{"name": "model.bin", "url": "https://example.org/model.bin", "sha256": "a" * 64, "size": 5}]}]}))
    assert [m.id for m in load_catalog(root)] == ["whisper-small"]
    (root / "catalog.json").write_text("{not json")
    with pytest.raises(ValueError, match="catalog.json: not valid JSON"):
        load_catalog(root)


def test_missing_user_catalog_means_the_builtin_one(tmp_path: Path):
    assert load_catalog(tmp_path) == ()
