"""The settings window on a real (virtual) display, for the screenshot test; run as a child process.

``python settings_scene.py STATE_DIR`` on an Xvfb display: a real gateway (port 0), a real
``GatewayLink`` and the ``SettingsWindow`` on a qasync loop (as in the app), with some
state worth seeing (a second paired device online, an allowlist entry, a stored key, a
pairing QR on screen). Saves ``settings-<tab>.png`` for every tab into
``artifacts/screenshots/`` and prints one JSON line of facts. Needs
``QT_QPA_PLATFORM=xcb`` and ``DISPLAY``. Imports nothing from ``tests.ui`` (that
package forces the offscreen platform).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import sys
import time
from pathlib import Path

from shots import run_scene, save_screenshot

from openclaw_desktop.app import Gateway, build_gateway
from openclaw_desktop.client.gateway_client import ClientOptions, GatewayClient
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.desktop.autostart import XdgAutostart
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from openclaw_desktop.remote.link import GatewayLink
from openclaw_desktop.ui.settings import TAB_KEYS, SettingsExtras, SettingsWindow
from openclaw_desktop.ui.settings.ports import KeyringKeyStore
from tests.support.keyrings import MemoryKeyring


async def until(condition, timeout: float = 20.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
    return value


async def allow_always(link: GatewayLink, gateway: Gateway, command: str) -> None:
    """Run ``command`` through the real exec path and answer "allow always" (a grant to show)."""
    requested: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
    remove = link.add_event_listener(lambda name, payload: name == "exec.approval.requested"
                                     and not requested.done() and requested.set_result(payload))
    try:
        run = asyncio.ensure_future(gateway.exec_service.run(command))
        payload = await asyncio.wait_for(requested, 10)
        await link.call("exec.approval.resolve", {"id": payload["id"], "decision": "allow-always",
                                                  "grant": {"scope": "exact"}})
        await run
    finally:
        remove()


def models_worth_seeing(state_dir: Path) -> str:
    """A user catalog for Settings → Models: one model installed, one half downloaded, one
    not yet (illustrative entries, never fetched: the files are sparse, the hashes made up).
    Returns the installed model's folder (to select it for speech recognition)."""
    def model(model_id: str, kind: str, title: str, licence: str, files: dict[str, int], about: str) -> dict:
        return {"id": model_id, "kind": kind, "title": title, "licence": licence, "description": about,
                "files": [{"name": name, "url": f"https://models.example/{model_id}/{name}",
                           "sha256": hashlib.sha256(name.encode()).hexdigest(), "size": size}
                          for name, size in files.items()]}

    base = model("whisper-base.en", "whisper", "Whisper base.en", "MIT",
                 {"model.bin": 145_217_532, "config.json": 2_194}, "More accurate than tiny.en, twice as slow.")
    small = model("whisper-small.en", "whisper", "Whisper small.en", "MIT",
                  {"model.bin": 483_546_902, "config.json": 2_194}, "For noisy rooms; needs a fast CPU.")
    alba = model("en_gb-alba-medium", "piper", "Piper voice en_GB “alba” (medium)", "CC BY 4.0",
                 {"en_GB-alba-medium.onnx": 63_201_294, "en_GB-alba-medium.onnx.json": 4_886}, "British English.")
    root = state_dir / "models"
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog.json").write_text(json.dumps({"version": 1, "models": [base, small, alba]}))
    folder = root / "whisper" / base["id"]
    folder.mkdir(parents=True)
    for f in base["files"]:
        with open(folder / f["name"], "wb") as out:
            out.truncate(f["size"])
    (folder / "installed.json").write_text(json.dumps({"id": base["id"], "kind": "whisper",
                                                       "files": {f["name"]: f["sha256"] for f in base["files"]}}))
    partial = root / "whisper" / small["id"]
    partial.mkdir(parents=True)
    with open(partial / "model.bin.part", "wb") as out:
        out.truncate(201_326_592)
    return str(folder)


async def scene(state_dir: Path) -> dict:
    facts: dict = {"tabs": []}
    state_dir.mkdir(parents=True, exist_ok=True)
    paths = StatePaths(state_dir, state_dir / "openclaw.json")
    gateway = await build_gateway(paths, Overrides(port=0), log_to_file=False)
    token = gateway.services.config.settings.gateway.auth.token
    link = GatewayLink(gateway.url, state_dir, token=token)
    ring = MemoryKeyring()
    ring.set_password("openclaw-desktop", "anthropic-api-key", "sk-ant-screenshot")
    extras = SettingsExtras(
        autostart=XdgAutostart(state_dir / "autostart"), key_store=KeyringKeyStore(env={}, backend=ring),
        level_source=lambda: 0.35 + 0.25 * math.sin(time.monotonic() * 3),
        input_devices=lambda: ["Built-in Microphone", "USB Headset Microphone"],
        output_devices=lambda: ["Built-in Speakers", "USB Headset"],
        tts_voices=lambda: ["en_US-lessac-medium", "en_GB-alba-medium"],
        wake_phrases=lambda: ["hey jarvis", "alexa", "hey mycroft"], open_folder=lambda _p: None)
    window: SettingsWindow | None = None
    laptop = ClientOptions(token=token, identity=DeviceIdentity.generate(), client_id="cli", client_mode="cli",
                           scopes=["operator.read"], display_name="Work laptop", platform="darwin",
                           device_family="Mac")
    try:
        await link.start()
        await link.wait_connected()
        view = await link.call("config.get", {})
        stt_model = models_worth_seeing(state_dir)
        await link.call("config.patch", {"raw": json.dumps({"agents": {"defaults": {"model": {
            "primary": "claude-sonnet-5-5"}}}, "voice": {"wake": {"enabled": True}, "stt_model": stt_model}}),
            "baseHash": view["hash"]})
        await allow_always(link, gateway, "ls -a")  # before "ls" is allowlisted, or it would not ask
        approvals = await link.call("exec.approvals.get", {})
        doc = approvals["file"]
        doc.setdefault("defaults", {})["allowlist"] = [{"pattern": "/usr/bin/git"}, {"pattern": "ls"}]
        await link.call("exec.approvals.set", {"file": doc, "baseHash": approvals["hash"]})
        async with GatewayClient.connect(gateway.url, laptop):
            window = SettingsWindow(link, gateway, extras=extras)
            window.resize(900, 720)
            window.show()
            for key in TAB_KEYS:
                tab = window.show_tab(key)
                await until(lambda t=tab: t.loaded and not t.tasks.busy, what=f"{key} loaded")
                if key == "devices":
                    await tab.pair_panel.generate()  # type: ignore[attr-defined]
                    await until(lambda t=tab: len(t.rows) == 2, what="both devices")  # type: ignore[attr-defined]
                await asyncio.sleep(0.4)  # let the level meter move and the frame paint
                save_screenshot(window, f"settings-{key}")
                facts["tabs"].append([key, window.tab_widget.tabText(window.tab_widget.currentIndex())])
            facts["link"] = window.link_state.text()
    finally:
        if window is not None:
            window.dispose()
            window.close()
        await link.close()
        await gateway.close()
    return facts


if __name__ == "__main__":
    sys.exit(run_scene(scene))
