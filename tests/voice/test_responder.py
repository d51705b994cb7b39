"""The voice responder and trigger sync over a GatewayLink to a REAL gateway on port 0,
with the fake Anthropic server streaming the replies; then the whole pipeline (fake audio
engines) talking to that gateway."""

from __future__ import annotations

import asyncio
import json

import pytest

from openclaw_desktop.app import build_gateway
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.remote.link import GatewayLink
from openclaw_desktop.voice import events as ev
from openclaw_desktop.voice.events import ErrorCode
from openclaw_desktop.voice.pipeline import PipelineEngines, VoicePipeline
from openclaw_desktop.voice.responder import GatewayResponder, ReplyError
from openclaw_desktop.voice.sentences import SentenceSplitter
from openclaw_desktop.voice.trigger_sync import TriggerWatcher
from openclaw_desktop.voice.triggers import DEFAULT_TRIGGERS
from tests.conftest import TOKEN
from tests.support.anthropic_script import Pause, Text, Turn
from tests.support.fake_anthropic import FakeAnthropic
from tests.voice.world import FAST, World, settings

REPLY = ["The meeting ", "is at three. ", "I added it to ", "your calendar. ", "Anything else?"]


@pytest.fixture
async def api():
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
async def gw(paths, api, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    gateway = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    yield gateway
    await gateway.close()


@pytest.fixture
async def link(gw, tmp_path):
    link = GatewayLink(gw.url, tmp_path / "app", token=TOKEN)
    await link.start()
    await link.wait_connected(10)
    yield link
    await link.close()


async def history(link: GatewayLink) -> list[dict]:
    return (await link.call("chat.history", {"sessionKey": "main"}))["messages"]


async def test_a_multi_sentence_reply_streams_as_deltas_into_speakable_sentences(link, api):
    api.push(Turn([Text(REPLY, delay_s=0.03)]))
    responder = GatewayResponder(link)
    splitter = SentenceSplitter()
    deltas, sentences_as_they_came = [], []
    async for delta in responder.reply("When is the meeting?"):
        deltas.append(delta)
        sentences_as_they_came.append(splitter.feed(delta))
    assert "".join(deltas) == "".join(REPLY)
    assert len(deltas) >= 3  # streamed, not one final blob
    # The first sentence was complete while the rest was still streaming.
    first = next(i for i, found in enumerate(sentences_as_they_came) if found)
    assert sentences_as_they_came[first] == ["The meeting is at three."] and first < len(deltas) - 1
    assert [s for found in sentences_as_they_came for s in found] + splitter.flush() == [
        "The meeting is at three.", "I added it to your calendar.", "Anything else?"]
    assert api.requests[0]["messages"][-1]["content"][0]["text"] == "When is the meeting?"
    messages = await history(link)  # it went to the main session
    assert [m["role"] for m in messages] == ["user", "assistant"]


async def test_leaving_early_aborts_the_agent_run(link, api):
    api.push(Turn([Text(["tick "] * 200, delay_s=0.03)]))
    responder = GatewayResponder(link)
    got = []
    async for delta in responder.reply("count"):
        got.append(delta)
        if len(got) == 3:
            break  # barge-in: the consumer stops reading
    await responder.aclose()
    assert await api.wait_for_disconnects_async(1)  # the model stream was closed
    for _ in range(100):
        messages = await history(link)
        if messages and messages[-1].get("stopReason") == "aborted":
            break
        await asyncio.sleep(0.02)
    assert messages[-1]["stopReason"] == "aborted"


async def test_cancelling_the_consumer_aborts_too(link, api):
    api.push(Turn([Text(["tock "] * 200, delay_s=0.03)]))
    responder = GatewayResponder(link)

    async def consume():
        async for _ in responder.reply("count again"):
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await responder.aclose()
    assert await api.wait_for_disconnects_async(1)


async def test_an_agent_error_is_a_reply_error(link, api):
    api.push_error(400, "prompt is too long")
    with pytest.raises(ReplyError) as caught:
        async for _ in GatewayResponder(link).reply("hello"):
            pass
    assert caught.value.code is ErrorCode.REPLY_FAILED and "prompt is too long" in str(caught.value)


async def test_no_model_key_is_a_reply_error(paths, tmp_path):
    gateway = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    link = GatewayLink(gateway.url, tmp_path / "app", token=TOKEN)
    try:
        await link.start()
        await link.wait_connected(10)
        with pytest.raises(ReplyError) as caught:
            async for _ in GatewayResponder(link).reply("hello"):
                pass
        assert caught.value.code is ErrorCode.REPLY_FAILED and "no model configured" in str(caught.value)
    finally:
        await link.close()
        await gateway.close()


async def test_a_link_that_is_down_is_gateway_unavailable(tmp_path):
    link = GatewayLink("ws://127.0.0.1:9", tmp_path / "app", token=TOKEN)
    with pytest.raises(ReplyError) as caught:
        async for _ in GatewayResponder(link).reply("hello"):
            pass
    assert caught.value.code is ErrorCode.GATEWAY_UNAVAILABLE


async def test_trigger_words_follow_the_gateway_without_restart(link, gw, tmp_path):
    other = GatewayLink(gw.url, tmp_path / "phone", token=TOKEN)  # someone else edits the list
    await other.start()
    await other.wait_connected(10)
    changes = []
    watcher = TriggerWatcher(link, on_change=changes.append)
    try:
        watcher.start()
        assert watcher.triggers == DEFAULT_TRIGGERS
        await other.call("voicewake.set", {"triggers": ["  Jeeves ", "コンピューター", ""]})
        for _ in range(100):
            if watcher.triggers != DEFAULT_TRIGGERS:
                break
            await asyncio.sleep(0.02)
        assert watcher.triggers == ("Jeeves", "コンピューター") and changes == [("Jeeves", "コンピューター")]
    finally:
        await watcher.close()
        await other.close()


async def test_the_pipeline_speaks_a_real_agent_reply_sentence_by_sentence(link, api):
    api.push(Turn([Text(REPLY[:2]), Pause(0.4), Text(REPLY[2:])]))
    world = World()
    responder = GatewayResponder(link)
    world.pipeline = VoicePipeline(
        PipelineEngines(world.mic, world.speaker, world.vad, world.stt, world.tts, world.wake, world.echo),
        responder, settings(), world.events, chimes=None, options=FAST)
    async with world:
        await world.say("hey", "jarvis", "when", "is", "the", "meeting")
        await world.until_event("listening", 2, max_frames=1_000)
    types = world.events.types()
    assert types[:6] == ["listening", "wake", "capturing", "transcribing", "transcript", "thinking"]
    assert types[-3:] == ["speaking_stopped", "listening", "stopped"]
    spoken = [e.text for e in world.events.of(ev.SpeakingStarted)]
    assert spoken == ["The meeting is at three.", "I added it to your calendar.", "Anything else?"]
    # The first sentence played before the reply finished streaming (the model paused).
    assert types.index("speaking_started") < types.index("reply_done")
    assert world.tts.texts == spoken
    assert api.requests[0]["messages"][-1]["content"][0]["text"] == "when is the meeting"
    assert json.dumps([e.to_dict() for e in world.events.events])  # every event is JSON
