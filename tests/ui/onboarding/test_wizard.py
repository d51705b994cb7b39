"""The onboarding wizard against a real gateway and link (pytest-qt, offscreen)."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from openclaw_desktop.agent.credentials import KEYRING_USERNAME, SERVICE_NAME
from openclaw_desktop.ui.onboarding import needs_onboarding
from openclaw_desktop.ui.settings.ports import KeyringKeyStore
from tests.support.fake_anthropic import FakeAnthropic

from .conftest import Wizarding, on_loop

STEPS = ["welcome", "ai", "wake", "mic", "pair", "done"]


class BrokenKeyring:
    """A keyring whose D-Bus backend is gone (what a headless Linux box often has)."""

    def get_password(self, service: str, username: str) -> None:
        raise RuntimeError("no D-Bus session")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("no D-Bus session")


@on_loop()
async def test_every_step_done_in_order(w: Wizarding) -> None:
    wiz = w.wizard
    assert [s.key for s in wiz.steps] == STEPS
    assert "only with your approval" in wiz.steps[0].trust.text()
    assert not wiz.back_button.isEnabled() and "<b>1. Welcome</b>" in wiz.step_list.text()
    await w.next()

    ai = wiz.step
    assert ai.key == "ai"
    async with FakeAnthropic() as api:
        await w.link.call("config.patch", {"raw": json.dumps({"models": {"providers": {"anthropic": {
            "baseUrl": api.base_url}}}}), "baseHash": (await w.link.call("config.get", {}))["hash"]})
        ai.key_field.setText("sk-ant-typed")
        ai.test_button.click()
        await w.idle()
        assert ai.result.text().startswith("✓ "), ai.result.text()
        headers = api.request_headers[0]
        assert "sk-ant-typed" in (headers.get("x-api-key"), headers.get("authorization", "")[7:])
    assert w.keyring.get_password(SERVICE_NAME, KEYRING_USERNAME) == "sk-ant-typed"
    assert ai.key_field.text() == ""  # never left in the field
    await w.next()

    wake = wiz.step
    assert wake.key == "wake" and not wake.enabled.isChecked()  # opt-in
    await w.idle()
    wake.enabled.setChecked(True)
    await w.next()
    assert w.config_file()["voice"]["wake"]["enabled"] is True

    mic = wiz.step
    assert mic.key == "mic" and mic.verdict.text() == ""
    w.level.value = 0.6  # someone speaks
    await w.until(lambda: mic.verdict.text().startswith("✓"), what="the level meter hearing speech")
    assert mic.meter.bar.value() == 60
    await w.next()

    pair = wiz.step
    assert pair.key == "pair"
    pair.panel.generate_button.click()
    await w.idle()
    setup_code = pair.panel.code.text()
    assert setup_code and not pair.panel.qr_image.isNull()
    pair.panel.on_event("device.pair.setup.completed", {"setupId": pair.panel.setup["setupId"],
                                                         "deviceName": "Pixel 9", "access": "full"})
    await w.next()

    done = wiz.step
    assert done.key == "done" and wiz.next_button.text() == "Finish" and not wiz.skip_button.isVisible()
    assert "✓ Your AI is connected." in done.summary.text() and "✓ A phone is paired." in done.summary.text()
    await w.next()
    await w.until(lambda: w.finished, what="finished_onboarding")
    assert w.finished == [{"welcome": "read", "ai": "connected", "wake": "on", "mic": "heard", "pair": "paired"}]
    wizard_keys = w.config_file()["wizard"]
    assert wizard_keys["lastRunVersion"] == "9.9.9" and wizard_keys["lastRunCommand"] == "desktop-onboarding"
    assert not needs_onboarding(w.gateway.services.config.paths.config_path)
    assert not wiz.isVisible()


@on_loop()
async def test_every_step_can_be_skipped(w: Wizarding) -> None:
    config_path = w.gateway.services.config.paths.config_path
    assert needs_onboarding(config_path)  # the gateway wrote a config with only its token
    for _ in STEPS[:-1]:
        w.wizard.skip_button.click()
    assert w.wizard.step.key == "done"
    assert "No AI connected yet" in w.wizard.step.summary.text()
    await w.next()
    await w.until(lambda: w.finished, what="finished_onboarding")
    assert w.finished == [{k: "skipped" for k in STEPS[:-1]}]
    doc = w.config_file()
    assert "voice" not in doc and "lastRunAt" in doc["wizard"]  # nothing chosen, but it ran
    assert w.keyring.passwords == {}
    assert not needs_onboarding(config_path)


@on_loop()
async def test_back_returns_to_the_previous_step(w: Wizarding) -> None:
    w.wizard.skip_button.click()
    w.wizard.skip_button.click()
    assert w.wizard.step.key == "wake" and "<b>3. Wake word</b>" in w.wizard.step_list.text()
    w.wizard.back_button.click()
    assert w.wizard.step.key == "ai" and w.wizard.back_button.isEnabled()


@on_loop()
async def test_escape_skips_the_rest_and_still_records_the_run(w: Wizarding) -> None:
    await w.next()  # welcome read
    QTest.keyClick(w.wizard, Qt.Key.Key_Escape)
    await w.until(lambda: w.finished, what="finished_onboarding")
    assert w.finished == [{"welcome": "read", "ai": "skipped", "wake": "skipped", "mic": "skipped",
                           "pair": "skipped"}]
    assert not w.wizard.isVisible() and "lastRunAt" in w.config_file()["wizard"]


@on_loop()
async def test_next_with_a_pasted_key_saves_and_tests_it(w: Wizarding) -> None:
    await w.next()
    async with FakeAnthropic() as api:
        await w.link.call("config.patch", {"raw": json.dumps({"models": {"providers": {"anthropic": {
            "baseUrl": api.base_url}}}}), "baseHash": (await w.link.call("config.get", {}))["hash"]})
        w.wizard.step.key_field.setText("sk-ant-next")
        await w.next()
        assert len(api.requests) == 1
    assert w.wizard.step.key == "wake" and w.wizard.results["ai"] == "connected"
    assert w.keyring.get_password(SERVICE_NAME, KEYRING_USERNAME) == "sk-ant-next"


@on_loop(key_store=KeyringKeyStore(env={}, backend=BrokenKeyring()))
async def test_a_broken_keyring_is_explained(w: Wizarding) -> None:
    await w.next()
    ai = w.wizard.step
    ai.key_field.setText("sk-ant-x")
    ai.test_button.click()
    await w.idle()
    assert ai.result.text().startswith("✗ ") and "ANTHROPIC_API_KEY" in ai.result.text()
    assert w.wizard.results["ai"] == "keyring-unavailable"


@on_loop(level_source=None)
async def test_without_voice_the_microphone_step_says_so(w: Wizarding) -> None:
    for _ in range(3):
        w.wizard.skip_button.click()
    mic = w.wizard.step
    assert mic.key == "mic" and "No microphone can be checked" in mic.layout_.itemAt(1).widget().text()
    assert w.wizard.results["mic"] == "unavailable"
