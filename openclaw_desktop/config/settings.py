"""The typed settings tree, validated once from the parsed config document.

Unknown keys are accepted (the file may be shared with the official gateway, whose
schema is much larger); known keys must have the right type, or :class:`ConfigError`
names the file, the dotted key and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openclaw_desktop.errors import ConfigError
from openclaw_desktop.protocol.constants import DEFAULT_GATEWAY_PORT

BIND_MODES = ("loopback", "lan", "custom", "auto", "tailnet")
AUTH_MODES = ("token", "password", "none")


@dataclass(frozen=True)
class RateLimitSettings:
    """Failed shared-secret attempts per client IP (ms units)."""

    max_attempts: int = 10
    window_ms: int = 60_000
    lockout_ms: int = 300_000
    exempt_loopback: bool = True


@dataclass(frozen=True)
class AuthSettings:
    mode: str = "token"
    token: str | None = None
    password: str | None = None
    rate_limit: RateLimitSettings = field(default_factory=RateLimitSettings)


@dataclass(frozen=True)
class TlsSettings:
    """gateway.tls: serve ``wss://`` (phones pin the certificate's SHA-256)."""

    enabled: bool = False
    cert_path: str | None = None
    """gateway.tls.certPath: PEM certificate; default a self-signed one under the state dir."""
    key_path: str | None = None
    """gateway.tls.keyPath: PEM private key (required together with certPath)."""


@dataclass(frozen=True)
class GatewaySettings:
    port: int = DEFAULT_GATEWAY_PORT
    bind: str = "loopback"
    custom_bind_host: str | None = None
    auth: AuthSettings = field(default_factory=AuthSettings)
    auto_approve_local: bool = True
    """gateway.nodes.pairing.autoApproveLocal: silently pair loopback devices."""
    tls: TlsSettings = field(default_factory=TlsSettings)


@dataclass(frozen=True)
class LoggingSettings:
    file: str | None = None
    level: str = "info"


@dataclass(frozen=True)
class ExecSettings:
    approval_timeout_ms: int = 120_000
    """tools.exec.approvalTimeoutMs: how long an approval waits before it counts as deny."""


DEFAULT_MODEL = "claude-sonnet-5-5"


@dataclass(frozen=True)
class AgentSettings:
    model: str = DEFAULT_MODEL
    """agents.defaults.model.primary (an ``anthropic/`` prefix is accepted and dropped)."""
    base_url: str | None = None
    """models.providers.anthropic.baseUrl: an Anthropic-compatible endpoint (env wins)."""
    workspace: str | None = None
    """agents.defaults.workspace (default ``<state>/workspace``)."""


MDNS_MODES = ("off", "minimal", "full")


@dataclass(frozen=True)
class DiscoverySettings:
    mdns_mode: str = "minimal"
    """discovery.mdns.mode: "off" stops advertising ``_openclaw-gw._tcp`` on the LAN."""


@dataclass(frozen=True)
class Settings:
    """The whole validated configuration."""

    gateway: GatewaySettings = field(default_factory=GatewaySettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    exec: ExecSettings = field(default_factory=ExecSettings)
    agent: AgentSettings = field(default_factory=AgentSettings)
    discovery: DiscoverySettings = field(default_factory=DiscoverySettings)


_TYPE_NAMES = {str: "a string", int: "an integer", bool: "a boolean", dict: "an object",
               list: "an array", float: "a number"}


class _Reader:
    """Walks the document with dotted-key error messages."""

    def __init__(self, path: str, doc: dict[str, Any]) -> None:
        self.path, self.doc = path, doc

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.path, key, problem)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        node: Any = self.doc
        parts = key.split(".")
        for i, part in enumerate(parts):
            if node is None:
                return default
            if not isinstance(node, dict):
                raise self.fail(".".join(parts[:i]), "must be an object")
            node = node.get(part)
        if node is None:
            return default
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(node, bool) and bool not in kinds) or not isinstance(node, kinds):
            wanted = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            raise self.fail(key, f"must be {wanted}, got {_TYPE_NAMES.get(type(node), type(node).__name__)}")
        return node

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.get(key, str, default)
        if value not in options:
            raise self.fail(key, f"must be one of {', '.join(options)} (got {value!r})")
        return value

    def int_range(self, key: str, lo: int, hi: int, default: int) -> int:
        value = self.get(key, int, default)
        if not lo <= value <= hi:
            raise self.fail(key, f"must be between {lo} and {hi} (got {value})")
        return value


def parse_settings(path: str, doc: Any) -> Settings:
    """Validate a parsed config document into :class:`Settings` (or raise ConfigError)."""
    if not isinstance(doc, dict):
        raise ConfigError(path, "", "top level must be an object")
    r = _Reader(path, doc)
    rl = RateLimitSettings(
        max_attempts=r.int_range("gateway.auth.rateLimit.maxAttempts", 1, 1_000_000, 10),
        window_ms=r.int_range("gateway.auth.rateLimit.windowMs", 1, 86_400_000, 60_000),
        lockout_ms=r.int_range("gateway.auth.rateLimit.lockoutMs", 0, 86_400_000, 300_000),
        exempt_loopback=r.get("gateway.auth.rateLimit.exemptLoopback", bool, True),
    )
    auth = AuthSettings(
        mode=r.choice("gateway.auth.mode", AUTH_MODES, "token"),
        token=r.get("gateway.auth.token", str, None) or None,
        password=r.get("gateway.auth.password", str, None) or None,
        rate_limit=rl,
    )
    bind = r.choice("gateway.bind", BIND_MODES, "loopback")
    custom = r.get("gateway.customBindHost", str, None)
    if bind == "custom" and not custom:
        raise r.fail("gateway.customBindHost", "is required when gateway.bind is \"custom\"")
    tls = TlsSettings(
        enabled=r.get("gateway.tls.enabled", bool, False),
        cert_path=r.get("gateway.tls.certPath", str, None) or None,
        key_path=r.get("gateway.tls.keyPath", str, None) or None,
    )
    if (tls.cert_path is None) != (tls.key_path is None):
        missing = "gateway.tls.keyPath" if tls.key_path is None else "gateway.tls.certPath"
        raise r.fail(missing, "is required when the other of certPath/keyPath is set")
    gateway = GatewaySettings(
        port=r.int_range("gateway.port", 0, 65535, DEFAULT_GATEWAY_PORT),
        bind=bind, custom_bind_host=custom, auth=auth,
        auto_approve_local=r.get("gateway.nodes.pairing.autoApproveLocal", bool, True),
        tls=tls,
    )
    logging = LoggingSettings(
        file=r.get("logging.file", str, None),
        level=r.choice("logging.level", ("debug", "info", "warn", "error"), "info"),
    )
    exec_settings = ExecSettings(
        approval_timeout_ms=r.int_range("tools.exec.approvalTimeoutMs", 1_000, 86_400_000, 120_000))
    model_node = r.get("agents.defaults.model", (str, dict), None)  # a string or {primary}
    model = model_node if isinstance(model_node, str) else r.get("agents.defaults.model.primary", str, DEFAULT_MODEL)
    model = model.strip().removeprefix("anthropic/")
    if not model:
        raise r.fail("agents.defaults.model.primary", "must not be empty")
    base_url = r.get("models.providers.anthropic.baseUrl", str, None)
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise r.fail("models.providers.anthropic.baseUrl", "must start with http:// or https://")
    agent = AgentSettings(model=model, base_url=base_url, workspace=r.get("agents.defaults.workspace", str, None))
    discovery = DiscoverySettings(mdns_mode=r.choice("discovery.mdns.mode", MDNS_MODES, "minimal"))
    return Settings(gateway=gateway, logging=logging, exec=exec_settings, agent=agent, discovery=discovery)
