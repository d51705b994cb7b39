"""Fixtures for the Qt tests: ``qloop``, a qasync (Qt + asyncio) loop on pytest-qt's app."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import qasync  # type: ignore[import-untyped]


@pytest.fixture
def qloop(qapp) -> Iterator[asyncio.AbstractEventLoop]:
    qapp.setQuitOnLastWindowClosed(False)  # as in the app: a closing dialog must not stop the loop
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
        asyncio.set_event_loop(None)
