"""Voice in the tray app: the :class:`VoiceRuntime` started on demand on the app's loop,
its events routed to the tray, the talk overlay and notifications.

:class:`VoiceBridge` keeps the runtime running exactly while something needs it: voice
wake on (``voice.wake.enabled``), talk mode on, a push-to-talk waiting, or a
conversation still going on. Loading the engines takes seconds and a few hundred MB, so
nothing voice is imported or loaded at start-up; the runtime starts (in the background,
the tray stays usable) when one of those becomes true, and stops (microphone released)
when none is true any more.

Events go to: the tray (``listening`` / ``thinking`` / ``speaking`` / ``idle``; a missing
microphone or speaker as needing attention with the reason in the tooltip, and a tray
notification), and the :class:`~openclaw_desktop.ui.talk_overlay.TalkOverlay`, shown in
talk mode and while a wake-word or push-to-talk conversation runs, hidden a few seconds
after it ends. The overlay's click pauses/resumes the pipeline, its double-click stops
speaking, its X leaves talk mode. A missing device never crashes anything: the pipeline
retries and says when it is back.

Talk mode from the tray starts listening for a command without the wake word at once
and keeps the conversation going after each reply, until the user is silent for
``voice.talk_timeout_ms`` or presses X. Push-to-talk here is the tray action (and the
main window button): there is no global hotkey (see docs/voice.md).

Imports Qt; the voice modules and the overlay are imported when voice first starts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer
from shiboken6 import isValid

from .voice_extras import MicLevel, VoiceCatalog, scan_catalog, settings_extras
from .voice_status import (
    NOT_LISTENING,
    VOICE_INSTALL_HINT,
    device_back_bubble,
    device_missing_bubble,
    device_problem,
    engine_key,
    start_failure,
    tray_voice,
)

log = logging.getLogger(__name__)

OVERLAY_LINGER_MS = 4000
"""The overlay stays this long after a conversation ends, so the reply can be read."""


class VoiceHost(Protocol):
    """What the bridge drives in the app (``DesktopApp`` implements it)."""

    def set_voice_state(self, state: str, note: str | None = None) -> None: ...
    def set_voice_problem(self, problem: str | None) -> None: ...
    def set_talk_mode(self, on: bool) -> None: ...
    def show_message(self, title: str, body: str, *, warning: bool = False,
                     timeout_ms: int = 10_000) -> str | None: ...
    def explain(self, text: str) -> None: ...


class VoiceBridge(QObject):
    """See the module docstring. ``engines`` / ``options`` go to the runtime (tests inject
    fake engines); ``None`` means the real engines and the app's pipeline options."""

    def __init__(self, host: VoiceHost, state_dir: Path, *, engines: Callable[[Any], Any] | None = None,
                 options: Any = None, linger_ms: int = OVERLAY_LINGER_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host, self.state_dir = host, state_dir
        self._engines, self._options = engines, options
        self.link: Any = None
        self.runtime: Any = None
        """The running :class:`VoiceRuntime` (None while voice is off)."""
        self.overlay: Any = None
        """The talk overlay, built when voice first starts."""
        self.listeners: list[Callable[[Any], None]] = []
        """Further receivers of every pipeline event (diagnostics, tests)."""
        self.wake_enabled = False
        self.talk_active = False
        self.input_device: str | None = None
        self.stage = "stopped"
        self.problems: dict[str, str] = {}
        self.conversing = False
        self.ptt_pending = False
        self.dismissed = False
        self.failure: str | None = None
        """Why voice could not start (cleared by the next user action)."""
        self.mic_level = MicLevel(self._pipeline_mic, lambda: self.input_device, parent=self)
        self.engine_key: tuple[Any, ...] | None = None
        """The config values the engines are built from (a change rebuilds them)."""
        self._built_key: tuple[Any, ...] | None = None
        self._explain_failure = False
        self._closed = False
        self._sync_task: asyncio.Task[None] | None = None
        self.linger = QTimer(self)
        self.linger.setSingleShot(True)
        self.linger.setInterval(linger_ms)
        self.linger.timeout.connect(self._hide_overlay)

    # ---- what the app tells us ------------------------------------------------------------
    def attach(self, link: Any) -> None:
        """The app's gateway link exists now (voice calls and events go through it)."""
        self.link = link
        self._sync()

    def on_config(self, parsed: dict[str, Any] | None) -> None:
        """The gateway's config (``config.get`` ``parsed``) was read: follow the voice keys."""
        voice = parsed.get("voice") if isinstance(parsed, dict) else None
        voice = voice if isinstance(voice, dict) else {}
        wake = voice.get("wake")
        wake = wake if isinstance(wake, dict) else {}
        device = voice.get("input_device")
        self.input_device = str(device) if isinstance(device, str | int) and device != "" else None
        self.engine_key = engine_key(voice)
        if self._built_key is None and self.runtime is not None:
            self._built_key = self.engine_key  # started before the first read: it read the same config
        if self.runtime is not None and self.engine_key != self._built_key:
            self._sync()  # another microphone, voice or model: rebuild (after a conversation)
        if self.failure is not None and not self.failure.startswith(VOICE_INSTALL_HINT):
            self.failure = None  # the edit may have fixed it: try again (quietly)
            self._sync()
        self.set_wake_enabled(wake.get("enabled") is True, user=False)

    def on_link_state(self, state: str) -> None:
        """A start that failed because the gateway was unreachable is retried on reconnect."""
        if state == "connected" and self.failure is not None and self.failure.startswith("gateway"):
            self.failure = None
            self._sync()

    def set_wake_enabled(self, enabled: bool, *, user: bool = True) -> None:
        """Voice wake on/off (the config changed, or the user ticked it: then explain failures)."""
        if user:
            self._user_action()
        if enabled != self.wake_enabled:
            self.wake_enabled = enabled
            self._sync()
        self._render()

    # ---- user controls ------------------------------------------------------------------
    def toggle_talk(self) -> None:
        """The tray's Talk mode: on (listen without the wake word now), or off again."""
        if self.talk_active:
            self.exit_talk()
            return
        self._user_action()
        self.talk_active, self.dismissed = True, False
        self.host.set_talk_mode(True)
        self._enter_talk()
        self._sync()
        self._update_overlay()

    def exit_talk(self) -> None:
        """Leave talk mode (the overlay's X, or Talk mode clicked again)."""
        self.talk_active, self.ptt_pending, self.dismissed = False, False, True
        self.host.set_talk_mode(False)
        pipeline = self._pipeline()
        if pipeline is not None:
            pipeline.set_talk_mode(False)
        self._hide_overlay()
        self._sync()

    def push_to_talk(self) -> None:
        """Capture one command now, without the wake word (starting voice first if needed)."""
        self._user_action()
        self.dismissed = False
        pipeline = self._pipeline()
        if pipeline is not None and self.stage == "listening":
            if not pipeline.push_to_talk():
                self.host.explain("Push to talk is not possible right now (voice is paused or has no microphone).")
            return
        self.ptt_pending = True
        self._sync()
        self._update_overlay()

    def set_paused(self, pause: bool) -> None:
        """The overlay's click: pause or resume listening."""
        pipeline = self._pipeline()
        if pipeline is not None:
            (pipeline.pause if pause else pipeline.resume)()

    def stop_speaking(self) -> None:
        """The overlay's double-click."""
        pipeline = self._pipeline()
        if pipeline is not None:
            pipeline.stop_speaking()

    async def settings_extras(self, **more: Any) -> Any:
        """``SettingsExtras`` with this machine's devices, voices and wake phrases (listed in
        an executor: the first listing imports the engine helpers) and the level meter."""
        loop = asyncio.get_running_loop()
        # Re-scanning re-initialises PortAudio: never while our streams may be opening or open.
        refresh = self.runtime is None and self.mic_level.meter is None
        catalog: VoiceCatalog = await loop.run_in_executor(None, scan_catalog, self.state_dir / "models" / "piper",
                                                           refresh)
        return settings_extras(catalog, self.mic_level, **more)

    async def close(self) -> None:
        """Quit path: stop the runtime (pipeline, aborts, devices, trigger sync), hide the overlay."""
        self._closed = True
        self.linger.stop()
        self.mic_level.close()
        runtime = self.runtime  # before cancelling: a stop or start in progress leaves it half done
        task, self._sync_task = self._sync_task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        runtime, self.runtime = self.runtime or runtime, None
        try:
            if runtime is not None:
                await runtime.stop()
        finally:
            if self.overlay is not None and isValid(self.overlay):
                self.overlay.hide()
                self.overlay.deleteLater()
            self.overlay = None

    # ---- runtime lifecycle ----------------------------------------------------------------
    def wanted(self) -> bool:
        """Something needs the pipeline running."""
        return self.wake_enabled or self.talk_active or self.ptt_pending or self.conversing

    def _user_action(self) -> None:
        self.failure, self._explain_failure = None, True

    def _sync(self) -> None:
        if self._closed or self.link is None:
            return
        if self._sync_task is None or self._sync_task.done():
            self._sync_task = asyncio.ensure_future(self._reconcile())
            self._sync_task.add_done_callback(self._sync_done)

    async def _reconcile(self) -> None:
        """Start or stop until the runtime matches :meth:`wanted` (one at a time); rebuild
        it when its engines' config changed and no conversation is going on."""
        while not self._closed:
            stale = self.runtime is not None and self.engine_key != self._built_key and not self.conversing \
                and self.stage not in ("starting", "thinking", "speaking")
            if self.wanted() and self.runtime is None and self.failure is None:
                await self._start()
            elif self.runtime is not None and (not self.wanted() or stale):
                await self._stop()
            else:
                return

    def _sync_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("voice start/stop failed", exc_info=task.exception())

    async def _start(self) -> None:
        from openclaw_desktop.errors import ConfigError
        from openclaw_desktop.voice.pipeline_config import PipelineOptions
        from openclaw_desktop.voice.runtime import VoiceRuntime, real_engines

        self.stage = "starting"
        self._built_key = self.engine_key
        self._render()
        runtime = VoiceRuntime(self.link, self._on_event, engines=self._engines or real_engines,
                               adjust=self._adjust, options=self._options or PipelineOptions(levels=True),
                               on_config_error=lambda exc: self.host.explain(f"Voice settings not applied: {exc}"))
        self.runtime = runtime
        try:
            await runtime.start()
        except asyncio.CancelledError:
            raise  # close() stops it
        except Exception as exc:  # noqa: BLE001 - every start failure is shown, none crashes the app
            self.runtime = None
            await runtime.stop()
            self._start_failed(exc, start_failure(exc, ConfigError))
            return
        self._explain_failure = False
        self._build_overlay(runtime)

    def _start_failed(self, exc: Exception, reason: str) -> None:
        log.warning("voice did not start: %s", reason, exc_info=not isinstance(exc, ImportError | ConnectionError))
        self.failure, self.stage = reason, "stopped"
        self.talk_active = self.ptt_pending = self.conversing = False
        self.host.set_talk_mode(False)
        if self._explain_failure:
            self.host.explain(f"Voice could not start: {reason}")
        self._explain_failure = False
        self._render()

    async def _stop(self) -> None:
        try:
            await self.runtime.stop()
        finally:
            self.runtime = None
        self.stage, self.problems = "stopped", {}
        self._hide_overlay()
        self._render()

    def _adjust(self, settings: Any) -> Any:
        # Talk mode asked for from the tray survives config reloads (they reset talk_mode).
        if self.talk_active and not settings.talk_mode:
            return dataclasses.replace(settings, talk_mode=True)
        return settings

    def _pipeline(self) -> Any:
        return self.runtime.pipeline if self.runtime is not None else None

    def _pipeline_mic(self) -> Any:
        pipeline = self._pipeline()
        return pipeline.engines.mic if pipeline is not None and self.stage != "device_missing" else None

    def _enter_talk(self) -> None:
        pipeline = self._pipeline()
        # Not before the microphone is open: "listening" would be a lie then.
        if pipeline is not None and self.talk_active and self.stage not in NOT_LISTENING:
            pipeline.set_talk_mode(True)  # idle: listen for a command without the wake word now

    def _push_now(self) -> None:
        pipeline = self._pipeline()
        if pipeline is not None and self.ptt_pending and self.stage == "listening":
            self.ptt_pending = False
            pipeline.push_to_talk()

    # ---- events -----------------------------------------------------------------------------
    def _on_event(self, event: Any) -> None:
        """Every pipeline event, on the loop's thread."""
        if self.overlay is not None:
            self.overlay.on_voice_event(event)
        for listener in self.listeners:
            listener(event)
        kind = event.type
        if kind == "level":
            return
        if event.stage is not None:
            self.stage = str(event.stage)
        loop = asyncio.get_running_loop()
        if kind in ("wake", "capturing"):
            if kind == "wake":
                self.dismissed = False
            self.conversing = True
        elif kind == "talk_mode_ended":
            self.talk_active = False
            self.host.set_talk_mode(False)
        elif kind == "listening":
            self.problems.pop("input", None)
            if not event.talk_mode:
                self.conversing = False
                # After the call: acting inside the pipeline's own emit would nest events.
                loop.call_soon(self._enter_talk)
                loop.call_soon(self._push_now)
                loop.call_soon(self._sync)
        elif kind == "device_missing":
            self._device_missing(event.kind, event.message, event.retry_s)
        elif kind == "device_ready":
            self._device_ready(event.kind)
        elif kind == "stopped":
            self.conversing = False
        self._update_overlay()
        self._render()

    def _device_missing(self, kind: str, message: str, retry_s: float) -> None:
        first = kind not in self.problems
        self.problems[kind] = device_problem(kind, message, retry_s)
        if first:  # one notification per outage; the pipeline reports it again on each retry
            self.host.show_message(*device_missing_bubble(kind, message), warning=True)

    def _device_ready(self, kind: str) -> None:
        if self.problems.pop(kind, None) is not None:
            self.host.show_message(*device_back_bubble(kind))

    def _render(self) -> None:
        view = tray_voice(self.stage, running=self.runtime is not None, failure=self.failure,
                          problems=self.problems, talk=self.talk_active, wanted=self.wanted())
        self.host.set_voice_problem(view.problem)
        self.host.set_voice_state(view.state, view.note)

    # ---- overlay ------------------------------------------------------------------------------
    def _build_overlay(self, runtime: Any) -> None:
        phrase = runtime.pipeline.settings.wake.phrase if runtime.pipeline is not None else "hey jarvis"
        if self.overlay is not None:
            self.overlay.model.wake_phrase = phrase.replace("_", " ")
            return
        from openclaw_desktop.voice.overlay_model import OverlayModel

        from .talk_overlay import TalkOverlay

        overlay = TalkOverlay(OverlayModel(wake_phrase=phrase.replace("_", " ")))
        overlay.pause_toggled.connect(self.set_paused)
        overlay.stop_speaking.connect(self.stop_speaking)
        overlay.exit_talk_mode.connect(self.exit_talk)
        self.overlay = overlay
        self._update_overlay()

    def overlay_wanted(self) -> bool:
        """Talk mode, a conversation, or a push-to-talk waiting, unless the user closed it."""
        return self.runtime is not None and self.stage not in ("starting", "stopped") and not self.dismissed \
            and (self.talk_active or self.conversing or self.ptt_pending)

    def _update_overlay(self) -> None:
        overlay = self.overlay
        if overlay is None or not isValid(overlay):
            return
        if self.overlay_wanted():
            self.linger.stop()
            if not overlay.isVisible():
                overlay.show_on_active_screen()
        elif overlay.isVisible() and not self.linger.isActive():
            self.linger.start()

    def _hide_overlay(self) -> None:
        self.linger.stop()
        if self.overlay is not None and isValid(self.overlay) and not self.overlay_wanted():
            self.overlay.hide()
