"""Settings → Voice: each control writes its config key; trigger words go through
voicewake.set and follow voicewake.changed from other clients; the level meter."""

from __future__ import annotations

from dataclasses import replace

from openclaw_desktop.client.gateway_client import ClientOptions, GatewayClient
from openclaw_desktop.ui.settings.voice import VoiceTab
from openclaw_desktop.voice.triggers import DEFAULT_TRIGGERS, MAX_TRIGGERS

from .conftest import Harness, hosted_session, on_loop, run_on


def voice(harness: Harness) -> dict:
    return harness.config_file().get("voice", {})


@on_loop
async def test_defaults_before_anything_is_set(harness: Harness) -> None:
    tab: VoiceTab = await harness.open_tab("voice")
    assert not tab.wake_enabled.isChecked() and tab.wake_phrase.currentText() == "hey jarvis"
    assert tab.silence_ms.value() == 700 and tab.chimes.isChecked()
    assert tab.microphone.currentText() == "System default" and tab.output.currentText() == "System default"
    assert tab.current_triggers() == list(DEFAULT_TRIGGERS)
    assert "voice" not in harness.config_file()  # loading writes nothing


@on_loop
async def test_each_control_writes_its_key(harness: Harness) -> None:
    tab: VoiceTab = await harness.open_tab("voice")
    tab.wake_enabled.click()
    await harness.idle()
    tab.wake_phrase.setCurrentText("alexa")
    tab.wake_phrase.lineEdit().editingFinished.emit()
    await harness.idle()
    tab.microphone.setCurrentIndex(tab.microphone.findText("USB Mic"))
    await harness.idle()
    tab.output.setCurrentIndex(tab.output.findText("Headset"))
    await harness.idle()
    tab.tts_voice.setCurrentIndex(tab.tts_voice.findText("de_DE-thorsten-medium"))
    await harness.idle()
    tab.silence_ms.setValue(1200)
    tab.silence_ms.editingFinished.emit()
    await harness.idle()
    tab.chimes.click()
    await harness.idle()
    assert voice(harness) == {"wake": {"enabled": True, "phrase": "alexa"}, "input_device": "USB Mic",
                              "output_device": "Headset", "tts_voice": "de_DE-thorsten-medium",
                              "silence_timeout_ms": 1200, "chimes": False}
    assert (await harness.call("config.get"))["parsed"]["voice"]["wake"]["enabled"] is True
    tab.microphone.setCurrentIndex(0)  # back to the system default removes the key
    await harness.idle()
    assert "input_device" not in voice(harness)


@on_loop
async def test_a_configured_device_that_is_gone_stays_visible(harness: Harness) -> None:
    await harness.call("config.patch", {"raw": '{"voice": {"input_device": "Old Mic"}}',
                                        "baseHash": (await harness.call("config.get"))["hash"]})
    tab: VoiceTab = await harness.open_tab("voice")
    assert tab.microphone.currentText() == "Old Mic (not found)" and tab.microphone.currentData() == "Old Mic"
    assert voice(harness) == {"input_device": "Old Mic"}


@on_loop
async def test_trigger_words_apply_live_and_follow_other_clients(harness: Harness) -> None:
    tab: VoiceTab = await harness.open_tab("voice")
    tab.new_trigger.setText("jarvis")
    tab.add_trigger_button.click()
    await harness.idle()
    assert (await harness.call("voicewake.get"))["triggers"] == [*DEFAULT_TRIGGERS, "jarvis"]
    tab.triggers.setCurrentRow(0)
    tab.remove_trigger_button.click()
    await harness.idle()
    assert (await harness.call("voicewake.get"))["triggers"] == [*DEFAULT_TRIGGERS[1:], "jarvis"]
    # Another device (a phone, the CLI) edits the list: the tab follows the event.
    opts = ClientOptions(token=harness.link.token, client_id="cli", client_mode="cli", scopes=["operator.write"])
    async with GatewayClient.connect(harness.gateway.url, opts) as other:
        await other.call("voicewake.set", {"triggers": ["computer", "friday"]})
    await harness.until(lambda: tab.current_triggers() == ["computer", "friday"], what="voicewake.changed")


@on_loop
async def test_at_most_32_trigger_words(harness: Harness) -> None:
    tab: VoiceTab = await harness.open_tab("voice")
    await tab.set_triggers([f"word{i}" for i in range(MAX_TRIGGERS + 5)])
    assert len(tab.current_triggers()) == MAX_TRIGGERS
    assert not tab.add_trigger_button.isEnabled() and not tab.new_trigger.isEnabled()
    assert len((await harness.call("voicewake.get"))["triggers"]) == MAX_TRIGGERS


@on_loop
async def test_level_meter_follows_the_source(harness: Harness) -> None:
    tab: VoiceTab = await harness.open_tab("voice")
    harness.level.value = 0.75
    await harness.until(lambda: tab.level.bar.value() == 75, what="level 75")
    harness.level.value = 3.0  # out of range readings are clamped
    await harness.until(lambda: tab.level.bar.value() == 100, what="level 100")
    harness.window.show_tab("about")
    await harness.until(lambda: not tab.level.timer.isActive(), what="polling stops when hidden")


def test_no_microphone_without_a_level_source(qloop, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async def scenario(harness: Harness) -> None:
        tab: VoiceTab = await harness.open_tab("voice")
        assert tab.level.missing.isVisible() and not tab.level.bar.isVisible()
        assert tab.level.missing.text() == "no microphone" and not tab.level.timer.isActive()

    run_on(qloop, hosted_session(tmp_path, scenario, extras_for=lambda e: replace(e, level_source=None)))
