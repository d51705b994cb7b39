"""Retries and error mapping of the Anthropic adapter, against the fake server.

The injected sleep records each delay and returns at once, so the tests are fast and
can assert the exact waits (jitter is pinned to 0 by the ``model`` fixture).
"""

from __future__ import annotations

import asyncio
import email.utils
import socket
import time

import pytest

from openclaw_desktop.agent.llm.anthropic_adapter import AnthropicModel
from openclaw_desktop.agent.llm.port import (
    MessageDone,
    ModelError,
    RetryNotice,
    TextDelta,
)
from tests.agent.llm.conftest import collect, request
from tests.support.anthropic_script import (
    Hangup,
    Pause,
    StreamError,
    Text,
    Truncate,
    Turn,
)


async def failure(model: AnthropicModel, seen: list[object] | None = None) -> ModelError:
    with pytest.raises(ModelError) as caught:
        async for event in model.stream(request()):
            if seen is not None:
                seen.append(event)
    return caught.value


async def test_429_honours_retry_after_seconds(api, model, sleeps):
    api.push_error(429, "slow down", retry_after="3")
    api.push(Turn([Text("ok")]))
    events = await collect(model)
    assert events[0] == RetryNotice(attempt=2, max_attempts=5, delay_s=3.0, reason="rate_limit")
    assert events[1:-1] == [TextDelta("ok")]
    assert sleeps.delays == [3.0]
    assert len(api.requests) == 2
    assert api.requests[0] == api.requests[1]  # the same request, replayed


async def test_429_honours_retry_after_ms_over_seconds(api, model, sleeps):
    api.push_error(429, retry_after="9", retry_after_ms="1250")
    await collect(model)
    assert sleeps.delays == [1.25]


async def test_429_honours_retry_after_as_http_date(api, model, sleeps):
    api.push_error(429, retry_after=email.utils.formatdate(time.time() + 4, usegmt=True))
    await collect(model)
    [delay] = sleeps.delays
    assert 2.5 <= delay <= 4.0  # the date has one-second resolution


async def test_retry_after_beyond_the_cap_fails_at_once(api, model, sleeps):
    api.push_error(429, "come back in a minute", retry_after="60")
    error = await failure(model)
    assert (error.kind, error.status, str(error)) == ("rate_limit", 429, "come back in a minute")
    assert sleeps.delays == [] and len(api.requests) == 1


async def test_529_overloaded_is_retried_with_backoff(api, model, sleeps):
    api.push_error(529, "Overloaded")
    api.push_error(529, "Overloaded")
    api.push(Turn([Text("finally")]))
    events = await collect(model)
    notices = [e for e in events if isinstance(e, RetryNotice)]
    assert [(n.attempt, n.reason) for n in notices] == [(2, "overloaded"), (3, "overloaded")]
    assert sleeps.delays == [0.5, 1.0]
    assert isinstance(events[-1], MessageDone)


async def test_notice_comes_before_its_sleep(api, sleeps):
    log: list[object] = []

    async def sleep(seconds: float) -> None:
        log.append(("sleep", seconds))

    api.push_error(503, "unavailable")
    async with AnthropicModel("k", api.base_url, sleep=sleep, rng=lambda: 0.0) as model:
        async for event in model.stream(request()):
            log.append(type(event).__name__)
    assert log[:3] == ["RetryNotice", ("sleep", 0.5), "TextDelta"]


async def test_5xx_exhausted_is_a_server_error(api, sleeps):
    for _ in range(3):
        api.push_error(500, "internal trouble")
    async with AnthropicModel("k", api.base_url, max_retries=2, base_delay_s=1.0,
                              sleep=sleeps, rng=lambda: 0.0) as model:
        error = await failure(model)
    assert (error.kind, error.status, str(error)) == ("server", 500, "internal trouble")
    assert sleeps.delays == [1.0, 2.0]
    assert len(api.requests) == 3  # the SDK itself did not retry


async def test_backoff_is_capped_at_max_delay(api, sleeps):
    for _ in range(5):
        api.push_error(502)
    async with AnthropicModel("k", api.base_url, max_retries=4, base_delay_s=1.0,
                              max_delay_s=3.0, sleep=sleeps, rng=lambda: 0.0) as model:
        assert (await failure(model)).kind == "server"
    assert sleeps.delays == [1.0, 2.0, 3.0, 3.0]


@pytest.mark.parametrize(
    ("status", "message", "kind"),
    [
        (401, "invalid x-api-key", "auth"),
        (403, "not allowed", "auth"),
        (400, "prompt is too long: 300000 tokens > 200000 maximum", "context_length"),
        (400, "messages.0.content: field required", "bad_request"),
        (404, "model: claude-nope", "bad_request"),
        (422, "unprocessable", "bad_request"),
    ],
)
async def test_client_errors_are_not_retried(api, model, sleeps, status, message, kind):
    api.push_error(status, message)
    seen: list[object] = []
    error = await failure(model, seen)
    assert (error.kind, error.status, str(error)) == (kind, status, message)
    assert seen == [] and sleeps.delays == [] and len(api.requests) == 1


async def test_no_retry_after_partial_output(api, model, sleeps):
    api.push(Turn([Text(["half a sen"]), Hangup()]))
    seen: list[object] = []
    error = await failure(model, seen)
    assert error.kind == "connection"
    assert seen == [TextDelta("half a sen")]  # never replayed
    assert sleeps.delays == [] and len(api.requests) == 1


async def test_overloaded_event_after_output_is_not_retried(api, model, sleeps):
    api.push(Turn([Text(["some"]), StreamError("overloaded_error", "Overloaded")]))
    error = await failure(model)
    assert (error.kind, error.status) == ("server", None)
    assert sleeps.delays == [] and len(api.requests) == 1


async def test_overloaded_event_before_output_is_retried(api, model, sleeps):
    api.push(Turn([StreamError("overloaded_error", "Overloaded")]))
    events = await collect(model)
    assert isinstance(events[0], RetryNotice) and events[0].reason == "overloaded"
    assert isinstance(events[-1], MessageDone) and len(api.requests) == 2


async def test_hangup_before_output_is_retried(api, model, sleeps):
    api.push(Turn([Hangup()]))
    events = await collect(model)
    assert isinstance(events[0], RetryNotice) and events[0].reason == "connection"
    assert isinstance(events[-1], MessageDone)


async def test_stream_ending_without_message_stop(api, model, sleeps):
    api.push(Turn([Truncate()]), Turn([Text("partial"), Truncate()]))
    seen: list[object] = []
    error = await failure(model, seen)  # retried once, then cut after output
    assert error.kind == "connection" and "message_stop" in str(error)
    assert [type(e).__name__ for e in seen] == ["RetryNotice", "TextDelta"]
    assert len(api.requests) == 2


async def test_connection_lost_after_message_stop_still_completes(api, model, sleeps):
    api.push(Turn([Text("done")], hangup_after_stop=True))
    events = await collect(model)
    assert events[0] == TextDelta("done") and isinstance(events[-1], MessageDone)
    assert sleeps.delays == []


async def test_connection_refused_is_retried_then_reported(sleeps):
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AnthropicModel("k", f"http://127.0.0.1:{port}", max_retries=2,
                              sleep=sleeps, rng=lambda: 0.0) as model:
        seen: list[object] = []
        error = await failure(model, seen)
    assert error.kind == "connection"
    assert [n.reason for n in seen] == ["connection", "connection"]  # type: ignore[attr-defined]


async def test_read_timeout_is_reported_without_retry(api, sleeps):
    api.push(Turn([Pause(2.0), Text("too late")]))
    async with AnthropicModel("k", api.base_url, timeout_s=0.2, sleep=sleeps) as model:
        error = await failure(model)
    assert error.kind == "timeout"
    assert sleeps.delays == [] and len(api.requests) == 1


async def test_cancelling_the_backoff_sleep_propagates(api):
    sleeping = asyncio.Event()

    async def sleep(seconds: float) -> None:
        sleeping.set()
        await asyncio.Event().wait()  # forever, until cancelled

    api.push_error(529)
    async with AnthropicModel("k", api.base_url, sleep=sleep) as model:
        task = asyncio.create_task(collect(model))
        await asyncio.wait_for(sleeping.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert len(api.requests) == 1
