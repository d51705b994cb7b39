"""The LanguageModel port over Anthropic's streaming Messages API.

The only module in the project that imports ``anthropic``. It only pumps: stream
events go to the sans-I/O :class:`StreamAssembler`, failures to the pure policy in
:mod:`failures`. The SDK's own retries are disabled so that ours can (a) announce each
wait with a :class:`RetryNotice` and (b) refuse to replay a message that has already
yielded events to the caller.

Cancellation: cancelling the consuming task while it awaits the next event closes the
HTTP response (``async with`` on the SDK stream) and re-raises ``CancelledError``; a
pending backoff sleep is cancelled the same way. Consumers that may stop early should
wrap the iterator in ``contextlib.aclosing`` so the stream closes at once, not at GC.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Self

import anthropic

from openclaw_desktop.agent.llm.failures import (
    BackoffPolicy,
    Failure,
    classify_status,
    parse_retry_after,
)
from openclaw_desktop.agent.llm.port import (
    ModelEvent,
    ModelRequest,
    RetryNotice,
    ToolSpec,
)
from openclaw_desktop.agent.llm.stream_assembler import StreamAssembler

#: Root packages of the HTTP stack under the SDK. Errors raised while *reading* the
#: stream body come straight from there (the SDK wraps only the request phase), and
#: which one it is depends on the SDK version (httpx, or httpx2 in anthropic 2.x).
_TRANSPORT_ROOTS = frozenset({"httpx", "httpx2", "httpcore", "httpcore2", "h11", "anyio"})


class AnthropicModel:
    """:class:`~openclaw_desktop.agent.llm.port.LanguageModel` backed by ``AsyncAnthropic``.

    ``max_retries`` counts retries after the first attempt, so a call makes at most
    ``max_retries + 1`` attempts; a :class:`RetryNotice` carries ``attempt`` (the
    number of the attempt about to start, 2 for the first retry) and ``max_attempts``.
    Retried: 429, 5xx, 529/``overloaded_error`` and connection failures, and only
    while no event has been yielded for this message. Timeouts are not retried: one
    already cost ``timeout_s``. ``sleep`` and ``rng`` are injectable so tests neither
    wait nor depend on chance. Call :meth:`aclose` (or use ``async with``) when done.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str | None = None,
        *,
        max_retries: int = 4,
        base_delay_s: float = 0.5,
        max_delay_s: float = 20.0,
        timeout_s: float = 120.0,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout_s
        )
        self._policy = BackoffPolicy(max_retries, base_delay_s, max_delay_s)
        self._sleep = sleep
        self._rng = rng

    async def aclose(self) -> None:
        """Close the SDK's HTTP connection pool."""
        await self._client.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        """Stream one assistant message; see the port module for the event contract."""
        params = request_params(request)
        attempt = 1
        while True:
            assembler = StreamAssembler()
            yielded = False
            failure: Failure | None = None
            cause: BaseException | None = None
            try:
                stream = await self._client.messages.create(**params)
                async with stream:
                    async for raw in stream:
                        for event in assembler.feed(_as_dict(raw)):
                            yielded = True
                            yield event
            except anthropic.APIError as exc:
                failure, cause = _sdk_failure(exc), exc
            except Exception as exc:
                failure, cause = _transport_failure(exc), exc
                if failure is None:
                    raise
            # MessageDone goes out after the response is closed, so the connection is
            # back in the pool before the caller acts on it. A message that reached
            # message_stop is complete even if the body's last bytes were then lost.
            if assembler.done is not None:
                yield assembler.done
                return
            if failure is None:
                failure = Failure("connection", "stream ended before message_stop",
                                  retry_reason="connection")
            delay = None
            if not yielded and failure.retry_reason is not None:
                delay = self._policy.delay_s(attempt, failure.retry_after_s, self._rng())
            if delay is None:
                raise failure.to_error() from cause
            attempt += 1
            yield RetryNotice(attempt=attempt, max_attempts=self._policy.max_retries + 1,
                              delay_s=delay, reason=failure.retry_reason or "")
            await self._sleep(delay)


def request_params(request: ModelRequest) -> dict[str, Any]:
    """The ``messages.create`` keyword arguments for ``request`` (streaming)."""
    params: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_tokens,
        "messages": [dict(m) for m in request.messages],
        "stream": True,
    }
    if request.system:
        params["system"] = request.system
    if request.tools:
        params["tools"] = [tool_param(t) for t in request.tools]
    return params


def tool_param(tool: ToolSpec) -> dict[str, Any]:
    """One entry of the API's ``tools`` list."""
    return {"name": tool.name, "description": tool.description,
            "input_schema": tool.input_schema}


def _as_dict(event: Any) -> Mapping[str, Any]:
    return event if isinstance(event, Mapping) else event.model_dump()


def _sdk_failure(exc: anthropic.APIError) -> Failure:
    if isinstance(exc, anthropic.APITimeoutError):
        return Failure("timeout", "the model request timed out")
    if isinstance(exc, anthropic.APIConnectionError):
        return Failure("connection", f"cannot reach the model API: {exc.message}",
                       retry_reason="connection")
    status = exc.status_code if isinstance(exc, anthropic.APIStatusError) else None
    error_type, message = _error_body(exc.body, exc.message)
    kind, reason = classify_status(status, error_type, message)
    retry_after = None
    if isinstance(exc, anthropic.APIStatusError):
        headers = {k.lower(): v for k, v in exc.response.headers.items()}
        retry_after = parse_retry_after(headers, now=time.time())
    # An error event inside a 200 stream has no meaningful HTTP status of its own.
    return Failure(kind, message, status=status if status and status >= 400 else None,
                   retry_reason=reason, retry_after_s=retry_after)


def _error_body(body: object, fallback: str) -> tuple[str | None, str]:
    """``(error.type, error.message)`` from ``{"type": "error", "error": {...}}``."""
    error = body.get("error", body) if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return None, fallback
    etype = error.get("type")
    message = error.get("message")
    return (etype if isinstance(etype, str) else None,
            message if isinstance(message, str) and message else fallback)


def _transport_failure(exc: Exception) -> Failure | None:
    if type(exc).__module__.split(".")[0] not in _TRANSPORT_ROOTS:
        return None
    if "Timeout" in type(exc).__name__:
        return Failure("timeout", "the model stream timed out")
    return Failure("connection", f"model stream interrupted: {exc!r}",
                   retry_reason="connection")
