"""Discovery under real folders and precedence between workspace, managed and bundled skills."""

from __future__ import annotations

from pathlib import Path

import pytest

from openclaw_desktop.skills import (
    SkillSource,
    SkillSourceKind,
    default_sources,
    find_skill_files,
    load_skills,
)

from .helpers import simple, write_skill


@pytest.fixture
def roots(tmp_path: Path) -> dict[str, Path]:
    return {kind: tmp_path / kind for kind in ("workspace", "managed", "bundled")}


def sources(roots: dict[str, Path]) -> list[SkillSource]:
    return [SkillSource(roots["workspace"], SkillSourceKind.WORKSPACE),
            SkillSource(roots["managed"], SkillSourceKind.MANAGED),
            SkillSource(roots["bundled"], SkillSourceKind.BUNDLED)]


def load(roots: dict[str, Path]):
    return load_skills(sources(roots), which=lambda name: None, env={}, platform="linux")


def test_higher_source_overrides_lower_one_of_the_same_name(roots: dict[str, Path]) -> None:
    write_skill(roots["bundled"], "shared", simple("shared", "bundled version"))
    write_skill(roots["managed"], "shared", simple("shared", "managed version"))
    write_skill(roots["workspace"], "shared", simple("shared", "workspace version"))
    write_skill(roots["managed"], "only-managed", simple("only-managed"))
    write_skill(roots["bundled"], "only-bundled", simple("only-bundled"))
    catalog = load(roots)
    assert [s.name for s in catalog.skills] == ["only-bundled", "only-managed", "shared"]
    shared = catalog.get("shared")
    assert shared is not None and shared.description == "workspace version"
    assert shared.source.kind is SkillSourceKind.WORKSPACE
    assert shared.manifest.file_path == roots["workspace"] / "shared" / "SKILL.md"
    assert catalog.get("only-bundled").bundled and not catalog.get("only-managed").bundled
    assert catalog.warnings == ()


def test_managed_overrides_bundled(roots: dict[str, Path]) -> None:
    write_skill(roots["bundled"], "shared", simple("shared", "bundled version"))
    write_skill(roots["managed"], "shared", simple("shared", "managed version"))
    assert load(roots).get("shared").description == "managed version"


def test_override_is_by_name_not_folder(roots: dict[str, Path]) -> None:
    write_skill(roots["bundled"], "git-thing", simple("git-thing", "bundled"))
    write_skill(roots["workspace"], "my-git", simple("git-thing", "mine"))
    assert load(roots).get("git-thing").description == "mine"


def test_a_broken_override_does_not_hide_the_lower_skill(roots: dict[str, Path]) -> None:
    write_skill(roots["bundled"], "shared", simple("shared", "bundled version"))
    write_skill(roots["workspace"], "shared", "name: shared")  # no description: skipped
    catalog = load(roots)
    assert catalog.get("shared").description == "bundled version"
    assert len(catalog.warnings) == 1


def test_missing_roots_are_empty(tmp_path: Path) -> None:
    catalog = load_skills(default_sources(tmp_path / "nope", tmp_path / "nostate", bundled_dir=tmp_path / "none"))
    assert catalog.skills == () and catalog.warnings == ()


def test_grouped_layouts_depth_limit_and_hidden_folders(tmp_path: Path) -> None:
    write_skill(tmp_path, "top", simple("top"))
    write_skill(tmp_path, "group/inner", simple("inner"))
    write_skill(tmp_path, "a/b/c/d/e/six", simple("six"))          # 6 levels: found
    write_skill(tmp_path, "a/b/c/d/e/f/seven", simple("seven"))    # 7 levels: too deep
    write_skill(tmp_path, "top/resources/nested", simple("nested"))  # below a skill: a resource
    write_skill(tmp_path, ".hidden/secret", simple("secret"))
    write_skill(tmp_path, "node_modules/pkg", simple("pkg"))
    (tmp_path / "SKILL.md").write_text("---\nname: root\ndescription: d\n---\n")  # the root is not a skill
    found = [p.relative_to(tmp_path).as_posix() for p in find_skill_files(tmp_path)]
    assert found == ["a/b/c/d/e/six/SKILL.md", "group/inner/SKILL.md", "top/SKILL.md"]


def test_duplicate_name_within_one_source_keeps_the_first_and_warns(tmp_path: Path) -> None:
    first = write_skill(tmp_path, "a-dup", simple("dup"))
    second = write_skill(tmp_path, "b-dup", simple("dup", "second"))
    catalog = load_skills([SkillSource(tmp_path, SkillSourceKind.MANAGED)], which=lambda n: None, env={})
    assert catalog.get("dup").manifest.file_path == first
    duplicate = [w for w in catalog.warnings if "duplicate" in w.message]
    assert len(duplicate) == 1 and duplicate[0].path == second and str(first) in duplicate[0].message


def test_default_sources_order(tmp_path: Path) -> None:
    ws, state, bundled, extra = tmp_path / "ws", tmp_path / "state", tmp_path / "b", tmp_path / "x"
    got = default_sources(ws, state, bundled_dir=bundled, extra_dirs=[extra])
    assert [(s.path, s.kind) for s in got] == [
        (ws / "skills", SkillSourceKind.WORKSPACE), (ws / ".agents" / "skills", SkillSourceKind.AGENTS_PROJECT),
        (state / "skills", SkillSourceKind.MANAGED), (bundled, SkillSourceKind.BUNDLED),
        (extra, SkillSourceKind.EXTRA)]


def test_workspace_dot_agents_ranks_between_workspace_and_managed(tmp_path: Path) -> None:
    ws, state = tmp_path / "ws", tmp_path / "state"
    write_skill(state / "skills", "s", simple("s", "managed"))
    write_skill(ws / ".agents" / "skills", "s", simple("s", "project agents"))
    catalog = load_skills(default_sources(ws, state, bundled_dir=tmp_path / "none"), which=lambda n: None, env={})
    assert catalog.get("s").description == "project agents"
    write_skill(ws / "skills", "s", simple("s", "workspace"))
    catalog = load_skills(default_sources(ws, state, bundled_dir=tmp_path / "none"), which=lambda n: None, env={})
    assert catalog.get("s").description == "workspace"
