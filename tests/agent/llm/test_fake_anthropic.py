"""The fake Anthropic server itself: wire format, non-streaming replies, thread safety."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from tests.support.anthropic_script import (
    ErrorReply,
    Text,
    ToolUse,
    Turn,
    stream_frames,
)
from tests.support.fake_anthropic import FakeAnthropic


def post(api: FakeAnthropic, body: dict, path: str = "/v1/messages"):
    req = urllib.request.Request(api.base_url + path, data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status, dict(resp.headers), resp.read()


def user(text: str) -> dict:
    return {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": text}]}


def test_stream_has_the_real_event_sequence():
    turn = Turn([Text(["a", "b"]), ToolUse("t1", "f", {"k": "value", "n": [1, 2]}, parts=4)])
    names = [f.event for f in stream_frames(turn, {"model": "m"}, "msg_1")]
    assert names == ["message_start", "ping",
                     "content_block_start", "content_block_delta", "content_block_delta",
                     "content_block_stop",
                     "content_block_start", *["content_block_delta"] * 4, "content_block_stop",
                     "message_delta", "message_stop"]


def test_streaming_reply_is_an_event_stream(api):
    api.push(Turn([Text("hi")]))
    status, headers, raw = post(api, {**user("x"), "stream": True})
    assert status == 200 and headers["content-type"] == "text/event-stream"
    text = raw.decode()
    assert text.startswith("event: message_start\ndata: {")
    assert '"stop_reason": "end_turn"' in text and text.rstrip().endswith('{"type": "message_stop"}')


def test_non_streaming_reply_is_a_message(api):
    api.push(Turn([Text(["4", "2"]), ToolUse("t1", "calc", {"x": 1})], input_tokens=7))
    status, _, raw = post(api, user("x"))
    message = json.loads(raw)
    assert status == 200 and message["type"] == "message"
    assert message["content"] == [{"type": "text", "text": "42"},
                                  {"type": "tool_use", "id": "t1", "name": "calc",
                                   "input": {"x": 1}}]
    assert message["stop_reason"] == "tool_use" and message["usage"]["input_tokens"] == 7


def test_error_reply_has_the_api_envelope_and_headers(api):
    api.push(ErrorReply(429, "slow", retry_after="2", retry_after_ms="1500"))
    with pytest.raises(urllib.error.HTTPError) as caught:
        post(api, user("x"))
    assert caught.value.code == 429
    assert caught.value.headers["retry-after"] == "2"
    assert caught.value.headers["retry-after-ms"] == "1500"
    assert json.loads(caught.value.read()) == {
        "type": "error", "error": {"type": "rate_limit_error", "message": "slow"}}


def test_unknown_path_is_404(api):
    with pytest.raises(urllib.error.HTTPError) as caught:
        post(api, user("x"), "/v1/complete")
    assert caught.value.code == 404


def test_echo_uses_tool_result_text_when_there_is_no_text(api):
    body = {"model": "m", "max_tokens": 5, "messages": [
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t",
                                      "content": [{"type": "text", "text": "42"}]}]}]}
    assert json.loads(post(api, body)[2])["content"][0]["text"] == "echo: 42"


def test_concurrent_requests_are_all_recorded(api):
    results: dict[int, str] = {}

    def call(n: int) -> None:
        results[n] = json.loads(post(api, user(f"n{n}"))[2])["content"][0]["text"]

    threads = [threading.Thread(target=call, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {n: f"echo: n{n}" for n in range(12)}
    assert len(api.requests) == 12 and api.pending == 0
