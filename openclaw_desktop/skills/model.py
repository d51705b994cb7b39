"""Typed values of the skills domain: where skills come from, what a SKILL.md declares,
and what the gate decided about it (reference §10).

Pure data: no file access, no logging. Imports nothing of ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class SkillSourceKind(StrEnum):
    """Where a skills root sits; the values are OpenClaw's ``source`` strings in ``skills.status``."""

    WORKSPACE = "openclaw-workspace"
    AGENTS_PROJECT = "agents-skills-project"   # <workspace>/.agents/skills
    AGENTS_PERSONAL = "agents-skills-personal"  # ~/.agents/skills
    MANAGED = "openclaw-managed"               # <state>/skills
    BUNDLED = "openclaw-bundled"               # this repo's skills/
    EXTRA = "openclaw-extra"                   # skills.load.extraDirs


@dataclass(frozen=True, slots=True)
class SkillSource:
    """One skills root (a folder holding ``<skill>/SKILL.md`` folders) and its kind."""

    path: Path
    kind: SkillSourceKind


@dataclass(frozen=True, slots=True)
class SkillWarning:
    """A problem with one SKILL.md; ``skipped`` says whether the skill was dropped because of it."""

    path: Path
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        verdict = "skipped" if self.skipped else "loaded anyway"
        return f"{self.path}: {self.message} ({verdict})"


@dataclass(frozen=True, slots=True)
class Requirements:
    """``metadata.openclaw.requires`` plus ``os``: what the host must offer (empty = nothing)."""

    bins: tuple[str, ...] = ()
    any_bins: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    config: tuple[str, ...] = ()
    os: tuple[str, ...] = ()

    def to_json(self) -> dict[str, list[str]]:
        return {"bins": list(self.bins), "anyBins": list(self.any_bins), "env": list(self.env),
                "config": list(self.config), "os": list(self.os)}

    @property
    def is_empty(self) -> bool:
        return not (self.bins or self.any_bins or self.env or self.config or self.os)


@dataclass(frozen=True, slots=True)
class InstallSpec:
    """One ``metadata.openclaw.install[]`` entry, kept for display; we never run installers here."""

    id: str
    kind: str
    label: str
    bins: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "label": self.label, "bins": list(self.bins)}


@dataclass(frozen=True, slots=True)
class SkillManifest:
    """What one SKILL.md declares, validated; ``body`` has ``{baseDir}`` already substituted."""

    name: str
    description: str
    file_path: Path
    base_dir: Path
    body: str = ""
    skill_key: str = ""
    homepage: str | None = None
    emoji: str | None = None
    primary_env: str | None = None
    always: bool = False
    user_invocable: bool = True
    disable_model_invocation: bool = False
    requirements: Requirements = field(default_factory=Requirements)
    install: tuple[InstallSpec, ...] = ()

    @property
    def key(self) -> str:
        """The ``skills.entries`` key: ``skillKey`` when given, else the name."""
        return self.skill_key or self.name


@dataclass(frozen=True, slots=True)
class ConfigCheck:
    """One ``requires.config`` path and whether the config made it truthy."""

    path: str
    satisfied: bool


@dataclass(frozen=True, slots=True)
class Gate:
    """The gate's verdict on one skill (§10.3). ``missing`` mirrors ``requirements``' shape."""

    missing: Requirements = field(default_factory=Requirements)
    disabled: bool = False
    blocked_by_allowlist: bool = False
    blocked_by_agent_filter: bool = False
    config_checks: tuple[ConfigCheck, ...] = ()

    @property
    def platform_incompatible(self) -> bool:
        return bool(self.missing.os)


@dataclass(frozen=True, slots=True)
class Skill:
    """A loaded skill: its manifest, the source it won from and the gate's verdict."""

    manifest: SkillManifest
    source: SkillSource
    gate: Gate
    eligible: bool

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def description(self) -> str:
        return self.manifest.description

    @property
    def bundled(self) -> bool:
        return self.source.kind is SkillSourceKind.BUNDLED

    @property
    def available(self) -> bool:
        """Eligible and admitted by the agent's skill filter: may be offered to this agent."""
        return self.eligible and not self.gate.blocked_by_agent_filter

    @property
    def model_visible(self) -> bool:
        """Goes into the system prompt (``disable-model-invocation`` keeps it slash-only)."""
        return self.available and not self.manifest.disable_model_invocation

    @property
    def command_visible(self) -> bool:
        """Offered as a ``/name`` slash command."""
        return self.available and self.manifest.user_invocable
