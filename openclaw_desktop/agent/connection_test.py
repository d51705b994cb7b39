"""Settings → AI → "Test connection": one real Messages API request, and what came of it.

The request goes through the same adapter the agent uses
(:class:`~openclaw_desktop.agent.llm.anthropic_adapter.AnthropicModel`, the only module
that imports ``anthropic``), with retries off so a wrong key or a dead endpoint shows
at once, and a short reply limit so a working key costs next to nothing. The result is
words for the user plus the latency; the key itself never appears in it.

The adapter is imported on first use, in a worker thread: the SDK takes longer to import
than the gateway takes to start, and most app runs never press the button. Must not import Qt.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from openclaw_desktop.agent.llm.port import (
    MessageDone,
    ModelError,
    ModelRequest,
    TextDelta,
)

PROBE_TEXT = "Reply with the single word: pong"
PROBE_MAX_TOKENS = 16
DEFAULT_TIMEOUT_S = 20.0
DEFAULT_BASE_URL = "https://api.anthropic.com"

_HINTS = {
    "auth": "the API key was refused; check it, or paste a new one",
    "bad_request": "the endpoint rejected the request (is the model name right?)",
    "rate_limit": "the key works but is rate limited right now",
    "connection": "cannot reach the endpoint; check the base URL and your network",
    "timeout": "the endpoint did not answer in time",
    "server": "the endpoint reported a server error",
}


@dataclass(frozen=True, slots=True)
class ConnectionResult:
    """``ok`` with a sentence for the user; ``latency_ms`` from send to the complete reply."""

    ok: bool
    message: str
    latency_ms: int | None = None
    kind: str | None = None
    """The :class:`ModelError` kind on failure (auth, connection, …), None on success."""
    reply: str = ""


async def check_connection(api_key: str, base_url: str | None, model: str, *,
                           timeout_s: float = DEFAULT_TIMEOUT_S,
                           clock: Callable[[], float] = time.monotonic) -> ConnectionResult:
    """Send one short request to ``model`` at ``base_url`` (None: Anthropic's API).

    Never raises for a failed request (the result says what failed); cancellation
    closes the HTTP stream and propagates.
    """
    key = api_key.strip()
    if not key:
        return ConnectionResult(False, "no API key: paste one first", kind="auth")
    model = model.strip().removeprefix("anthropic/")
    if not model:
        return ConnectionResult(False, "no model name given", kind="bad_request")
    where = base_url.strip() if base_url and base_url.strip() else None
    # Imported in a worker thread: the first import of the SDK takes seconds, and the
    # caller is usually a UI whose loop must keep painting meanwhile.
    adapter = await asyncio.to_thread(importlib.import_module, "openclaw_desktop.agent.llm.anthropic_adapter")
    model_class = adapter.AnthropicModel

    request = ModelRequest(model=model, system="", max_tokens=PROBE_MAX_TOKENS,
                           messages=[{"role": "user", "content": [{"type": "text", "text": PROBE_TEXT}]}])
    started = clock()
    text: list[str] = []
    try:
        async with model_class(key, where, max_retries=0, timeout_s=timeout_s) as client:
            async with asyncio.timeout(timeout_s):
                async for event in client.stream(request):
                    if isinstance(event, TextDelta):
                        text.append(event.text)
                    elif isinstance(event, MessageDone):
                        latency = round((clock() - started) * 1000)
                        answered = event.model or model
                        return ConnectionResult(True, f"{answered} answered in {latency} ms", latency,
                                                reply="".join(text).strip())
    except ModelError as exc:
        return _failure(exc.kind, str(exc), where, exc.status, clock() - started)
    except TimeoutError:
        return _failure("timeout", f"no complete reply within {timeout_s:g} s", where, None, clock() - started)
    return _failure("connection", "the stream ended without a reply", where, None, clock() - started)


def _failure(kind: str, detail: str, base_url: str | None, status: int | None, elapsed_s: float) -> ConnectionResult:
    hint = _HINTS.get(kind, "the request failed")
    status_text = f"HTTP {status}: " if status else ""
    message = f"{hint} ({base_url or DEFAULT_BASE_URL}: {status_text}{detail})"
    return ConnectionResult(False, message, round(elapsed_s * 1000), kind=kind)
