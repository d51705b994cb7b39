"""The sans-I/O stream assembler, fed plain event dicts as the API sends them."""

from __future__ import annotations

import pytest

from openclaw_desktop.agent.llm.port import (
    MessageDone,
    ModelError,
    TextDelta,
    ToolUseBlock,
    Usage,
)
from openclaw_desktop.agent.llm.stream_assembler import StreamAssembler


def start(usage=None):
    return {"type": "message_start",
            "message": {"model": "claude-x", "usage": usage or {"input_tokens": 9,
                                                                  "output_tokens": 1}}}


def block_start(index, block):
    return {"type": "content_block_start", "index": index, "content_block": block}


def delta(index, **d):
    return {"type": "content_block_delta", "index": index, "delta": d}


def stop(index):
    return {"type": "content_block_stop", "index": index}


def feed_all(events):
    assembler = StreamAssembler()
    out = [e for event in events for e in assembler.feed(event)]
    return out, assembler.done


def test_text_and_split_tool_json_in_order():
    out, done = feed_all([
        start({"input_tokens": 9, "output_tokens": 1, "cache_read_input_tokens": 4,
               "cache_creation_input_tokens": 2}),
        {"type": "ping"},
        block_start(0, {"type": "text", "text": ""}),
        delta(0, type="text_delta", text="Let me "),
        delta(0, type="text_delta", text="look."),
        stop(0),
        block_start(1, {"type": "tool_use", "id": "toolu_1", "name": "read", "input": {}}),
        delta(1, type="input_json_delta", partial_json=""),
        delta(1, type="input_json_delta", partial_json='{"pa'),
        delta(1, type="input_json_delta", partial_json='th": "a.txt", "n": [1,'),
        delta(1, type="input_json_delta", partial_json=" 2]}"),
        stop(1),
        {"type": "message_delta", "delta": {"stop_reason": "tool_use"},
         "usage": {"output_tokens": 31, "input_tokens": None}},
        {"type": "message_stop"},
    ])
    assert out == [TextDelta("Let me "), TextDelta("look."),
                   ToolUseBlock("toolu_1", "read", {"path": "a.txt", "n": [1, 2]})]
    assert done == MessageDone("tool_use", Usage(9, 31, 4, 2), "claude-x")


def test_nothing_is_done_before_message_stop():
    assembler = StreamAssembler()
    assembler.feed(start())
    assembler.feed({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {}})
    assert assembler.done is None
    assembler.feed({"type": "message_stop"})
    assert assembler.done is not None and assembler.done.stop_reason == "end_turn"


def test_tool_input_given_whole_in_block_start_and_empty_input():
    out, _ = feed_all([
        start(),
        block_start(0, {"type": "tool_use", "id": "t1", "name": "a", "input": {"x": 1}}),
        stop(0),
        block_start(1, {"type": "tool_use", "id": "t2", "name": "b", "input": {}}),
        stop(1),
    ])
    assert out == [ToolUseBlock("t1", "a", {"x": 1}), ToolUseBlock("t2", "b", {})]


def test_unknown_blocks_and_events_are_ignored():
    out, done = feed_all([
        start(),
        block_start(0, {"type": "thinking", "thinking": ""}),
        delta(0, type="thinking_delta", thinking="hmm"),
        delta(0, type="signature_delta", signature="sig"),
        stop(0),
        {"type": "brand_new_event", "index": 3},
        block_start(1, {"type": "text", "text": "Hi"}),
        stop(1),
        {"type": "message_delta", "delta": {"stop_reason": "refusal"}, "usage": {}},
        {"type": "message_stop"},
    ])
    assert out == [TextDelta("Hi")]
    assert done is not None and done.stop_reason == "refusal"


@pytest.mark.parametrize("fragments", [['{"a": '], ['[1, 2]']])
def test_bad_tool_input_is_a_server_error(fragments):
    events = [start(), block_start(0, {"type": "tool_use", "id": "t", "name": "n", "input": {}})]
    events += [delta(0, type="input_json_delta", partial_json=f) for f in fragments]
    events.append(stop(0))
    with pytest.raises(ModelError) as caught:
        feed_all(events)
    assert caught.value.kind == "server"
