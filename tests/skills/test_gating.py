"""Gating (§10.3) with an injected PATH, environment, config and platform."""

from __future__ import annotations

from pathlib import Path

import pytest

from openclaw_desktop.skills import (
    SkillSource,
    SkillSourceKind,
    load_skills,
    normalize_platform,
)

from .helpers import config_from, simple, which_from, write_skill


def gate(tmp_path: Path, metadata: str, *, bins=(), env=None, config=None, platform="linux",
         kind=SkillSourceKind.WORKSPACE, agent_filter=None, name="s"):
    write_skill(tmp_path, name, simple(name, extra=f"metadata: {metadata}" if metadata else ""))
    catalog = load_skills([SkillSource(tmp_path, kind)], which=which_from(bins), env=env or {},
                          config_lookup=config_from(config or {}), platform=platform, agent_filter=agent_filter)
    assert catalog.warnings == ()
    return catalog.get(name)


def missing(skill) -> dict[str, list[str]]:
    return {key: value for key, value in skill.gate.missing.to_json().items() if value}


def test_no_requirements_is_eligible(tmp_path: Path) -> None:
    skill = gate(tmp_path, "")
    assert skill.eligible and skill.available and missing(skill) == {}


@pytest.mark.parametrize(("bins", "eligible", "absent"), [
    ((), False, {"bins": ["git", "gh"]}),
    (("git",), False, {"bins": ["gh"]}),
    (("git", "gh"), True, {}),
])
def test_bins_must_all_be_on_path(tmp_path: Path, bins, eligible, absent) -> None:
    skill = gate(tmp_path, "{openclaw: {requires: {bins: [git, gh]}}}", bins=bins)
    assert skill.eligible is eligible and missing(skill) == absent


@pytest.mark.parametrize(("bins", "eligible"), [((), False), (("rg",), True), (("ag", "rg"), True)])
def test_any_bins_needs_one(tmp_path: Path, bins, eligible) -> None:
    skill = gate(tmp_path, "{openclaw: {requires: {anyBins: [rg, ag]}}}", bins=bins)
    assert skill.eligible is eligible
    assert missing(skill) == ({} if eligible else {"anyBins": ["rg", "ag"]})


def test_env_from_process_config_env_or_api_key(tmp_path: Path) -> None:
    meta = "{openclaw: {primaryEnv: API_KEY, requires: {env: [API_KEY, REGION]}}}"
    assert missing(gate(tmp_path, meta)) == {"env": ["API_KEY", "REGION"]}
    assert missing(gate(tmp_path, meta, env={"API_KEY": "k", "REGION": ""})) == {"env": ["REGION"]}  # empty = absent
    configured = {"skills.entries.s.apiKey": "secret", "skills.entries.s.env.REGION": "eu"}
    assert gate(tmp_path, meta, config=configured).eligible
    # apiKey only stands in for primaryEnv, not for other variables.
    assert missing(gate(tmp_path, meta, config={"skills.entries.s.apiKey": "x"})) == {"env": ["REGION"]}


def test_config_paths_must_be_truthy(tmp_path: Path) -> None:
    meta = "{openclaw: {requires: {config: [browser.enabled, browser.profile]}}}"
    skill = gate(tmp_path, meta, config={"browser.enabled": True, "browser.profile": ""})
    assert not skill.eligible and missing(skill) == {"config": ["browser.profile"]}
    assert [(c.path, c.satisfied) for c in skill.gate.config_checks] == [("browser.enabled", True),
                                                                         ("browser.profile", False)]
    assert gate(tmp_path, meta, config={"browser.enabled": 1, "browser.profile": "work"}).eligible


@pytest.mark.parametrize(("platform", "eligible"), [("darwin", True), ("linux", False), ("win32", True)])
def test_os_filter(tmp_path: Path, platform: str, eligible: bool) -> None:
    skill = gate(tmp_path, "{openclaw: {os: [darwin, windows]}}", platform=platform)
    assert skill.eligible is eligible
    assert skill.gate.platform_incompatible is (not eligible)
    assert missing(skill) == ({} if eligible else {"os": ["darwin", "win32"]})


def test_always_ignores_requirements_but_not_os(tmp_path: Path) -> None:
    meta = "{openclaw: {always: true, os: [linux], requires: {bins: [nope], env: [NOPE]}}}"
    skill = gate(tmp_path, meta)
    assert skill.eligible and missing(skill) == {"bins": ["nope"], "env": ["NOPE"]}
    assert not gate(tmp_path, meta, platform="darwin").eligible


def test_disabled_in_config_by_name_or_skill_key(tmp_path: Path) -> None:
    assert not gate(tmp_path, "", config={"skills.entries.s.enabled": False}).eligible
    assert gate(tmp_path, "", config={"skills.entries.s.enabled": True}).eligible
    skill = gate(tmp_path, "{openclaw: {skillKey: custom}}", config={"skills.entries.custom.enabled": False})
    assert skill.gate.disabled and not skill.eligible


def test_allow_bundled_limits_only_bundled_skills(tmp_path: Path) -> None:
    config = {"skills.allowBundled": ["other"]}
    bundled = gate(tmp_path / "b", "", config=config, kind=SkillSourceKind.BUNDLED)
    assert bundled.gate.blocked_by_allowlist and not bundled.eligible
    assert gate(tmp_path / "w", "", config=config).eligible
    assert gate(tmp_path / "c", "", config={"skills.allowBundled": []}, kind=SkillSourceKind.BUNDLED).eligible


def test_agent_filter_is_separate_from_eligibility(tmp_path: Path) -> None:
    skill = gate(tmp_path, "", agent_filter=["someone-else"])
    assert skill.eligible and skill.gate.blocked_by_agent_filter
    assert not skill.available and not skill.model_visible


def test_real_which_finds_python(tmp_path: Path) -> None:
    import shutil
    import sys
    name = Path(sys.executable).name
    write_skill(tmp_path, "py", simple("py", extra=f"metadata: {{openclaw: {{requires: {{bins: [{name}]}}}}}}"))
    catalog = load_skills([SkillSource(tmp_path, SkillSourceKind.WORKSPACE)], env={"PATH": ""})
    assert catalog.get("py").eligible is bool(shutil.which(name))


@pytest.mark.parametrize(("raw", "normal"), [("linux", "linux"), ("linux2", "linux"), ("darwin", "darwin"),
                                             ("win32", "win32"), ("cygwin", "win32"), ("freebsd14", "freebsd14")])
def test_normalize_platform(raw: str, normal: str) -> None:
    assert normalize_platform(raw) == normal
