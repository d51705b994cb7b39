"""Composition root: read settings, build every service, wire callbacks, run.

The headless ``gateway`` command and (later) the tray app both build the gateway here,
so they host the very same code. No module-level instances anywhere else.
"""

from __future__ import annotations

import asyncio
import errno
import importlib
import json
import logging
import os
import signal
import socket
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openclaw_desktop import __version__
from openclaw_desktop.agent.memory import MemoryIndex
from openclaw_desktop.agent.prompt import ensure_workspace
from openclaw_desktop.agent.service import AgentService
from openclaw_desktop.agent.session_store import SessionStore
from openclaw_desktop.agent.tools.base import ToolRegistry
from openclaw_desktop.agent.tools.exec_tool import exec_tool
from openclaw_desktop.agent.tools.files import file_tools
from openclaw_desktop.agent.tools.memory_tools import memory_tools
from openclaw_desktop.agent.tools.node_tools import node_tools
from openclaw_desktop.agent.tools.web_fetch import web_fetch_tool
from openclaw_desktop.approvals.audit import AuditLog
from openclaw_desktop.approvals.broker import ApprovalBroker
from openclaw_desktop.approvals.document_store import ApprovalsDocumentStore
from openclaw_desktop.approvals.exec_service import ExecService
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import ConfigService, Overrides, resolve_log_path
from openclaw_desktop.errors import ConfigError
from openclaw_desktop.gateway.discovery import (
    GatewayAdvertiser,
    primary_lan_ipv4,
    start_advertising,
)
from openclaw_desktop.gateway.dispatcher import MethodRegistry
from openclaw_desktop.gateway.handlers import approvals as approval_methods
from openclaw_desktop.gateway.handlers import chat as chat_methods
from openclaw_desktop.gateway.handlers import config as config_methods
from openclaw_desktop.gateway.handlers import devices, health, logs
from openclaw_desktop.gateway.handlers import nodes as node_methods
from openclaw_desktop.gateway.handlers import sessions as session_methods
from openclaw_desktop.gateway.handlers import setup as setup_methods
from openclaw_desktop.gateway.handlers import skills as skill_methods
from openclaw_desktop.gateway.handlers import voicewake as voicewake_methods
from openclaw_desktop.gateway.hub import Hub
from openclaw_desktop.gateway.server import GatewayServer
from openclaw_desktop.gateway.services import GatewayServices
from openclaw_desktop.gateway.tls import resolve_certificate, server_context
from openclaw_desktop.nodes.relay import NodeRelay
from openclaw_desktop.nodes.surfaces import SurfaceStore
from openclaw_desktop.pairing.store import PairingStore
from openclaw_desktop.protocol import scopes as S
from openclaw_desktop.protocol.ratelimit import AuthRateLimiter
from openclaw_desktop.skills import default_sources, load_skills
from openclaw_desktop.storage.jsonl_log import JsonLinesHandler
from openclaw_desktop.storage.sqlite import Database
from openclaw_desktop.voice.triggers import TriggerStore

log = logging.getLogger("app")

BIND_HOSTS = {"loopback": "127.0.0.1", "lan": "0.0.0.0", "auto": "127.0.0.1", "tailnet": "127.0.0.1"}


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class PortInUseError(Exception):
    """The configured port is taken; the message is one line naming it."""


@dataclass
class Gateway:
    """A running gateway and what it owns, in shutdown order."""

    server: GatewayServer
    services: GatewayServices
    db: Database
    log_handler: logging.Handler | None
    broker: ApprovalBroker
    exec_service: ExecService
    agent: AgentService
    memory: MemoryIndex
    nodes: node_methods.NodesFeature
    advertiser: GatewayAdvertiser | None = None
    """mDNS advertising (only while bound to the LAN)."""
    approval_listeners: list[Callable[[str, dict[str, Any]], None]] = field(default_factory=list)
    """In-process listeners of the broker's events (the tray app's native dialogs)."""
    local_approvers: list[Callable[[], bool]] = field(default_factory=list)
    """In-process resolvers: while one returns True the broker has a route without a socket."""

    @property
    def url(self) -> str:
        host = self.server.host if self.server.host not in ("0.0.0.0", "::") else "127.0.0.1"
        return f"{'wss' if self.server.ssl_context else 'ws'}://{host}:{self.server.port}"

    async def close(self, reason: str = "gateway stopping") -> None:
        """Ordered shutdown: sockets first, then storage, then the log file."""
        try:
            if self.advertiser is not None:
                await self.advertiser.stop()  # say goodbye on mDNS before refusing connects
            await self.agent.close()  # runs record their partial replies first
            self.nodes.relay.close()  # pending invokes fail now, not at their deadline
            self.broker.close()  # nothing may stay pending across a restart: deny
            await self.server.stop(reason)
        finally:
            self.memory.close()
            await self.db.close()
            log.info("gateway stopped")
            if self.log_handler is not None:
                logging.getLogger().removeHandler(self.log_handler)
                self.log_handler.close()


def bind_host(config: ConfigService) -> str:
    g = config.settings.gateway
    if g.bind == "custom":
        return g.custom_bind_host or "127.0.0.1"
    return BIND_HOSTS[g.bind]


def probe_openclaw(port: int) -> bool:
    """Does an OpenClaw-style gateway answer ``/health`` on this local port?"""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1.0) as resp:
            return json.loads(resp.read()).get("status") == "live"
    except (OSError, ValueError, AttributeError):
        return False


async def build_gateway(paths: StatePaths, overrides: Overrides, *, log_to_file: bool = True,
                        **server_options: float) -> Gateway:
    """Build and start the gateway. Raises ConfigError or PortInUseError.

    ``server_options`` (``tick_interval_s``, ``handshake_timeout_s``) exist for tests.
    """
    config = ConfigService(paths, overrides)
    config.ensure_token()
    log_path = resolve_log_path(paths, config.settings)
    handler: logging.Handler | None = None
    if log_to_file:
        handler = JsonLinesHandler(log_path)
        root = logging.getLogger()
        root.addHandler(handler)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)
    db = Database(paths.db_path)
    await db.open()
    try:
        pairing = PairingStore(db)
        await pairing.load()
        rl = config.settings.gateway.auth.rate_limit
        svc = GatewayServices(
            config=config, pairing=pairing, hub=Hub(), clock_ms=now_ms, log_path=log_path, version=__version__,
            boot_id=str(uuid.uuid4()), started_ms=now_ms(), host_name=socket.gethostname(),
            rate_limiter=AuthRateLimiter(rl.max_attempts, rl.window_ms, rl.lockout_ms),
        )
        config.on_changed = lambda path, digest: svc.hub.broadcast(
            "config.changed", {"path": path, "hash": digest, "ts": svc.clock_ms()})
        approval_listeners: list[Callable[[str, dict[str, Any]], None]] = []
        local_approvers: list[Callable[[], bool]] = []

        def broker_event(name: str, payload: dict[str, Any]) -> None:
            svc.hub.broadcast(name, payload)
            for listener in list(approval_listeners):
                try:
                    listener(name, payload)
                except Exception:  # a broken UI listener must not break the broker
                    log.exception("approval listener failed on %s", name)

        broker = ApprovalBroker(svc.clock_ms, broker_event,
                                lambda: _has_approver(svc) or any(ok() for ok in local_approvers),
                                default_timeout_ms=config.settings.exec.approval_timeout_ms)
        documents = ApprovalsDocumentStore(paths.state_dir / "exec-approvals.json")
        agent_settings = config.settings.agent
        workspace = Path(agent_settings.workspace).expanduser() if agent_settings.workspace \
            else paths.state_dir / "workspace"
        ensure_workspace(workspace)
        exec_service = ExecService(documents, broker, AuditLog(paths.state_dir / "logs" / "exec-audit.jsonl"),
                                   workspace, svc.clock_ms)

        def on_disconnect(conn: object) -> None:
            broker.owner_gone(getattr(conn, "conn_id", ""))
            broker.route_lost()

        svc.disconnect_hooks.append(on_disconnect)
        registry = MethodRegistry()
        for family in (health, config_methods, devices, logs):
            family.register(registry, svc)
        surfaces = SurfaceStore(db)
        await surfaces.load()
        relay = NodeRelay()
        nodes = node_methods.NodesFeature(svc, relay, surfaces, lambda: (
            _str_list(config_value(config.snapshot.parsed, "gateway.nodes.commands.allow")),
            _str_list(config_value(config.snapshot.parsed, "gateway.nodes.commands.deny"))))
        node_methods.register(registry, svc, nodes)
        svc.connect_hooks.append(nodes.on_connected)
        svc.disconnect_hooks.append(nodes.on_disconnected)
        triggers = TriggerStore(db)
        await triggers.load()
        voicewake_methods.register(registry, svc, triggers, relay)
        approval_methods.register(registry, svc, broker, documents, exec_service)
        memory = MemoryIndex(workspace, paths.state_dir / "agents" / "main" / "memory.sqlite")
        tools = ToolRegistry([*file_tools(workspace), exec_tool(exec_service), *memory_tools(memory),
                              web_fetch_tool(), *node_tools(lambda: nodes.list_nodes(False), nodes.invoke,
                                                            nodes.resolve_node)])
        skill_sources = default_sources(workspace, paths.state_dir)

        def load_catalog():  # type: ignore[no-untyped-def]
            # Re-read on every use: skills are small files, and edits then apply at once.
            return load_skills(skill_sources, config_lookup=lambda key: config_value(config.snapshot.parsed, key))

        model_provider = ModelProvider(agent_settings.base_url)
        agent = AgentService(
            store=SessionStore(paths.state_dir / "agents"), tools=tools, workspace=workspace,
            model_for=model_provider, default_model=agent_settings.model,
            skills_block=lambda: load_catalog().prompt_block(), emit=svc.hub.broadcast,
            clock_ms=svc.clock_ms)
        nodes.agent_request = lambda text, key: agent.send(key, text, str(uuid.uuid4()))
        announce_change = config.on_changed

        def apply_config_change(path: str, digest: str) -> None:
            # Model and base URL edits (Settings → AI, config.patch) apply to the next turn.
            if announce_change is not None:
                announce_change(path, digest)
            agent.default_model = config.settings.agent.model
            model_provider.config_base_url = config.settings.agent.base_url

        config.on_changed = apply_config_change
        chat_methods.register(registry, svc, agent)
        session_methods.register(registry, svc, agent)
        skill_methods.register(registry, svc, load_catalog, workspace,
                               paths.state_dir / "skills")
        tls = resolve_certificate(config.settings, paths, lan_ip=primary_lan_ipv4())
        setup_methods.register(registry, svc, tls_fingerprint=tls.fingerprint if tls else None)
        server = GatewayServer(svc, registry, bind_host(config), config.settings.gateway.port, **server_options,
                               ssl_context=server_context(tls, str(paths.config_path)) if tls else None)
        try:
            await server.start()
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            port = config.settings.gateway.port
            other = "an OpenClaw gateway is already running there" if probe_openclaw(port) \
                else "another program is using it"
            raise PortInUseError(f"port {port} is already in use ({other}); "
                                 "stop it or choose another with --port") from None
        svc.url, svc.port = f"{'wss' if tls else 'ws'}://{server.host}:{server.port}", server.port
        advertiser = start_advertising(config.settings.gateway.bind, config.settings.discovery.mdns_mode,
                                       svc.host_name, server.port, tls.fingerprint if tls else None)
        if os.environ.get("ANTHROPIC_API_KEY"):
            # Importing the SDK takes seconds; do it now in the background so the first
            # turn does not pay for it (started after listening, so start-up stays fast).
            warm = asyncio.get_running_loop().run_in_executor(None, importlib.import_module,
                                                               "openclaw_desktop.agent.llm.anthropic_adapter")
            warm.add_done_callback(lambda f: f.cancelled() or f.exception())
        return Gateway(server, svc, db, handler, broker, exec_service, agent, memory, nodes, advertiser,
                       approval_listeners=approval_listeners, local_approvers=local_approvers)
    except BaseException:
        await db.close()
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()
        raise


def _str_list(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def config_value(doc: object, dotted: str) -> object:
    """Look up ``a.b.c`` in the parsed config document (None when absent)."""
    node = doc
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


class ModelProvider:
    """Builds the model client from the current credentials (env, then OS keyring).

    Resolved on every turn so a key added while the app runs takes effect at once; the
    client is reused while the credentials stay the same.
    """

    def __init__(self, config_base_url: str | None) -> None:
        self.config_base_url = config_base_url
        self._cached: tuple[tuple[str, str | None], object] | None = None

    def __call__(self):  # type: ignore[no-untyped-def]
        # Imported on first use: the anthropic SDK takes longer to import than the whole
        # gateway takes to start, and a gateway with no key never needs it.
        from openclaw_desktop.agent.credentials import resolve_model_credentials
        from openclaw_desktop.agent.llm.anthropic_adapter import AnthropicModel

        creds = resolve_model_credentials(os.environ, self.config_base_url)
        if not creds.api_key:
            return None
        ident = (creds.api_key, creds.base_url)
        if self._cached is None or self._cached[0] != ident:
            self._cached = (ident, AnthropicModel(creds.api_key, creds.base_url))
        return self._cached[1]


def _has_approver(svc: GatewayServices) -> bool:
    """Is anyone able to answer an approval (an operator socket with the scope)?"""
    return any(c.role == S.ROLE_OPERATOR and S.scope_satisfied(S.APPROVALS, c.scopes)
               for c in svc.hub.authenticated())


async def run_gateway_forever(paths: StatePaths, overrides: Overrides) -> int:
    """Headless mode: run until SIGINT/SIGTERM, then shut down in order and return 0."""
    gateway = await build_gateway(paths, overrides)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows: fall back to KeyboardInterrupt
            pass
    print(f"openclaw-desktop gateway listening on {gateway.url} (pid {os.getpid()})", flush=True)
    print(f"  state dir: {paths.state_dir}\n  config:    {paths.config_path}", flush=True)
    try:
        await stop.wait()
    finally:
        await gateway.close()
    return 0


def main_gateway(paths: StatePaths, overrides: Overrides) -> int:
    try:
        return asyncio.run(run_gateway_forever(paths, overrides))
    except (ConfigError, PortInUseError) as exc:
        print(f"openclaw-desktop: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
