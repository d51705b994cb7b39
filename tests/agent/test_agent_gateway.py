"""The agent through the real gateway, the real Anthropic SDK and the fake model server:
tool loops, the system prompt, abort, per-session queueing, skills.status."""

from __future__ import annotations

import json

import pytest

from openclaw_desktop.app import build_gateway
from openclaw_desktop.config.service import Overrides
from tests.conftest import TOKEN, connect
from tests.support.anthropic_script import Text, ToolUse, Turn
from tests.support.fake_anthropic import FakeAnthropic

RW = ["operator.read", "operator.write"]


@pytest.fixture
async def api():
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
async def gw(paths, api, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    (paths.state_dir / "exec-approvals.json").write_text(json.dumps(
        {"version": 1, "agents": {"main": {"allowlist": [{"pattern": "/usr/bin/echo"}]}}}))
    gateway = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    yield gateway
    await gateway.close()


async def until(client, run_id: str, states=("final", "error", "aborted")) -> dict:
    while True:
        event = await client.next_event("chat", timeout=20)
        if event["payload"]["runId"] == run_id and event["payload"]["state"] in states:
            return event["payload"]


async def test_tool_loop_through_the_real_sdk(gw, api):
    (gw.exec_service.workspace / "memory" / "2026-11-01.md").write_text("- The user's cat is called Miso\n")
    api.push(Turn([Text("Checking."), ToolUse("t1", "memory_search", {"query": "cat name"}),
                   ToolUse("t2", "exec", {"command": "echo tool ran"}),
                   ToolUse("t3", "write", {"path": "notes/cat.txt", "content": "Miso"})]))
    api.push(Turn([Text(["Your cat ", "is Miso."])]))
    async with connect(gw, scopes=RW) as c:
        await c.call("chat.send", {"sessionKey": "main", "message": "what is my cat called?", "idempotencyKey": "a1"})
        final = await until(c, "a1")
    assert final["state"] == "final" and final["message"]["content"][0]["text"].endswith("Your cat is Miso.")
    results = {b["tool_use_id"]: b for b in api.requests[1]["messages"][-1]["content"] if b["type"] == "tool_result"}
    assert "memory/2026-11-01.md:1" in json.dumps(results["t1"]) and "Miso" in json.dumps(results["t1"])
    assert "tool ran" in json.dumps(results["t2"]) and not results["t2"]["is_error"]
    assert (gw.exec_service.workspace / "notes" / "cat.txt").read_text() == "Miso"
    first = api.requests[0]
    assert {t["name"] for t in first["tools"]} >= {"exec", "read", "write", "edit", "ls", "memory_search",
                                                   "memory_get", "web_fetch"}
    system = first["system"] if isinstance(first["system"], str) else json.dumps(first["system"])
    assert "# Operating instructions" in system and "git-helper" in system  # AGENTS.md + a bundled skill


async def test_abort_mid_stream_closes_the_model_stream(gw, api):
    api.push(Turn([Text(["tick "] * 100, delay_s=0.05)]))
    async with connect(gw, scopes=RW) as c:
        await c.call("chat.send", {"sessionKey": "main", "message": "count", "idempotencyKey": "b1"})
        while "tick tick" not in (await c.next_event("chat"))["payload"].get("deltaText", ""):
            pass
        result = await c.call("chat.abort", {"sessionKey": "main"})
        assert result == {"ok": True, "aborted": True, "runIds": ["b1"]}
        aborted = await until(c, "b1")
        assert aborted["state"] == "aborted"
        assert await api.wait_for_disconnects_async(1)
        history = await c.call("chat.history", {"sessionKey": "main"})
        assert history["messages"][-1]["stopReason"] == "aborted"


async def test_one_run_per_session_but_sessions_in_parallel(gw, api):
    api.push(Turn([Text(["a"] * 10, delay_s=0.05)]))
    async with connect(gw, scopes=RW) as c:
        await c.call("chat.send", {"sessionKey": "s1", "message": "one", "idempotencyKey": "q1"})
        while (await c.next_event("chat"))["payload"]["runId"] != "q1":  # q1 has the slow reply
            pass
        await c.call("chat.send", {"sessionKey": "s1", "message": "two", "idempotencyKey": "q2"})
        await c.call("chat.send", {"sessionKey": "s2", "message": "other", "idempotencyKey": "q3"})
        order = []
        while len(order) < 3:
            event = await c.next_event("chat", timeout=20)
            if event["payload"]["state"] == "final" and event["payload"]["runId"] not in order:
                order.append(event["payload"]["runId"])
        assert order.index("q3") < order.index("q1") < order.index("q2")
        texts = [m["content"][0]["text"] for m in (await c.call("chat.history", {"sessionKey": "s1"}))["messages"]]
        assert texts == ["one", "a" * 10, "two", "echo: two"]


async def test_model_errors_reach_the_client(gw, api):
    api.push_error(401, "invalid x-api-key")
    async with connect(gw, scopes=RW) as c:
        await c.call("chat.send", {"sessionKey": "main", "message": "hi", "idempotencyKey": "e1"})
        error = await until(c, "e1")
    assert error["state"] == "error" and "x-api-key" in error["errorMessage"]


async def test_skills_status_lists_bundled_skills(gw):
    async with connect(gw, scopes=["operator.read"]) as c:
        status = await c.call("skills.status", {})
    names = {s["name"] for s in status["skills"]}
    assert {"git-helper", "system-info", "web-research"} <= names
    assert status["workspaceDir"] == str(gw.exec_service.workspace)
    assert all(s["source"] == "openclaw-bundled" for s in status["skills"])


async def test_model_change_in_config_applies_to_the_next_turn(gw, api):
    async with connect(gw, scopes=["operator.admin"]) as c:
        await c.call("chat.send", {"sessionKey": "main", "message": "one", "idempotencyKey": "m1"})
        await until(c, "m1")
        base = (await c.call("config.get"))["hash"]
        await c.call("config.patch", {"raw": json.dumps({"agents": {"defaults": {"model": {"primary":
                                                                                   "claude-live-edit"}}}}),
                                      "baseHash": base})
        await c.call("chat.send", {"sessionKey": "main", "message": "two", "idempotencyKey": "m2"})
        await until(c, "m2")
    assert api.requests[0]["model"] != "claude-live-edit"
    assert api.requests[-1]["model"] == "claude-live-edit"
