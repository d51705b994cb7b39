"""Hand-written fakes for agent unit tests (the real adapter is tested against a real
HTTP server in tests/agent/llm)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from openclaw_desktop.agent.llm.port import (
    MessageDone,
    ModelError,
    ModelEvent,
    ModelRequest,
    TextDelta,
    ToolUseBlock,
    Usage,
)


class ScriptedModel:
    """Plays back one scripted message per call and records every request."""

    def __init__(self, *turns: list[Any]) -> None:
        self.turns = list(turns)
        self.requests: list[ModelRequest] = []
        self.closed = 0

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        self.requests.append(request)
        steps = self.turns.pop(0)
        try:
            stop = "end_turn"
            for step in steps:
                if isinstance(step, str):
                    yield TextDelta(step)
                elif isinstance(step, tuple) and step[0] == "tool":
                    stop = "tool_use"
                    yield ToolUseBlock(step[1], step[2], step[3])
                elif isinstance(step, tuple) and step[0] == "sleep":
                    await asyncio.sleep(step[1])
                elif isinstance(step, ModelError):
                    raise step
            yield MessageDone(stop, Usage(10, 5), "fake-1")
        finally:
            self.closed += 1


def recorder() -> tuple[list[tuple[str, dict[str, Any]]], Any]:
    events: list[tuple[str, dict[str, Any]]] = []
    return events, lambda name, payload: events.append((name, payload))
