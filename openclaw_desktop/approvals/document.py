"""The exec approvals document (§6.2) as typed, frozen data, and the effective policy.

:func:`parse_document` turns the JSON object (``version: 1``, ``defaults``, ``agents``)
into an :class:`ExecApprovalsDocument` once, at the edge: lenient about unknown keys
(other versions of OpenClaw write more), strict about the values we act on — a bad
enum raises :class:`DocumentError` naming the key, and the caller then uses
:data:`FAIL_CLOSED` (security deny), exactly like a corrupt document in OpenClaw.

Our defaults are stricter than OpenClaw's host defaults (``full``/``off``): security
``allowlist``, ask ``on-miss``, askFallback ``deny``. ``safeBins`` is our extension of
the document (OpenClaw keeps it in ``tools.exec``); absent means the documented
defaults. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .allowlist import AllowlistEntry
from .safe_bins import DEFAULT_SAFE_BINS


class Security(StrEnum):
    DENY = "deny"
    ALLOWLIST = "allowlist"
    FULL = "full"


class Ask(StrEnum):
    OFF = "off"
    ON_MISS = "on-miss"
    ALWAYS = "always"


class AskFallback(StrEnum):
    DENY = "deny"
    ALLOWLIST = "allowlist"
    FULL = "full"


_SECURITY_ORDER = (Security.DENY, Security.ALLOWLIST, Security.FULL)
_ASK_ORDER = (Ask.OFF, Ask.ON_MISS, Ask.ALWAYS)


class DocumentError(ValueError):
    """The document is malformed; ``key`` is the dotted path of the offending field."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"invalid exec approvals document: {key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True, slots=True)
class AgentSettings:
    """``defaults`` or one ``agents.<id>`` object; ``None`` means "not set here"."""

    security: Security | None = None
    ask: Ask | None = None
    ask_fallback: AskFallback | None = None
    auto_allow_skills: bool | None = None
    allowlist: tuple[AllowlistEntry, ...] = ()
    safe_bins: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class ExecApprovalsDocument:
    """The whole document. ``socket_token`` is kept for round trips but never shown."""

    defaults: AgentSettings = field(default_factory=AgentSettings)
    agents: Mapping[str, AgentSettings] = field(default_factory=dict)
    socket_path: str | None = None
    socket_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class EffectivePolicy:
    """What :func:`~.policy.decide` applies for one agent (everything resolved)."""

    security: Security = Security.ALLOWLIST
    ask: Ask = Ask.ON_MISS
    ask_fallback: AskFallback = AskFallback.DENY
    allowlist: tuple[AllowlistEntry, ...] = ()
    safe_bins: tuple[str, ...] = DEFAULT_SAFE_BINS
    auto_allow_skills: bool = False


#: What a corrupt or unreadable document means: no host exec at all.
FAIL_CLOSED = EffectivePolicy(Security.DENY, Ask.OFF, AskFallback.DENY, (), ())


def _enum(kind: type[StrEnum], raw: Mapping[str, Any], key: str, where: str) -> Any:
    value = raw.get(key)
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        options = ", ".join(m.value for m in kind)  # type: ignore[attr-defined]
        raise DocumentError(f"{where}.{key}", f"must be one of {options}") from None


def _settings(raw: Any, where: str) -> AgentSettings:
    if not isinstance(raw, Mapping):
        raise DocumentError(where, "must be an object")
    entries = raw.get("allowlist", [])
    if not isinstance(entries, list):
        raise DocumentError(f"{where}.allowlist", "must be an array")
    allowlist = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("pattern"), str) or not entry["pattern"].strip():
            raise DocumentError(f"{where}.allowlist[{index}]", "needs a non-empty pattern")
        allowlist.append(AllowlistEntry.from_json(entry))
    bins = raw.get("safeBins")
    if bins is not None and (not isinstance(bins, list) or not all(isinstance(b, str) for b in bins)):
        raise DocumentError(f"{where}.safeBins", "must be an array of strings")
    auto = raw.get("autoAllowSkills")
    if auto is not None and not isinstance(auto, bool):
        raise DocumentError(f"{where}.autoAllowSkills", "must be a boolean")
    return AgentSettings(_enum(Security, raw, "security", where), _enum(Ask, raw, "ask", where),
                         _enum(AskFallback, raw, "askFallback", where), auto, tuple(allowlist),
                         tuple(bins) if bins is not None else None)


def parse_document(raw: Any) -> ExecApprovalsDocument:
    """Parse the JSON object; raise :class:`DocumentError` when it cannot be trusted."""
    if not isinstance(raw, Mapping) or raw.get("version") != 1:
        raise DocumentError("version", "must be 1")
    agents_raw = raw.get("agents", {})
    if not isinstance(agents_raw, Mapping):
        raise DocumentError("agents", "must be an object")
    agents = {str(k): _settings(v, f"agents.{k}") for k, v in agents_raw.items()}
    if "default" in agents and "main" not in agents:  # legacy key, migrated as OpenClaw does
        agents["main"] = agents.pop("default")
    socket_raw = raw.get("socket")
    socket: Mapping[str, Any] = socket_raw if isinstance(socket_raw, Mapping) else {}
    return ExecApprovalsDocument(_settings(raw.get("defaults", {}), "defaults"), agents,
                                 socket.get("path") if isinstance(socket.get("path"), str) else None,
                                 socket.get("token") if isinstance(socket.get("token"), str) else None)


def _settings_json(s: AgentSettings) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (("security", s.security), ("ask", s.ask), ("askFallback", s.ask_fallback),
                       ("autoAllowSkills", s.auto_allow_skills)):
        if value is not None:
            out[key] = str(value) if isinstance(value, StrEnum) else value
    if s.allowlist:
        out["allowlist"] = [e.to_json() for e in s.allowlist]
    if s.safe_bins is not None:
        out["safeBins"] = list(s.safe_bins)
    return out


def document_to_json(doc: ExecApprovalsDocument, *, redact: bool = True) -> dict[str, Any]:
    """The JSON object to store or send; the socket token is dropped unless ``redact=False``."""
    out: dict[str, Any] = {"version": 1}
    if doc.socket_path or (doc.socket_token and not redact):
        out["socket"] = {k: v for k, v in (("path", doc.socket_path),
                                            ("token", None if redact else doc.socket_token)) if v}
    out["defaults"] = _settings_json(doc.defaults)
    out["agents"] = {agent: _settings_json(s) for agent, s in doc.agents.items()}
    return out


def effective_policy(doc: ExecApprovalsDocument, agent_id: str) -> EffectivePolicy:
    """The agent's settings over the document defaults over our defaults.

    The allowlist is the agent's own (``defaults.allowlist`` is appended after it, as a
    shared list); ``safeBins`` likewise falls back agent → defaults → built-in.
    """
    agent = doc.agents.get(agent_id, AgentSettings())
    base, d = EffectivePolicy(), doc.defaults
    bins = agent.safe_bins if agent.safe_bins is not None else d.safe_bins
    return EffectivePolicy(
        security=agent.security or d.security or base.security, ask=agent.ask or d.ask or base.ask,
        ask_fallback=agent.ask_fallback or d.ask_fallback or base.ask_fallback,
        allowlist=agent.allowlist + d.allowlist, safe_bins=base.safe_bins if bins is None else bins,
        auto_allow_skills=bool(agent.auto_allow_skills if agent.auto_allow_skills is not None
                               else d.auto_allow_skills),
    )


def stricter(host: EffectivePolicy, *, security: Security | None = None, ask: Ask | None = None) -> EffectivePolicy:
    """Combine a requested policy with the host's: lower security wins, higher ask wins (§6.1)."""
    sec = min(host.security, security or host.security, key=_SECURITY_ORDER.index)
    asked = max(host.ask, ask or host.ask, key=_ASK_ORDER.index)
    return EffectivePolicy(sec, asked, host.ask_fallback, host.allowlist, host.safe_bins, host.auto_allow_skills)
