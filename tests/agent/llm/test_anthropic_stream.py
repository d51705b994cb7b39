"""The real SDK against the fake server: streaming, tool use, usage, what we send."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from openclaw_desktop.agent.llm.anthropic_adapter import AnthropicModel
from openclaw_desktop.agent.llm.port import (
    MessageDone,
    ModelRequest,
    TextDelta,
    ToolSpec,
    ToolUseBlock,
    Usage,
)
from tests.agent.llm.conftest import collect, request
from tests.support.anthropic_script import Pause, Text, ToolUse, Turn
from tests.support.fake_anthropic import FakeAnthropic


async def test_text_streams_as_it_arrives_then_one_message_done(api, model):
    api.push(Turn([Text(["Hel", "lo, ", "world"])], input_tokens=21, output_tokens=3))
    events = await collect(model)
    assert events == [TextDelta("Hel"), TextDelta("lo, "), TextDelta("world"),
                      MessageDone("end_turn", Usage(21, 3), "claude-test")]


async def test_text_reaches_the_caller_before_the_message_ends(api, model):
    api.push(Turn([Text(["first"]), Pause(0.3), Text(["second"])]))
    stream = model.stream(request())
    loop = asyncio.get_running_loop()
    began = loop.time()
    assert await anext(stream) == TextDelta("first")
    assert loop.time() - began < 0.25  # not buffered until the end
    assert [e async for e in stream][-1].stop_reason == "end_turn"


async def test_several_tool_use_blocks_with_split_json(api, model):
    big = {"path": "/tmp/notes.txt", "lines": [1, 2, 3], "opts": {"follow": True, "n": None}}
    api.push(Turn([Text("Reading."), ToolUse("toolu_1", "read_file", big, parts=6),
                   ToolUse("toolu_2", "list_dir", {"dir": "~"}, parts=3)],
                  input_tokens=50, output_tokens=40, cache_read_input_tokens=30,
                  cache_creation_input_tokens=5))
    events = await collect(model)
    assert events == [
        TextDelta("Reading."),
        ToolUseBlock("toolu_1", "read_file", big),
        ToolUseBlock("toolu_2", "list_dir", {"dir": "~"}),
        MessageDone("tool_use", Usage(50, 40, cache_read_tokens=30, cache_write_tokens=5),
                    "claude-test"),
    ]


@pytest.mark.parametrize("stop_reason", ["max_tokens", "stop_sequence", "refusal", "pause_turn"])
async def test_stop_reasons_pass_through(api, model, stop_reason):
    api.push(Turn([Text("…")], stop_reason=stop_reason))
    done = (await collect(model))[-1]
    assert isinstance(done, MessageDone) and done.stop_reason == stop_reason


async def test_request_carries_system_tools_messages_and_key(api, model):
    tool = ToolSpec("read_file", "Read a file", {"type": "object",
                                                  "properties": {"path": {"type": "string"}}})
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "read a.txt"}]},
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_9", "name": "read_file", "input": {"path": "a"}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_9", "content": "hi", "is_error": False}]},
    ]
    await collect(model, ModelRequest("claude-test", "You are terse.", messages, [tool], 512))
    [sent] = api.requests
    assert sent["model"] == "claude-test" and sent["max_tokens"] == 512
    assert sent["stream"] is True and sent["system"] == "You are terse."
    assert sent["messages"] == messages
    assert sent["tools"] == [{"name": "read_file", "description": "Read a file",
                              "input_schema": tool.input_schema}]
    # SDK 0.x sends the key as x-api-key, 2.x as a Bearer token; either carries it.
    headers = api.request_headers[0]
    assert "sk-test" in (headers.get("x-api-key"), headers.get("authorization", "")[7:])


async def test_no_tools_and_no_system_are_left_out(api, model):
    await collect(model, ModelRequest("claude-test", "", [{"role": "user", "content": "x"}]))
    assert "tools" not in api.requests[0] and "system" not in api.requests[0]


async def test_unscripted_server_echoes_the_last_user_text(api, model):
    events = await collect(model, request("ping?"))
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "echo: ping?"


async def test_cancelling_mid_stream_closes_the_http_stream(api, model):
    api.push(Turn([Text(["a"] + ["b"] * 100, delay_s=0.05)]))
    received: list[object] = []
    first = asyncio.Event()

    async def consume() -> None:
        async for event in model.stream(request()):
            received.append(event)
            first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await api.wait_for_disconnects_async(1, timeout_s=5)
    assert len(received) < 10  # it stopped well before the end


async def test_closing_the_iterator_early_closes_the_http_stream(api, model):
    api.push(Turn([Text(["a"] + ["b"] * 100, delay_s=0.05)]))
    async with contextlib.aclosing(model.stream(request())) as stream:
        async for _ in stream:
            break
    assert await api.wait_for_disconnects_async(1, timeout_s=5)


async def test_a_server_in_a_thread_serves_while_the_loop_is_busy(api):
    # Two models in one loop, concurrently, against one threaded server.
    async with AnthropicModel("k", api.base_url) as one, AnthropicModel("k", api.base_url) as two:
        a, b = await asyncio.gather(collect(one, request("a")), collect(two, request("b")))
    assert a[-1].stop_reason == b[-1].stop_reason == "end_turn"
    assert len(api.requests) == 2


def test_fake_server_works_from_sync_code():
    with FakeAnthropic() as api:
        async def run() -> list[object]:
            async with AnthropicModel("k", api.base_url) as m:
                return await collect(m)
        assert asyncio.run(run())[-1].stop_reason == "end_turn"
