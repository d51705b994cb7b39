"""VoiceRuntime over a GatewayLink to a real gateway: settings from ``config.get``,
config edits applied live, ordered shutdown."""

from __future__ import annotations

import asyncio
import json

import pytest

from openclaw_desktop.errors import ConfigError
from openclaw_desktop.remote.link import GatewayLink
from openclaw_desktop.voice.runtime import VoiceRuntime, settings_from_link
from openclaw_desktop.voice.settings import VoiceSettings
from tests.conftest import TOKEN
from tests.voice.fakes import Recorder
from tests.voice.world import FAST, FakeEngines, World


@pytest.fixture
async def link(gateway, tmp_path):
    link = GatewayLink(gateway.url, tmp_path / "app", token=TOKEN)
    await link.start()
    await link.wait_connected(10)
    yield link
    await link.close()


async def patch(link: GatewayLink, voice: dict) -> None:
    base = (await link.call("config.get"))["hash"]
    await link.call("config.patch", {"raw": json.dumps({"voice": voice}), "baseHash": base})


async def eventually(predicate, timeout_s: float = 5.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_settings_come_from_the_gateway_config_and_edits_apply_live(link):
    await patch(link, {"wake": {"enabled": True}, "silence_timeout_ms": 900})
    world, events, built, errors = World(), Recorder(), [], []

    def factory(settings: VoiceSettings) -> FakeEngines:
        built.append(settings)
        return FakeEngines(world)

    runtime = VoiceRuntime(link, events, engines=factory, options=FAST, on_config_error=errors.append)
    await runtime.start()
    try:
        await eventually(lambda: events.count("listening") == 1)
        assert built[0].wake.enabled and built[0].silence_timeout_ms == 900
        assert runtime.pipeline is not None
        await patch(link, {"silence_timeout_ms": 1500, "talk_mode": True})
        await eventually(lambda: runtime.pipeline.settings.silence_timeout_ms == 1500)
        assert runtime.pipeline.conversation.talk_mode is True
        await patch(link, {"silence_timeout_ms": "slow"})  # the gateway stores it; we refuse it
        await eventually(lambda: bool(errors))
        assert errors[0].key == "voice.silence_timeout_ms"
        assert runtime.pipeline.settings.silence_timeout_ms == 1500  # the old value stays
    finally:
        await runtime.stop()
    assert events.types()[-1] == "stopped" and world.mic.on_frame is None
    await runtime.stop()  # idempotent


async def test_an_invalid_voice_section_refuses_to_start(link):
    await patch(link, {"wake": {"threshold": 7}})
    with pytest.raises(ConfigError) as caught:
        await settings_from_link(link)
    assert caught.value.key == "voice.wake.threshold"
    runtime = VoiceRuntime(link, Recorder(), engines=lambda _s: pytest.fail("engines built"))
    with pytest.raises(ConfigError):
        await runtime.start()
    await runtime.stop()
