"""``openclaw-desktop node``: arguments, settings and the headless run.

The enabled command set is the default-on commands, plus the config file's
``node.commands.enabled`` list, plus every ``--allow COMMAND``. The Qt run lives in
``openclaw_desktop/ui/node_adapters/runner.py``; ``cli.py`` picks it unless
``--headless`` is given or PySide6 is not installed. Imports no Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib.util
import logging
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from openclaw_desktop.config import store
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.errors import ConfigError

from .client import DesktopNode, NodeSettings, NodeState, NodeStatus
from .commands import KNOWN, CommandRegistry, enabled_commands
from .headless import headless_ports
from .identity import DeviceTokenStore, IdentityError, load_or_create_identity
from .ports import NodePorts
from .system_run import PolicyRunner

log = logging.getLogger("openclaw_desktop.node")
CONFIG_KEY = "node.commands.enabled"


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", required=True, help="gateway WebSocket URL, e.g. ws://127.0.0.1:18789")
    parser.add_argument("--token", help="shared gateway token (default: $OPENCLAW_GATEWAY_TOKEN)")
    parser.add_argument("--password", help="shared gateway password (default: $OPENCLAW_GATEWAY_PASSWORD)")
    parser.add_argument("--allow", action="append", default=[], metavar="COMMAND",
                        help=f"enable a sensitive command (repeatable): {', '.join(sorted(KNOWN))}")
    parser.add_argument("--nmea", type=Path, metavar="FILE",
                        help="replay this NMEA file as the location source (machines without GPS, tests)")
    parser.add_argument("--display-name", help="name shown in `openclaw nodes list`")
    parser.add_argument("--headless", action="store_true",
                        help="run without Qt (only system.which / system.notify / camera.list work)")
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")


@dataclass(frozen=True)
class NodeLaunch:
    """Everything the node run needs, validated."""

    settings: NodeSettings
    enabled: frozenset[str]
    state_dir: Path
    nmea: Path | None = None
    headless: bool = False


def configured_commands(doc: Mapping[str, Any], path: str) -> list[str]:
    """``node.commands.enabled`` from a parsed config document (missing → [])."""
    node: Any = doc
    for part in CONFIG_KEY.split("."):
        if not isinstance(node, Mapping):
            return []
        node = node.get(part)
    if node is None:
        return []
    if not isinstance(node, list) or not all(isinstance(c, str) for c in node):
        raise ConfigError(path, CONFIG_KEY, "must be a list of command names")
    unknown = sorted(set(node) - KNOWN)
    if unknown:
        raise ConfigError(path, CONFIG_KEY, f"unknown command(s) {', '.join(unknown)}")
    return list(node)


def launch_from_args(args: argparse.Namespace, env: Mapping[str, str]) -> NodeLaunch:
    """Validate the arguments; SystemExit with a clear message on any problem."""
    url = args.url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise SystemExit(f"openclaw-desktop node: --url must be ws://HOST:PORT or wss://… (got {url!r})")
    paths = StatePaths.resolve(env)
    try:
        from_config = configured_commands(store.load(paths.config_path).parsed, str(paths.config_path))
        enabled = enabled_commands([*from_config, *args.allow])
    except (ConfigError, ValueError) as exc:
        raise SystemExit(f"openclaw-desktop node: {exc}") from None
    if args.nmea is not None and not args.nmea.is_file():
        raise SystemExit(f"openclaw-desktop node: --nmea {args.nmea}: no such file")
    headless = bool(args.headless) or importlib.util.find_spec("PySide6") is None
    settings = NodeSettings(url=url, token=args.token or env.get("OPENCLAW_GATEWAY_TOKEN") or None,
                            password=args.password or env.get("OPENCLAW_GATEWAY_PASSWORD") or None,
                            display_name=args.display_name)
    return NodeLaunch(settings, enabled, paths.state_dir, args.nmea.absolute() if args.nmea else None, headless)


def log_status(status: NodeStatus) -> None:
    """Default ``on_status``: one log line per state change."""
    if status.state is NodeState.PAUSED:
        log.warning("node paused: %s%s", status.message,
                    f" (requestId: {status.request_id})" if status.request_id else "")
    else:
        log.info("node %s%s", status.state.value, f": {status.message}" if status.message else "")


def build_node(launch: NodeLaunch, ports: NodePorts,
               on_status: Callable[[NodeStatus], None] | None = log_status) -> DesktopNode:
    """Identity, token store and registry for this launch (IdentityError → SystemExit)."""
    try:
        identity = load_or_create_identity(launch.state_dir)
    except IdentityError as exc:
        raise SystemExit(f"openclaw-desktop node: {exc}") from None
    if ports.runner is None:  # system.run always goes through the command-safety policy
        ports = dataclasses.replace(ports, runner=PolicyRunner.for_state(launch.state_dir,
                                                                         lambda: time.time_ns() // 1_000_000))
    registry = CommandRegistry(ports, launch.enabled)
    log.info("node id %s; commands: %s", identity.device_id, ", ".join(registry.commands))
    return DesktopNode(launch.settings, registry, identity, DeviceTokenStore.for_state(launch.state_dir),
                       on_status=on_status)


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


async def run_until_signalled(node: DesktopNode) -> None:
    """Run the node until SIGINT/SIGTERM (then cancel it and return)."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(node.run())
    signalled = False

    def on_signal(*_: object) -> None:
        nonlocal signalled
        signalled = True
        loop.call_soon_threadsafe(task.cancel)

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, on_signal)
        except (NotImplementedError, RuntimeError):  # Windows, qasync, non-main thread
            signal.signal(sig, on_signal)
    try:
        await task
    except asyncio.CancelledError:
        if not signalled:
            raise  # cancelled from outside, not by a signal
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError):
                signal.signal(sig, signal.SIG_DFL)


def run_headless(launch: NodeLaunch) -> int:
    if launch.enabled - {"system.which", "system.notify", "camera.list"}:
        log.warning("running without Qt: screen, camera and location commands will report unavailable")
    node = build_node(launch, headless_ports())
    asyncio.run(run_until_signalled(node))
    return 0
