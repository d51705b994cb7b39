"""Settings → Skills: every skill the gateway knows (``skills.status``), whether the
agent can use it, and if not, why not (missing programs, environment variables, config
keys, another operating system, disabled or blocked)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .ports import SettingsExtras, SettingsLink
from .widgets import SettingsTab, hint

SOURCE_NAMES = {
    "openclaw-workspace": "workspace", "agents-skills-project": "project .agents",
    "agents-skills-personal": "your ~/.agents", "openclaw-managed": "installed", "openclaw-bundled": "bundled",
    "openclaw-extra": "extra folder",
}


def why_not(skill: dict[str, Any]) -> str:
    """Why a skill is not eligible, in words (empty when it is)."""
    if skill.get("eligible"):
        return ""
    reasons = []
    if skill.get("disabled"):
        reasons.append("turned off in the config")
    if skill.get("blockedByAllowlist"):
        reasons.append("not on the bundled-skills allowlist")
    if skill.get("blockedByAgentFilter"):
        reasons.append("filtered out for this agent")
    missing = skill.get("missing") or {}
    if missing.get("os"):
        reasons.append("needs " + " or ".join(missing["os"]))
    if missing.get("bins"):
        reasons.append("missing program" + ("s " if len(missing["bins"]) > 1 else " ") + ", ".join(missing["bins"]))
    if missing.get("anyBins"):
        reasons.append("needs one of " + ", ".join(missing["anyBins"]))
    if missing.get("env"):
        reasons.append("set " + ", ".join(missing["env"]))
    if missing.get("config"):
        reasons.append("set config " + ", ".join(missing["config"]))
    return "; ".join(reasons) or "not eligible"


class SkillsTab(SettingsTab):
    title = "Skills"
    reload_events = frozenset({"config.changed"})

    def __init__(self, link: SettingsLink, extras: SettingsExtras, parent: QWidget | None = None) -> None:
        super().__init__(link, extras, parent)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Skill", "Source", "Usable", "Why not"])
        self.tree.setRootIsDecorated(False)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.workspace = hint("")
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.reload)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.workspace)
        layout.addWidget(refresh)
        layout.addWidget(self.status)

    async def load(self) -> None:
        status = await self.link.call("skills.status", {})
        self.show_skills(status.get("skills") or [])
        self.workspace.setText(f"Add your own skills in {status.get('workspaceDir')}/skills "
                               f"or {status.get('managedSkillsDir')}.")

    def show_skills(self, skills: list[dict[str, Any]]) -> None:
        self.tree.clear()
        for skill in skills:
            # No emoji column: many Linux desktops have no colour-emoji font (tofu boxes).
            item = QTreeWidgetItem([str(skill.get("name")), SOURCE_NAMES.get(str(skill.get("source")), str(skill.get("source", ""))), "yes" if skill.get("eligible") else "no",
                                    why_not(skill)])
            item.setToolTip(0, str(skill.get("description", "")))
            self.tree.addTopLevelItem(item)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """What the table shows (for tests and the screenshot check)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            out.append((item.text(0), item.text(1), item.text(2), item.text(3)))
        return out
