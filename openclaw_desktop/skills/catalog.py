"""The loaded skill set and its two renderings: the system-prompt block and ``skills.status``.

Pure: the catalog is built by ``loader.load_skills``; nothing here touches files.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from .model import Skill, SkillWarning

# Default budget for the prompt block. The reference budgets it too
# (`skills.limits.maxSkillsPromptChars`); a catalogue this size is ~2k tokens at most.
DEFAULT_PROMPT_MAX_CHARS = 8_000

_PROMPT_HEAD = (
    "## Skills\n"
    "Skills are instructions for specific tasks. When a request matches a skill's description, "
    "first `read` its SKILL.md (the location below) and follow it; read only the skill you need. "
    "Paths in a SKILL.md are relative to its folder.\n"
)


@dataclass(frozen=True, slots=True)
class SkillCatalog:
    """Winning skills sorted by name, the warnings of this load, and the agent filter used."""

    skills: tuple[Skill, ...]
    warnings: tuple[SkillWarning, ...] = ()
    agent_filter: tuple[str, ...] | None = None

    def eligible(self) -> tuple[Skill, ...]:
        """Skills this agent may use now: eligible on this host and admitted by the agent filter."""
        return tuple(skill for skill in self.skills if skill.available)

    def get(self, name: str) -> Skill | None:
        """The skill called ``name``, eligible or not."""
        return next((skill for skill in self.skills if skill.name == name), None)

    def bins(self) -> tuple[str, ...]:
        """Every binary any loaded skill names (``skills.bins``; exec auto-allow for nodes)."""
        names = {b for s in self.skills for b in (*s.manifest.requirements.bins, *s.manifest.requirements.any_bins)}
        return tuple(sorted(names))

    def prompt_block(self, max_chars: int = DEFAULT_PROMPT_MAX_CHARS) -> str:
        """The system-prompt text: an ``<available_skills>`` list of model-visible skills.

        Each entry has name, description and the absolute SKILL.md location for ``read``.
        Returns ``""`` when no skill is visible. Entries that would push the text past
        ``max_chars`` are left out and counted in a closing comment, so the prompt stays
        bounded whatever is installed.
        """
        visible = [skill for skill in self.skills if skill.model_visible]
        if not visible:
            return ""
        closing = "</available_skills>\n"
        parts = [_PROMPT_HEAD, "<available_skills>\n"]
        used = sum(map(len, parts)) + len(closing)
        omitted = 0
        for skill in visible:
            entry = (f"  <skill>\n    <name>{escape(skill.name)}</name>\n"
                     f"    <description>{escape(skill.description, quote=False)}</description>\n"
                     f"    <location>{escape(str(skill.manifest.file_path), quote=False)}</location>\n"
                     "  </skill>\n")
            if used + len(entry) > max_chars:
                omitted += 1
                continue
            parts.append(entry)
            used += len(entry)
        if omitted:
            parts.append(f"  <!-- {omitted} more skill(s) left out to fit the prompt budget -->\n")
        parts.append(closing)
        return "".join(parts)

    def status_payload(self, workspace_dir: Path | str, managed_dir: Path | str,
                       agent_id: str | None) -> dict[str, Any]:
        """The ``skills.status`` result (§8.3) for these skills, every one of them, sorted by name."""
        payload: dict[str, Any] = {"workspaceDir": str(workspace_dir), "managedSkillsDir": str(managed_dir)}
        if agent_id is not None:
            payload["agentId"] = agent_id
        if self.agent_filter is not None:
            payload["agentSkillFilter"] = list(self.agent_filter)
        payload["skills"] = [_status_entry(skill) for skill in self.skills]
        return payload


def _status_entry(skill: Skill) -> dict[str, Any]:
    manifest, gate = skill.manifest, skill.gate
    entry: dict[str, Any] = {
        "name": manifest.name, "description": manifest.description, "source": skill.source.kind.value,
        "bundled": skill.bundled, "filePath": str(manifest.file_path), "baseDir": str(manifest.base_dir),
        "skillKey": manifest.key,
    }
    for key, value in (("primaryEnv", manifest.primary_env), ("emoji", manifest.emoji),
                       ("homepage", manifest.homepage)):
        if value is not None:
            entry[key] = value
    entry.update({
        "always": manifest.always, "disabled": gate.disabled,
        "blockedByAllowlist": gate.blocked_by_allowlist, "blockedByAgentFilter": gate.blocked_by_agent_filter,
        "eligible": skill.eligible, "platformIncompatible": gate.platform_incompatible,
        "modelVisible": skill.model_visible, "userInvocable": manifest.user_invocable,
        "commandVisible": skill.command_visible,
        "requirements": manifest.requirements.to_json(), "missing": gate.missing.to_json(),
        "configChecks": [{"path": c.path, "satisfied": c.satisfied} for c in gate.config_checks],
        "install": [spec.to_json() for spec in manifest.install],
    })
    return entry
