"""Chat RPCs over real sockets when no model is configured: the app still runs and the
turn ends with a clear, user-facing error event."""

from __future__ import annotations

import pytest

from openclaw_desktop.client.gateway_client import RpcError
from tests.conftest import connect

RW = ["operator.read", "operator.write"]


async def test_no_key_gives_a_clear_error_event(gateway):
    async with connect(gateway, scopes=RW) as c:
        ack = await c.call("chat.send", {"sessionKey": "main", "message": "hello", "idempotencyKey": "k1"})
        assert ack == {"runId": "k1", "status": "started"}
        event = await c.next_event("chat")
        assert event["payload"]["state"] == "error" and event["payload"]["runId"] == "k1"
        assert event["payload"]["errorMessage"].startswith("no model configured")
        assert "ANTHROPIC_API_KEY" in event["payload"]["errorMessage"]
        again = await c.call("chat.send", {"sessionKey": "main", "message": "hello", "idempotencyKey": "k1"})
        assert again == {"runId": "k1", "status": "ok"}  # deduplicated, not run twice
        history = await c.call("chat.history", {"sessionKey": "agent:main:main"})
        assert [m["role"] for m in history["messages"]] == ["user"]
        assert history["messages"][0]["content"][0]["text"] == "hello"
        final = await c.call("agent", {"message": "hi", "idempotencyKey": "k2"}, expect_final=True)
        assert final["status"] == "error" and "no model configured" in final["summary"]


async def test_chat_param_errors_and_scopes(gateway):
    async with connect(gateway, scopes=["operator.read"]) as reader:
        with pytest.raises(RpcError, match="missing scope: operator.write"):
            await reader.call("chat.send", {"sessionKey": "main", "message": "x", "idempotencyKey": "a"})
        assert (await reader.call("chat.history", {"sessionKey": "main"}))["messages"] == []
    async with connect(gateway, scopes=["operator.write"]) as writer:
        with pytest.raises(RpcError, match="idempotencyKey"):
            await writer.call("chat.send", {"sessionKey": "main", "message": "x"})
        with pytest.raises(RpcError, match="NUL"):
            await writer.call("chat.send", {"sessionKey": "main", "message": "a\x00b", "idempotencyKey": "b"})


async def test_sessions_list_patch_reset_delete(gateway):
    async with connect(gateway, scopes=RW) as c:
        await c.call("chat.send", {"sessionKey": "work", "message": "note this", "idempotencyKey": "s1"})
        await c.next_event("chat")
        listing = await c.call("sessions.list", {})
        assert [r["key"] for r in listing["sessions"]] == ["agent:main:work"] and listing["hasMore"] is False
        patched = await c.call("sessions.patch", {"key": "work", "label": "Work", "model": "anthropic/claude-x"})
        assert patched["label"] == "Work" and patched["model"] == "claude-x"
        await c.call("sessions.reset", {"key": "work"})
        assert (await c.call("chat.history", {"sessionKey": "work"}))["messages"] == []
        assert (await c.call("sessions.delete", {"key": "work"}))["deleted"] is True
        assert (await c.call("sessions.list", {}))["sessions"] == []
