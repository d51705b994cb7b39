"""``openclaw-desktop voice``: the gateway and the voice pipeline, headless, on the default
audio devices, printing one JSON line per pipeline event to stdout.

For users debugging their audio and for tests. The gateway is built as in the tray app
(:func:`openclaw_desktop.app.build_gateway`); the pipeline reaches it through a
:class:`~openclaw_desktop.remote.link.GatewayLink`, like every other client, so replies
come from the agent runtime of the ``main`` session. The wake word is on here whatever
``voice.wake.enabled`` says (that key is the tray app's always-on switch; running this
command is the request to listen). Edits of the ``voice`` config section apply to the
next utterance; device and model changes need a restart.

Output: the first line is ``{"type": "listening", ...}`` once the microphone is open (or
``device_missing``); each line is :meth:`VoiceEvent.to_dict` plus ``t``, seconds since
the command started. Everything else (start-up notes, errors) goes to stderr.

SIGINT/SIGTERM shut down in order: pipeline (the reply is aborted) → pending aborts →
audio devices → trigger sync → link → gateway. Must not import Qt; the engines are
imported lazily, only when the command runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from openclaw_desktop.app import Gateway, PortInUseError, build_gateway
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.errors import ConfigError
from openclaw_desktop.remote.link import GatewayLink
from openclaw_desktop.voice.chimes import load_chimes
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

EnginesFactory = Callable[[VoiceSettings], Any]
"""Builds the engines (blocking; run in an executor): an object with the attributes of
:class:`PipelineEngines` and a ``close()``."""

INSTALL_HINT = "the voice components are not installed: pip install 'openclaw-desktop[voice]'"


def real_engines(settings: VoiceSettings) -> Any:
    """openWakeWord, Silero VAD, faster-whisper, Piper and sounddevice (imported now)."""
    from openclaw_desktop.voice.engines import build_engines

    return build_engines(settings)


class EventPrinter:
    """Writes each event as one JSON line (``level`` events only when asked)."""

    def __init__(self, out: TextIO, *, levels: bool = False, clock: Callable[[], float] = time.monotonic) -> None:
        self.out = out
        self.levels = levels
        self.clock = clock
        self.started = clock()

    def __call__(self, event: VoiceEvent) -> None:
        if event.type == "level" and not self.levels:
            return
        line = event.to_dict() | {"t": round(self.clock() - self.started, 3)}
        self.out.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.out.flush()


def listening(settings: VoiceSettings) -> VoiceSettings:
    """The settings with the wake word switched on (see the module docstring)."""
    return dataclasses.replace(settings, wake=dataclasses.replace(settings.wake, enabled=True))


async def run_voice(paths: StatePaths, overrides: Overrides, *, out: TextIO | None = None,
                    err: TextIO | None = None, engines: EnginesFactory = real_engines,
                    options: PipelineOptions = DEFAULT_OPTIONS, levels: bool = False) -> int:
    """Run until SIGINT/SIGTERM; the exit code (1 with a message on stderr on failure)."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        gateway = await build_gateway(paths, overrides)
    except (ConfigError, PortInUseError) as exc:
        print(f"openclaw-desktop: {exc}", file=err)
        return 1
    try:
        config = gateway.services.config
        try:
            settings = listening(parse_voice_settings(str(config.snapshot.path), config.snapshot.parsed))
        except ConfigError as exc:
            print(f"openclaw-desktop: {exc}", file=err)
            return 1
        print(f"openclaw-desktop voice: gateway on {gateway.url}, state dir {paths.state_dir}", file=err, flush=True)
        return await _with_link(gateway, paths, settings, EventPrinter(out, levels=levels), err, engines, options)
    finally:
        await gateway.close()


async def _with_link(gateway: Gateway, paths: StatePaths, settings: VoiceSettings, printer: EventPrinter,
                     err: TextIO, engines: EnginesFactory, options: PipelineOptions) -> int:
    config = gateway.services.config
    link = GatewayLink(gateway.url, paths.state_dir, token=config.ensure_token(),
                       password=config.settings.gateway.auth.password)
    watcher = TriggerWatcher(link)
    await link.start()
    try:
        try:
            await link.wait_connected(15)
        except TimeoutError as exc:
            print(f"openclaw-desktop: {exc}", file=err)
            return 1
        watcher.start()
        try:
            built = await asyncio.get_running_loop().run_in_executor(None, engines, settings)
        except ImportError as exc:
            print(f"openclaw-desktop: {INSTALL_HINT} ({exc})", file=err)
            return 1
        except (ValueError, OSError) as exc:
            print(f"openclaw-desktop: cannot load the voice engines: {exc}", file=err)
            return 1
        try:
            await _run_pipeline(built, link, watcher, settings, printer, err, options, config)
        finally:
            built.close()  # releases the microphone and the speaker
        return 0
    finally:
        await watcher.close()
        await link.close()


async def _run_pipeline(built: Any, link: GatewayLink, watcher: TriggerWatcher, settings: VoiceSettings,
                        printer: EventPrinter, err: TextIO, options: PipelineOptions, config: Any) -> None:
    responder = GatewayResponder(link, settings.session_key)
    pipeline = VoicePipeline(PipelineEngines.of(built), responder, settings, printer,
                             triggers=lambda: watcher.triggers, chimes=load_chimes(), options=options)

    def on_event(name: str, _payload: dict[str, Any]) -> None:
        if name != "config.changed":
            return
        try:
            pipeline.update_settings(listening(parse_voice_settings(str(config.snapshot.path),
                                                                    config.snapshot.parsed)))
        except ConfigError as exc:  # keep the old settings; the file is reported, not fatal
            print(f"openclaw-desktop: {exc} (voice settings unchanged)", file=err, flush=True)

    remove = link.add_event_listener(on_event)
    try:
        with _stop_on_signals(pipeline.stop):
            await pipeline.run()
    finally:
        remove()
        await responder.aclose()  # the chat.abort of a cut-off reply goes out before the link closes


@contextlib.contextmanager
def _stop_on_signals(stop: Callable[[], None]) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C arrives as KeyboardInterrupt
            pass
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def main_voice(paths: StatePaths, overrides: Overrides, *, levels: bool = False) -> int:
    """The ``voice`` subcommand."""
    try:
        return asyncio.run(run_voice(paths, overrides, levels=levels))
    except KeyboardInterrupt:
        return 0
