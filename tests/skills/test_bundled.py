"""The skills shipped in the repo's top-level skills/ folder."""

from __future__ import annotations

import re
from pathlib import Path

from openclaw_desktop.skills import (
    SkillSource,
    SkillSourceKind,
    bundled_skills_dir,
    load_skills,
)

from .helpers import which_from

EXPECTED = {"git-helper", "memory-notes", "system-info", "web-research"}
AGENT_TOOLS = {"exec", "read", "write", "edit", "ls", "memory_search", "memory_get", "memory_append",
               "web_fetch"}


def load(**kw):
    return load_skills([SkillSource(bundled_skills_dir(), SkillSourceKind.BUNDLED)], **kw)


def test_bundled_dir_is_the_repo_skills_folder() -> None:
    assert bundled_skills_dir().resolve() == Path(__file__).resolve().parents[2] / "skills"
    assert bundled_skills_dir().is_dir()


def test_every_bundled_skill_loads_without_warnings() -> None:
    catalog = load(which=which_from(["git"]), env={}, platform="linux")
    assert catalog.warnings == ()
    assert EXPECTED <= {skill.name for skill in catalog.skills}
    for skill in catalog.skills:
        assert skill.bundled and skill.eligible, skill.name
        assert skill.manifest.base_dir.name == skill.name
        assert 40 <= len(skill.description) <= 1024
        assert skill.manifest.emoji
        assert len(skill.manifest.body) > 500, f"{skill.name} has too little instruction"


def test_instructions_only_name_tools_the_agent_has() -> None:
    for skill in load(which=which_from(["git"]), env={}).skills:
        named = set(re.findall(r"`(memory_\w+|web_\w+)`", skill.manifest.body))
        assert named <= AGENT_TOOLS, (skill.name, named - AGENT_TOOLS)


def test_git_helper_is_gated_on_git() -> None:
    assert not load(which=which_from([]), env={}).get("git-helper").eligible
    assert load(which=which_from(["git"]), env={}).get("git-helper").eligible


def test_system_info_runs_on_all_desktop_platforms() -> None:
    for platform in ("linux", "darwin", "win32"):
        assert load(which=which_from([]), env={}, platform=platform).get("system-info").eligible


def test_bundled_skills_appear_in_the_prompt() -> None:
    block = load(which=which_from(["git"]), env={}).prompt_block()
    for name in EXPECTED:
        assert f"<name>{name}</name>" in block
        assert str(bundled_skills_dir() / name / "SKILL.md") in block
