"""The turn loop with a scripted model: deltas, tool loops, errors, aborts, transcript."""

from __future__ import annotations

import asyncio

import pytest

from openclaw_desktop.agent.llm.port import ModelError
from openclaw_desktop.agent.tools.base import ToolRegistry
from openclaw_desktop.agent.tools.files import file_tools
from openclaw_desktop.agent.transcript import Transcript, load
from openclaw_desktop.agent.turn import TurnContext, run_turn
from tests.agent.fakes import ScriptedModel, recorder


def setup(tmp_path):
    events, emit = recorder()
    ctx = TurnContext("run-1", "agent:main:main", "main", "fake-1", "SYSTEM", emit, lambda: 1_000)
    transcript = Transcript.create(tmp_path / "s", "sid", str(tmp_path), 0)
    history = [transcript.append_message({"role": "user", "content": [{"type": "text", "text": "hi"}]}, 1)]
    (tmp_path / "ws").mkdir()
    return events, ctx, transcript, history, ToolRegistry(file_tools(tmp_path / "ws"))


async def test_text_reply_streams_cumulative_deltas_then_final(tmp_path):
    events, ctx, transcript, history, tools = setup(tmp_path)
    result = await run_turn(ctx, ScriptedModel(["Hel", "lo ", "there"]), tools, transcript, history)
    chat = [p for n, p in events if n == "chat"]
    assert [c["state"] for c in chat] == ["delta", "delta", "delta", "final"]
    assert [c.get("deltaText") for c in chat[:3]] == ["Hel", "Hello ", "Hello there"]
    assert [c["seq"] for c in chat] == [1, 2, 3, 4]
    assert chat[-1]["message"]["content"] == [{"type": "text", "text": "Hello there"}]
    assert chat[-1]["stopReason"] == "stop" and result.status == "ok" and result.text == "Hello there"
    stored = load(transcript.path).messages
    assert [m["role"] for m in stored] == ["user", "assistant"] and stored[1]["usage"]["totalTokens"] == 15
    lifecycle = [p["data"]["phase"] for n, p in events if n == "agent" and p["stream"] == "lifecycle"]
    assert lifecycle == ["start", "end"]
    usage = [p["data"] for n, p in events if n == "agent" and p["stream"] == "usage"]
    assert usage == [{"message": stored[1]["usage"], "run": stored[1]["usage"]}]


async def test_tool_loop_runs_tools_and_feeds_results_back(tmp_path):
    events, ctx, transcript, history, tools = setup(tmp_path)
    (tmp_path / "ws" / "notes.txt").write_text("buy milk\n")
    model = ScriptedModel(
        ["Let me look.", ("tool", "t1", "read", {"path": "notes.txt"}), ("tool", "t2", "read", {"path": "../x"}),
         ("tool", "t3", "read", {"nope": 1})],
        ["You need milk."])
    result = await run_turn(ctx, model, tools, transcript, history)
    assert result.text == "Let me look.You need milk."
    second = model.requests[1].messages
    results = [b for b in second[-1]["content"] if b["type"] == "tool_result"]
    assert results[0] == {"type": "tool_result", "tool_use_id": "t1", "is_error": False, "content": "buy milk"}
    assert results[1]["is_error"] and "outside the workspace" in results[1]["content"]
    assert results[2]["is_error"] and "invalid input for read" in results[2]["content"]
    assert {t.name for t in model.requests[0].tools} == {"read", "write", "edit", "ls"}
    assert model.requests[0].system == "SYSTEM"
    tool_events = [p["data"]["phase"] for n, p in events if n == "agent" and p["stream"] == "tool"]
    assert tool_events == ["start", "result"] * 3
    roles = [m["role"] for m in load(transcript.path).messages]
    assert roles == ["user", "assistant", "toolResult", "toolResult", "toolResult", "assistant"]


async def test_model_error_ends_with_error_event(tmp_path):
    events, ctx, transcript, history, tools = setup(tmp_path)
    result = await run_turn(ctx, ScriptedModel([ModelError("rate_limit", "slow down", status=429)]), tools,
                            transcript, history)
    last = [p for n, p in events if n == "chat"][-1]
    assert last["state"] == "error" and last["errorMessage"] == "slow down" and last["errorKind"] == "rate_limit"
    assert result.status == "error"


async def test_abort_records_partial_reply_and_reraises(tmp_path):
    events, ctx, transcript, history, tools = setup(tmp_path)
    model = ScriptedModel(["partial ", "answer", ("sleep", 30), "never"])
    task = asyncio.create_task(run_turn(ctx, model, tools, transcript, history))
    while not any(p.get("deltaText") == "partial answer" for n, p in events if n == "chat"):
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert model.closed == 1  # the stream was closed
    chat = [p for n, p in events if n == "chat"]
    assert chat[-1]["state"] == "aborted"
    stored = load(transcript.path).messages
    assert stored[-1]["stopReason"] == "aborted" and stored[-1]["content"][0]["text"] == "partial answer"
