"""Settings → Permissions: what this desktop lets the agent and paired apps do.

* Capability toggles for this desktop's node commands, in the config file under
  ``desktop.permissions`` = ``{screen, camera, location, notify, run}`` (booleans;
  only notifications are on by default). The desktop node reads them on connect.
* Command safety, in the exec approvals document (``exec.approvals.get|set``): the
  ``defaults`` security and ask modes, and the allowlist entries the user wrote.
* Allow-always grants (``exec.approval.grants.list|revoke``), each with Revoke.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .ports import SettingsExtras, SettingsLink
from .widgets import RowList, SettingsTab, hint

PERMISSIONS_KEY = "desktop.permissions"
CAPABILITIES = (
    ("screen", "Screen: let paired apps and the agent take screenshots and recordings"),
    ("camera", "Camera: let them take photos and clips"),
    ("location", "Location: let them ask where this computer is"),
    ("notify", "Notifications: let them show notifications here"),
    ("run", "Run commands: let them run commands (each still goes through command safety)"),
)
DEFAULT_PERMISSIONS = {"screen": False, "camera": False, "location": False, "notify": True, "run": False}

SECURITY_MODES = (("deny", "Deny all commands"), ("allowlist", "Only allowlisted commands run without asking"),
                  ("full", "Allow every command (not recommended)"))
ASK_MODES = (("off", "Never ask (deny what is not allowed)"), ("on-miss", "Ask when not on the allowlist"),
             ("always", "Ask for every command"))
GENERATED = "allow-always"


def permissions_from(doc_value: Any) -> dict[str, bool]:
    """The effective toggles: defaults overlaid with the booleans found in the config."""
    out = dict(DEFAULT_PERMISSIONS)
    if isinstance(doc_value, dict):
        out.update({k: v for k, v in doc_value.items() if k in out and isinstance(v, bool)})
    return out


def describe_grant(grant: dict[str, Any], now_ms: int) -> str:
    """One line for an allow-always grant."""
    scope = grant.get("scope")
    exe = grant.get("executable") or "?"
    if scope == "exact":
        args = " ".join(grant.get("args") or [])
        text = f"{exe} {args}".strip() + f"  — exactly, in {grant.get('cwd')}"
    elif scope == "executable-in-folder":
        text = f"{exe}  — any arguments, in {grant.get('cwd')}"
    elif scope == "session":
        text = f"{exe}  — any arguments, in session {grant.get('sessionKey')}"
    elif scope == "timed":
        left = max(0, int(grant.get("expiresAtMs") or 0) - now_ms) // 60_000
        text = f"{exe}  — any arguments, {left} more minutes"
    else:
        text = f"{exe}  — {scope}"
    agent = grant.get("agentId")
    return f"{text}  (agent {agent})" if agent and agent != "main" else text


class PermissionsTab(SettingsTab):
    title = "Permissions"
    reload_events = frozenset({"config.changed", "exec.approval.resolved"})

    def __init__(self, link: SettingsLink, extras: SettingsExtras, parent: QWidget | None = None) -> None:
        super().__init__(link, extras, parent)
        self._loading = False
        self._approvals: dict[str, Any] = {}
        self.capabilities: dict[str, QCheckBox] = {}
        caps_box = QGroupBox("This computer as a device")
        caps_layout = QVBoxLayout(caps_box)
        for key, label in CAPABILITIES:
            box = QCheckBox(label)
            box.toggled.connect(lambda on, k=key: self._save_capability(k, on))
            caps_layout.addWidget(box)
            self.capabilities[key] = box
        caps_layout.addWidget(hint("Operating-system permissions (screen recording, camera, location) are "
                                   "asked for separately the first time a command needs them."))

        self.security = QComboBox()
        for value, label in SECURITY_MODES:
            self.security.addItem(label, value)
        self.ask = QComboBox()
        for value, label in ASK_MODES:
            self.ask.addItem(label, value)
        self.security.activated.connect(lambda _i: self.run(self.save_modes(), "saving command safety"))
        self.ask.activated.connect(lambda _i: self.run(self.save_modes(), "saving command safety"))
        self.agent_note = hint("")
        self.allowlist = RowList("No allowlist entries.")
        self.new_pattern = QLineEdit()
        self.new_pattern.setPlaceholderText("/usr/bin/git or a bare name such as git")
        self.add_pattern_button = QPushButton("Add")
        self.add_pattern_button.clicked.connect(self._add_clicked)
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_pattern, 1)
        add_row.addWidget(self.add_pattern_button)
        exec_box = QGroupBox("Commands the agent runs on this computer")
        exec_form = QFormLayout(exec_box)
        exec_form.addRow("Security", self.security)
        exec_form.addRow("Ask", self.ask)
        exec_form.addRow(self.agent_note)
        exec_form.addRow("Allowlist", self.allowlist)
        exec_form.addRow("", add_row)

        self.grants = RowList("No allow-always grants.")
        grants_box = QGroupBox("Allow-always grants")
        QVBoxLayout(grants_box).addWidget(self.grants)

        layout = QVBoxLayout(self)
        layout.addWidget(caps_box)
        layout.addWidget(exec_box)
        layout.addWidget(grants_box)
        layout.addWidget(self.status)
        layout.addStretch(1)

    # ---- loading --------------------------------------------------------------------
    async def load(self) -> None:
        view = await self.config.load()
        approvals = await self.link.call("exec.approvals.get", {})
        grants = await self.link.call("exec.approval.grants.list", {})
        self._loading = True
        try:
            for key, on in permissions_from(view.get(PERMISSIONS_KEY)).items():
                self.capabilities[key].setChecked(on)
            self.show_approvals(approvals)
            self.show_grants(grants.get("grants") or [])
        finally:
            self._loading = False

    def show_approvals(self, approvals: dict[str, Any]) -> None:
        self._approvals = approvals
        resolved = approvals.get("resolvedDefaults") or {}
        self.security.setCurrentIndex(max(0, self.security.findData(resolved.get("security", "allowlist"))))
        self.ask.setCurrentIndex(max(0, self.ask.findData(resolved.get("ask", "on-miss"))))
        main = ((approvals.get("file") or {}).get("agents") or {}).get("main") or {}
        overrides = [f"{k} {main[k]}" for k in ("security", "ask") if isinstance(main.get(k), str)]
        note = approvals.get("error") or (f"The main agent overrides these: {', '.join(overrides)}."
                                          if overrides else "")
        self.agent_note.setText(note)
        self.agent_note.setVisible(bool(note))
        rows = []
        for where, entry in self._entries():
            if entry.get("source") == GENERATED:
                continue  # shown (and revoked) as grants below
            text = entry.get("pattern", "")
            if entry.get("argPattern"):
                text += f"  (arguments matching {entry['argPattern']})"
            if where != "defaults":
                text += f"  (agent {where})"
            rows.append((entry.get("id") or f"{where}:{entry.get('pattern')}", text,
                         [("Remove", lambda w=where, e=entry: self.run(self.remove_entry(w, e),
                                                                       "removing the entry"))]))
        self.allowlist.set_rows(rows)

    def _entries(self) -> list[tuple[str, dict[str, Any]]]:
        file = self._approvals.get("file") or {}
        out = [("defaults", e) for e in (file.get("defaults") or {}).get("allowlist") or []]
        for agent, settings in (file.get("agents") or {}).items():
            out += [(agent, e) for e in (settings or {}).get("allowlist") or []]
        return [(w, e) for w, e in out if isinstance(e, dict)]

    def show_grants(self, grants: list[dict[str, Any]]) -> None:
        now = int(time.time() * 1000)
        self.grants.set_rows([self._grant_row(g, now) for g in grants if g.get("grantId")])

    def _grant_row(self, grant: dict[str, Any], now_ms: int) -> tuple[str, str, list[tuple[str, Any]]]:
        gid = str(grant.get("grantId"))
        return gid, describe_grant(grant, now_ms), [("Revoke", lambda: self.run(self.revoke_grant(gid), "revoking"))]

    # ---- writes ---------------------------------------------------------------------
    def _save_capability(self, key: str, on: bool) -> None:
        if not self._loading:
            self.run(self.save_capability(key, on), "saving the permission")

    async def save_capability(self, key: str, on: bool) -> None:
        await self.config.set_value(f"{PERMISSIONS_KEY}.{key}", on)
        self.status.show_ok("Saved. Connected apps see the change when the desktop node reconnects.")

    async def _edit_document(self, mutate: Any) -> None:
        """Read-modify-write of the approvals document with its base hash."""
        current = await self.link.call("exec.approvals.get", {})
        if current.get("error"):
            raise ValueError(current["error"])
        doc = copy.deepcopy(current.get("file") or {"version": 1})
        doc.setdefault("version", 1)
        mutate(doc)
        saved = await self.link.call("exec.approvals.set", {"file": doc, "baseHash": current.get("hash")})
        self.show_approvals(saved)

    async def save_modes(self) -> None:
        security, ask = self.security.currentData(), self.ask.currentData()

        def apply(doc: dict[str, Any]) -> None:
            defaults = doc.setdefault("defaults", {})
            defaults["security"], defaults["ask"] = security, ask

        await self._edit_document(apply)
        self.status.show_ok("Command safety saved; it applies to the next command.")

    def _add_clicked(self) -> None:
        pattern = self.new_pattern.text().strip()
        if pattern:
            self.new_pattern.clear()
            self.run(self.add_entry(pattern), "adding the entry")

    async def add_entry(self, pattern: str) -> None:
        await self._edit_document(lambda doc: doc.setdefault("defaults", {}).setdefault("allowlist", []).append(
            {"pattern": pattern}))
        self.status.show_ok(f"{pattern} added to the allowlist.")

    async def remove_entry(self, where: str, entry: dict[str, Any]) -> None:
        def drop(doc: dict[str, Any]) -> None:
            holder = doc.get("defaults", {}) if where == "defaults" else (doc.get("agents") or {}).get(where, {})
            kept = [e for e in holder.get("allowlist") or [] if not _same_entry(e, entry)]
            holder["allowlist"] = kept

        await self._edit_document(drop)
        self.status.show_ok(f"{entry.get('pattern')} removed from the allowlist.")

    async def revoke_grant(self, grant_id: str) -> None:
        result = await self.link.call("exec.approval.grants.revoke", {"grantId": grant_id})
        grants = await self.link.call("exec.approval.grants.list", {})
        self.show_grants(grants.get("grants") or [])
        self.status.show_ok("Grant revoked." if result.get("outcome") == "revoked" else "That grant was already gone.")


def _same_entry(a: Any, b: dict[str, Any]) -> bool:
    if not isinstance(a, dict):
        return False
    if b.get("id"):
        return a.get("id") == b["id"]
    return a.get("pattern") == b.get("pattern") and a.get("argPattern") == b.get("argPattern")
