"""Running a tab's coroutines from Qt slots, with references kept and errors shown.

Qt and asyncio share one loop (qasync), so a slot starts a coroutine with
:meth:`TaskRunner.spawn` and the coroutine updates widgets directly after each await.
The runner keeps every task referenced until it ends (asyncio keeps only weak ones),
turns a failure into one line for the tab's status label, and cancels what is left when
the window goes away. Cancellation is not an error and is not reported.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from openclaw_desktop.client.gateway_client import RpcError

log = logging.getLogger(__name__)


def describe_error(exc: BaseException) -> str:
    """One line for the user: the gateway's own message for RPC errors."""
    if isinstance(exc, RpcError):
        message = exc.error.get("message")
        return str(message) if message else str(exc)
    text = str(exc).strip()
    return text or type(exc).__name__


class TaskRunner:
    """Spawns coroutines on ``loop`` (default: the current event loop)."""

    def __init__(self, on_error: Callable[[str], None], loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._on_error = on_error
        self._loop = loop
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            try:
                self._loop = asyncio.get_running_loop()
            except RuntimeError:
                self._loop = asyncio.get_event_loop_policy().get_event_loop()
        return self._loop

    @property
    def busy(self) -> bool:
        """True while any spawned task is still running."""
        return any(not t.done() for t in self._tasks)

    def spawn(self, coro: Coroutine[Any, Any, Any], what: str = "") -> asyncio.Task[Any]:
        """Run ``coro``; a failure is reported as ``"<what>: <message>"``."""
        task = self.loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._finished(t, what))
        return task

    def _finished(self, task: asyncio.Task[Any], what: str) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        if not isinstance(exc, (RpcError, ConnectionError, OSError, TimeoutError, ValueError)):
            log.error("settings task failed", exc_info=exc)
        message = describe_error(exc)
        try:
            self._on_error(f"{what}: {message}" if what else message)
        except RuntimeError:  # the label was already deleted with its window
            pass

    def cancel_all(self) -> None:
        """Cancel every running task (the window is closing)."""
        for task in list(self._tasks):
            task.cancel()
