"""What the tray shows, computed from gateway events: a pure model with no Qt and no I/O.

``StatusTracker`` folds the operator link's events (approvals, pairing requests, agent
runs, presence) and the app's own facts (gateway running or paused, voice state) into
counts, one :class:`TrayState` for the icon and the status line of the menu. The Qt
parts (``tray.py``, ``main_window.py``) only render it. Imports nothing but the
standard library, so it is tested with plain asserts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class TrayState(StrEnum):
    """The icon's look, in the order of :meth:`StatusTracker.state`'s priority."""

    ERROR = "error"
    STOPPED = "stopped"
    ATTENTION = "attention"
    SPEAKING = "speaking"
    LISTENING = "listening"
    THINKING = "thinking"
    IDLE = "idle"


class GatewayMode(StrEnum):
    """Where the gateway is, from the app's point of view."""

    STARTING = "starting"
    HOSTED = "hosted"  # running in this process
    PAUSED = "paused"  # hosted, listening socket closed by the user
    ATTACHED = "attached"  # another gateway, reached through the link only
    FAILED = "failed"  # could not start


VOICE_STATES = ("idle", "listening", "thinking", "speaking")
PAIRING_EVENTS = {"device.pair.requested": "device", "node.pair.requested": "node"}
PAIRING_RESOLVED = {"device.pair.resolved": "device", "node.pair.resolved": "node"}
SNAPSHOT_EVENTS = frozenset({"exec.approval.requested", "exec.approval.resolved", *PAIRING_EVENTS, *PAIRING_RESOLVED})


@dataclass(frozen=True)
class PairingRequest:
    """One pending pairing request as the dialog shows it (``kind``: device or node)."""

    kind: str
    request_id: str
    payload: dict[str, Any]


@dataclass
class StatusTracker:
    """Folds events into the tray's state. ``on_event`` returns whether anything changed."""

    own_device_id: str | None = None
    """This app's device id: its own operator link and node are not "connected devices"."""
    mode: GatewayMode = GatewayMode.STARTING
    url: str = ""
    model: str | None = None
    link_state: str = "stopped"
    link_error: str | None = None
    voice: str = "idle"
    voice_wake: bool = False
    voice_problem: str | None = None
    """A microphone or speaker is missing, or voice failed to start: attention, and why."""
    voice_note: str | None = None
    """What voice is doing besides its state ("loading the speech models…", "paused")."""
    talk_mode: bool = False
    approvals: set[str] = field(default_factory=set)
    pairings: dict[str, PairingRequest] = field(default_factory=dict)
    runs: set[str] = field(default_factory=set)
    devices: set[str] = field(default_factory=set)
    _journal: list[tuple[str, dict[str, Any]]] | None = field(default=None, repr=False)

    # ---- inputs ---------------------------------------------------------------------
    def on_event(self, name: str, payload: dict[str, Any]) -> bool:
        """Apply one gateway event; unknown events change nothing."""
        if self._journal is not None and name in SNAPSHOT_EVENTS:
            self._journal.append((name, payload))
        if name == "exec.approval.requested" and isinstance(payload.get("id"), str):
            return _add(self.approvals, payload["id"])
        if name == "exec.approval.resolved" and isinstance(payload.get("id"), str):
            return _discard(self.approvals, payload["id"])
        if name in PAIRING_EVENTS and isinstance(payload.get("requestId"), str):
            if self.is_own_node(PAIRING_EVENTS[name], payload):
                return False  # the app approves its own node's commands itself
            rid = payload["requestId"]
            changed = rid not in self.pairings
            self.pairings[rid] = PairingRequest(PAIRING_EVENTS[name], rid, dict(payload))
            return changed
        if name in PAIRING_RESOLVED and isinstance(payload.get("requestId"), str):
            return self.pairings.pop(payload["requestId"], None) is not None
        if name == "agent":
            return self._on_agent(payload)
        if name == "chat" and payload.get("state") in ("final", "error", "aborted"):
            return _discard(self.runs, str(payload.get("runId")))
        if name == "presence" and isinstance(payload.get("presence"), list):
            return self.set_presence(payload["presence"])
        if name == "shutdown":
            return self._clear_live()
        return False

    def _on_agent(self, payload: dict[str, Any]) -> bool:
        data = payload.get("data")
        data = data if isinstance(data, dict) else {}
        run_id = payload.get("runId")
        if payload.get("stream") != "lifecycle" or not isinstance(run_id, str):
            return False
        if data.get("phase") == "start":
            return _add(self.runs, run_id)
        if data.get("phase") in ("end", "error"):
            return _discard(self.runs, run_id)
        return False

    def is_own_node(self, kind: str, payload: dict[str, Any]) -> bool:
        """A ``node.pair`` request from this desktop's own node (same device identity)."""
        return kind == "node" and self.own_device_id is not None and payload.get("nodeId") == self.own_device_id

    def set_presence(self, entries: list[Any]) -> bool:
        """Count distinct connected clients, not sockets, leaving out the gateway and this app."""
        seen: set[str] = set()
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("reason") == "self" or "gateway" in (entry.get("roles") or ()):
                continue
            key = entry.get("deviceId") or entry.get("instanceId")
            if isinstance(key, str) and key and key != self.own_device_id:
                seen.add(key)
        changed = seen != self.devices
        self.devices = seen
        return changed

    def begin_snapshot(self) -> None:
        """Listings are about to be fetched: remember events arriving meanwhile.

        The listing calls take several round trips; an event that arrives between them
        is newer than the listing it would otherwise be overwritten by.
        """
        self._journal = []

    def load_pending(self, approvals: list[Any], device_pending: list[Any], node_pending: list[Any]) -> None:
        """Replace the pending sets with a fresh listing (after every (re)connect), then
        re-apply the events that arrived since :meth:`begin_snapshot`."""
        self.approvals = {a["id"] for a in approvals if isinstance(a, dict) and isinstance(a.get("id"), str)}
        self.pairings = {}
        for kind, rows in (("device", device_pending), ("node", node_pending)):
            for row in rows:
                if isinstance(row, dict) and isinstance(row.get("requestId"), str) \
                        and not self.is_own_node(kind, row):
                    self.pairings[row["requestId"]] = PairingRequest(kind, row["requestId"], dict(row))
        journal, self._journal = self._journal or [], None
        for name, payload in journal:
            self.on_event(name, payload)

    def set_link(self, state: str, error: str | None) -> bool:
        changed = (state, error) != (self.link_state, self.link_error)
        self.link_state, self.link_error = state, error
        if state != "connected":
            # What we knew came from the gateway: without the link it may be stale, and
            # a fresh listing replaces it on reconnect.
            changed = self._clear_live() or changed
        return changed

    def set_voice(self, state: str, note: str | None = None) -> bool:
        """The voice pipeline's state (one of ``VOICE_STATES``) and an optional note."""
        if state not in VOICE_STATES:
            raise ValueError(f"voice state must be one of {', '.join(VOICE_STATES)}")
        changed = (state, note) != (self.voice, self.voice_note)
        self.voice, self.voice_note = state, note
        return changed

    def set_voice_problem(self, problem: str | None) -> bool:
        """A device problem (or None once it is solved): shown as needing attention."""
        changed, self.voice_problem = problem != self.voice_problem, problem
        return changed

    def _clear_live(self) -> bool:
        changed = bool(self.runs or self.devices)
        self.runs, self.devices = set(), set()
        return changed

    # ---- outputs --------------------------------------------------------------------
    @property
    def pending_count(self) -> int:
        return len(self.approvals) + len(self.pairings)

    @property
    def gateway_ok(self) -> bool:
        return self.mode in (GatewayMode.HOSTED, GatewayMode.ATTACHED) and self.link_state == "connected"

    def state(self) -> TrayState:
        """Error and stop first (the app is not doing its job), then what needs the user,
        then what the voice is doing, then agent work."""
        if self.mode == GatewayMode.FAILED:
            return TrayState.ERROR
        if self.mode == GatewayMode.PAUSED:
            return TrayState.STOPPED
        if self.mode == GatewayMode.ATTACHED and self.link_state != "connected" and self.link_error:
            return TrayState.ERROR
        if self.pending_count or self.voice_problem:
            return TrayState.ATTENTION
        if self.voice == "speaking":
            return TrayState.SPEAKING
        if self.voice == "listening":
            return TrayState.LISTENING
        if self.voice == "thinking" or self.runs:
            return TrayState.THINKING
        if self.mode == GatewayMode.HOSTED and self.link_state != "connected" and self.link_error:
            return TrayState.ERROR
        return TrayState.IDLE

    def gateway_text(self) -> str:
        if self.mode == GatewayMode.FAILED:
            return "Gateway failed to start"
        if self.mode == GatewayMode.PAUSED:
            return f"Gateway paused ({self.url})" if self.url else "Gateway paused"
        if self.mode == GatewayMode.STARTING:
            return "Gateway starting…"
        where = self.url + (" (attached)" if self.mode == GatewayMode.ATTACHED else "")
        if self.link_state != "connected":
            return f"{where}: {self.link_error or self.link_state}"
        return where

    def status_lines(self) -> list[str]:
        """Menu status: address, model, connected devices (one short line each)."""
        devices = len(self.devices)
        return [self.gateway_text(), f"Model: {self.model or 'not set'}",
                f"{devices} device{'s' if devices != 1 else ''} connected"]

    def tooltip(self) -> str:
        pending = self.pending_count
        extra = f" — {pending} waiting for you" if pending else ""
        lines = self.status_lines()
        voice = self.voice_problem or self.voice_note
        if voice:
            lines.append(f"Voice: {voice}")
        return f"OpenClaw: {self.state().value}{extra}\n" + "\n".join(lines)


def _add(items: set[str], item: str) -> bool:
    if item in items:
        return False
    items.add(item)
    return True


def _discard(items: set[str], item: str) -> bool:
    if item not in items:
        return False
    items.discard(item)
    return True
