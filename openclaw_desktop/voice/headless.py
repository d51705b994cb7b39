"""``openclaw-desktop voice``: the gateway and the voice pipeline, headless, on the default
audio devices, printing one JSON line per pipeline event to stdout.

For users debugging their audio and for tests. The gateway is built as in the tray app
(:func:`openclaw_desktop.app.build_gateway`); the pipeline runs in a
:class:`~openclaw_desktop.voice.runtime.VoiceRuntime` over a
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
from typing import TextIO

from openclaw_desktop.app import PortInUseError, build_gateway
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.errors import ConfigError
from openclaw_desktop.remote.link import GatewayLink
from openclaw_desktop.voice.events import VoiceEvent
from openclaw_desktop.voice.pipeline_config import DEFAULT_OPTIONS, PipelineOptions
from openclaw_desktop.voice.runtime import EnginesFactory, VoiceRuntime, real_engines
from openclaw_desktop.voice.settings import VoiceSettings

INSTALL_HINT = "the voice components are not installed: pip install 'openclaw-desktop[voice]'"


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
        print(f"openclaw-desktop voice: gateway on {gateway.url}, state dir {paths.state_dir}", file=err, flush=True)
        config = gateway.services.config
        link = GatewayLink(gateway.url, paths.state_dir, token=config.ensure_token(),
                           password=config.settings.gateway.auth.password)
        await link.start()
        try:
            return await _run(link, EventPrinter(out, levels=levels), err, engines, options)
        finally:
            await link.close()
    finally:
        await gateway.close()


async def _run(link: GatewayLink, printer: EventPrinter, err: TextIO, engines: EnginesFactory,
               options: PipelineOptions) -> int:
    runtime = VoiceRuntime(link, printer, engines=engines, adjust=listening, options=options,
                           on_config_error=lambda exc: print(f"openclaw-desktop: {exc} (voice settings unchanged)",
                                                             file=err, flush=True))
    try:
        try:
            await link.wait_connected(15)
            await runtime.start()
        except (ConfigError, TimeoutError) as exc:
            print(f"openclaw-desktop: {exc}", file=err)
            return 1
        except ImportError as exc:
            print(f"openclaw-desktop: {INSTALL_HINT} ({exc})", file=err)
            return 1
        except (ValueError, OSError) as exc:
            print(f"openclaw-desktop: cannot load the voice engines: {exc}", file=err)
            return 1
        with _stop_on_signals(runtime.request_stop):
            await runtime.wait()
        return 0
    finally:
        await runtime.stop()


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
