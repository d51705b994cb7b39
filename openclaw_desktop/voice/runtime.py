"""The voice pipeline as a service an app starts and stops, over its GatewayLink.

:class:`VoiceRuntime` reads the ``voice`` settings through ``config.get`` (so it works
the same for the gateway hosted in this process and for one the app is attached to),
keeps the gateway's trigger words current, loads the engines in an executor (about a
second; they are imported only now), and runs :class:`VoicePipeline` as a task. Edits of
the config apply to the next utterance (``config.changed`` → reread → ``update_settings``).

Shutdown order in :meth:`stop`: the pipeline (a reply in progress is aborted) → pending
``chat.abort`` calls → the audio devices → trigger sync. The link itself belongs to the
caller. Used by ``openclaw-desktop voice`` and by the tray app. Must not import Qt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from openclaw_desktop.errors import ConfigError
from openclaw_desktop.voice.chimes import ChimeSet, load_chimes
from openclaw_desktop.voice.events import VoiceEvent
from openclaw_desktop.voice.pipeline import (
    PipelineEngines,
    PipelineOptions,
    VoicePipeline,
)
from openclaw_desktop.voice.pipeline_config import DEFAULT_OPTIONS
from openclaw_desktop.voice.responder import GatewayResponder
from openclaw_desktop.voice.settings import VoiceSettings, parse_voice_settings
from openclaw_desktop.voice.trigger_sync import TriggerWatcher

log = logging.getLogger(__name__)

EnginesFactory = Callable[[VoiceSettings], Any]
"""Builds the engines (blocking; run in an executor): an object with the attributes of
:class:`PipelineEngines` and a ``close()``, like ``voice.engines.build_engines``."""


class RuntimeLink(Protocol):
    """The part of ``remote.link.GatewayLink`` the runtime uses."""

    async def call(self, method: str, params: dict[str, Any] | None = None, *, expect_final: bool = False,
                   timeout_s: float = 30.0) -> Any: ...

    def add_event_listener(self, cb: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]: ...

    def add_state_listener(self, cb: Callable[[str, str | None], None]) -> Callable[[], None]: ...


def real_engines(settings: VoiceSettings) -> Any:
    """openWakeWord, Silero VAD, faster-whisper, Piper and sounddevice (imported now)."""
    from openclaw_desktop.voice.engines import build_engines

    return build_engines(settings)


async def settings_from_link(link: RuntimeLink) -> VoiceSettings:
    """The ``voice`` section of the gateway's config (ConfigError when it is invalid)."""
    view = await link.call("config.get")
    view = view if isinstance(view, dict) else {}
    return parse_voice_settings(str(view.get("path") or "gateway config"), view.get("parsed") or {})


class VoiceRuntime:
    """See the module docstring. ``adjust`` may change the settings read (the headless
    command switches the wake word on)."""

    def __init__(self, link: RuntimeLink, on_event: Callable[[VoiceEvent], None], *,
                 engines: EnginesFactory = real_engines,
                 adjust: Callable[[VoiceSettings], VoiceSettings] = lambda s: s,
                 options: PipelineOptions = DEFAULT_OPTIONS, chimes: ChimeSet | None = None,
                 on_config_error: Callable[[ConfigError], None] = lambda _e: None) -> None:
        self.link = link
        self.on_event = on_event
        self.engines_factory = engines
        self.adjust = adjust
        self.options = options
        self.chimes = chimes
        self.on_config_error = on_config_error
        """Called when an edited voice section is invalid (the old settings stay)."""
        self.pipeline: VoicePipeline | None = None
        """The running pipeline (its controls: pause, push_to_talk, set_talk_mode …)."""
        self.triggers = TriggerWatcher(link)
        self._engines: Any = None
        self._responder: GatewayResponder | None = None
        self._task: asyncio.Task[None] | None = None
        self._reload: asyncio.Task[None] | None = None
        self._remove: Callable[[], None] | None = None

    async def start(self) -> None:
        """Read the settings, load the engines, start listening.

        Raises ConfigError (invalid ``voice`` section), ImportError (the voice extra is not
        installed), ValueError/OSError (a model path is wrong), ``LinkDown``.
        """
        settings = self.adjust(await settings_from_link(self.link))
        self.triggers.start()
        loop = asyncio.get_running_loop()
        self._engines = await loop.run_in_executor(None, self.engines_factory, settings)
        self._responder = GatewayResponder(self.link, settings.session_key)
        self.pipeline = VoicePipeline(PipelineEngines.of(self._engines), self._responder, settings, self.on_event,
                                      triggers=lambda: self.triggers.triggers,
                                      chimes=self.chimes if self.chimes is not None else load_chimes(),
                                      options=self.options)
        self._remove = self.link.add_event_listener(self._on_gateway_event)
        self._task = loop.create_task(self.pipeline.run(), name="voice pipeline")

    async def wait(self) -> None:
        """Until the pipeline ends (after :meth:`request_stop`)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    def request_stop(self) -> None:
        """Ask the pipeline to end (safe from a signal handler on the loop)."""
        if self.pipeline is not None:
            self.pipeline.stop()

    async def stop(self) -> None:
        """Ordered shutdown (idempotent); see the module docstring."""
        if self._remove is not None:
            self._remove()
            self._remove = None
        if self._reload is not None and not self._reload.done():
            self._reload.cancel()
        try:
            if self._task is not None:
                self.request_stop()
                await asyncio.gather(self._task, return_exceptions=True)
                self._task = None
            if self._responder is not None:
                await self._responder.aclose()  # the abort of a cut-off reply goes out first
        finally:
            engines, self._engines = self._engines, None
            if engines is not None:
                engines.close()  # releases the microphone and the speaker
            await self.triggers.close()

    def _on_gateway_event(self, name: str, _payload: dict[str, Any]) -> None:
        if name == "config.changed" and (self._reload is None or self._reload.done()):
            self._reload = asyncio.get_running_loop().create_task(self._reload_settings(), name="voice settings")

    async def _reload_settings(self) -> None:
        try:
            settings = self.adjust(await settings_from_link(self.link))
        except ConfigError as exc:
            self.on_config_error(exc)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the link dropped: the next change rereads
            log.info("could not reread the voice settings: %s", exc)
            return
        if self.pipeline is not None:
            self.pipeline.update_settings(settings)
