"""Settings → AI → Test connection: one real request to the fake Anthropic server."""

from __future__ import annotations

import socket

from openclaw_desktop.agent.connection_test import PROBE_MAX_TOKENS, check_connection
from tests.support.fake_anthropic import FakeAnthropic


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_ok_against_the_fake_server() -> None:
    async with FakeAnthropic() as api:
        result = await check_connection("sk-test-123", api.base_url, "anthropic/claude-test")
        assert result.ok, result.message
        assert result.kind is None and result.latency_ms is not None and result.latency_ms >= 0
        assert result.message.startswith("claude-test answered in ") and result.message.endswith(" ms")
        assert "echo:" in result.reply  # the fake echoes the probe text
        (body,) = api.requests
        assert body["model"] == "claude-test" and body["max_tokens"] == PROBE_MAX_TOKENS and body["stream"] is True
        headers = api.request_headers[0]  # SDK 0.x: x-api-key; 2.x: a Bearer token
        assert "sk-test-123" in (headers.get("x-api-key"), headers.get("authorization", "")[7:])


async def test_refused_key_is_one_request_and_says_so() -> None:
    async with FakeAnthropic() as api:
        api.push_error(401, "invalid x-api-key", error_type="authentication_error")
        result = await check_connection("sk-wrong", api.base_url, "claude-test")
        assert not result.ok and result.kind == "auth"
        assert "API key was refused" in result.message and "HTTP 401" in result.message
        assert "sk-wrong" not in result.message
        assert len(api.requests) == 1


async def test_server_errors_are_not_retried() -> None:
    async with FakeAnthropic() as api:
        api.push_error(529, "overloaded", error_type="overloaded_error")
        result = await check_connection("sk-test", api.base_url, "claude-test")
        assert not result.ok and result.kind == "server" and len(api.requests) == 1


async def test_closed_port_gives_a_clear_error() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    result = await check_connection("sk-test", url, "claude-test", timeout_s=5)
    assert not result.ok and result.kind == "connection"
    assert result.message.startswith("cannot reach the endpoint") and url in result.message


async def test_missing_key_or_model_needs_no_request() -> None:
    result = await check_connection("  ", "http://127.0.0.1:9", "claude-test")
    assert not result.ok and result.kind == "auth" and "no API key" in result.message
    result = await check_connection("sk", None, " ")
    assert not result.ok and result.kind == "bad_request"
