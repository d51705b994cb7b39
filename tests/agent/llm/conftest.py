"""Fixtures for the model adapter tests: a fake Anthropic server and a recording sleep."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from openclaw_desktop.agent.llm.anthropic_adapter import AnthropicModel
from openclaw_desktop.agent.llm.port import ModelEvent, ModelRequest
from tests.support.fake_anthropic import FakeAnthropic


class RecordingSleep:
    """Stands in for ``asyncio.sleep``: records each delay and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def api() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        yield server


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def model(api: FakeAnthropic, sleeps: RecordingSleep) -> AsyncIterator[AnthropicModel]:
    # rng=0.0 takes the jitter out, so backoff delays are exact: 0.5, 1, 2, 4…
    async with AnthropicModel("sk-test", api.base_url, sleep=sleeps, rng=lambda: 0.0) as m:
        yield m


def request(text: str = "hello", **kw: object) -> ModelRequest:
    return ModelRequest(model="claude-test", system="be brief",
                        messages=[{"role": "user", "content": [{"type": "text", "text": text}]}],
                        **kw)  # type: ignore[arg-type]


async def collect(model: AnthropicModel, req: ModelRequest | None = None) -> list[ModelEvent]:
    return [event async for event in model.stream(req or request())]
