"""Keep the gateway's wake-word triggers (``voicewake``) current for the pipeline.

On every (re)connect of the link it reads ``voicewake.get``; afterwards each
``voicewake.changed`` event replaces the list, so an edit on a phone or in the settings
window applies to the next utterance without a restart. Until the first answer the
defaults from :mod:`openclaw_desktop.voice.triggers` apply. The pipeline reads
:attr:`TriggerWatcher.triggers` through a callable on each segment.

Must not import Qt or any engine library.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from openclaw_desktop.voice.triggers import DEFAULT_TRIGGERS

log = logging.getLogger(__name__)


class TriggerLink(Protocol):
    """The part of ``remote.link.GatewayLink`` this uses."""

    async def call(self, method: str, params: dict[str, Any] | None = None, *, expect_final: bool = False,
                   timeout_s: float = 30.0) -> Any: ...

    def add_event_listener(self, cb: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]: ...

    def add_state_listener(self, cb: Callable[[str, str | None], None]) -> Callable[[], None]: ...


class TriggerWatcher:
    """The current trigger list; :meth:`start` subscribes, :meth:`close` unsubscribes."""

    def __init__(self, link: TriggerLink, on_change: Callable[[tuple[str, ...]], None] = lambda _t: None) -> None:
        self.link = link
        self.triggers: tuple[str, ...] = DEFAULT_TRIGGERS
        self.on_change = on_change
        self._removers: list[Callable[[], None]] = []
        self._fetch: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Listen for changes and fetch the list now and after each reconnect."""
        self._removers = [self.link.add_event_listener(self._on_event),
                          self.link.add_state_listener(self._on_state)]
        self._refresh()

    def _on_event(self, event: str, payload: dict[str, Any]) -> None:
        if event == "voicewake.changed":
            self._set(payload.get("triggers"))

    def _on_state(self, state: str, _error: str | None) -> None:
        if state == "connected":
            self._refresh()  # changes made while we were away arrive with no event

    def _refresh(self) -> None:
        if self._fetch is None or self._fetch.done():
            self._fetch = asyncio.get_running_loop().create_task(self._get(), name="voicewake.get")

    async def _get(self) -> None:
        try:
            result = await self.link.call("voicewake.get", {})
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - not connected yet: the state listener fetches later
            log.debug("voicewake.get failed: %s", exc)
            return
        self._set(result.get("triggers") if isinstance(result, dict) else None)

    def _set(self, raw: Any) -> None:
        if not isinstance(raw, list):
            return
        triggers = tuple(t.strip() for t in raw if isinstance(t, str) and t.strip())
        if triggers and triggers != self.triggers:
            self.triggers = triggers
            self.on_change(triggers)

    async def close(self) -> None:
        """Unsubscribe and stop a fetch in flight."""
        for remove in self._removers:
            remove()
        self._removers = []
        fetch, self._fetch = self._fetch, None
        if fetch is not None and not fetch.done():
            fetch.cancel()
            try:
                await fetch
            except asyncio.CancelledError:
                if asyncio.current_task() is not None and asyncio.current_task().cancelling():  # type: ignore[union-attr]
                    raise
