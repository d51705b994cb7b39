"""Find SKILL.md files under the skill roots, parse and gate them (reference §10.2).

This is the file-reading edge of the skills package: discovery and ``read_text`` happen
here, parsing (``frontmatter``) and gating (``gating``) are pure. Warnings are returned in
the catalog and also logged once each.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from .catalog import SkillCatalog
from .frontmatter import parse_skill_md
from .gating import ConfigLookup, Host, Which, evaluate
from .model import Skill, SkillManifest, SkillSource, SkillSourceKind, SkillWarning

log = logging.getLogger(__name__)

SKILL_FILE = "SKILL.md"
MAX_DEPTH = 6  # §10.2: SKILL.md is found up to six folder levels below a root.
_SKIP_DIRS = frozenset({"node_modules", "__pycache__"})


def bundled_skills_dir() -> Path:
    """The bundled skills shipped in the package (``openclaw_desktop/bundled_skills``, a
    symlink to the repo's top-level ``skills/`` that the wheel build copies in)."""
    return Path(__file__).resolve().parents[1] / "bundled_skills"


def default_sources(workspace_dir: Path, state_dir: Path, *, bundled_dir: Path | None = None,
                    extra_dirs: Sequence[Path] = ()) -> tuple[SkillSource, ...]:
    """The standard roots, highest precedence first: workspace, project ``.agents``, managed, bundled, extra.

    ``~/.agents/skills`` (personal) is left to the caller because the reference only reads
    it with the default state dir.
    """
    roots = [SkillSource(workspace_dir / "skills", SkillSourceKind.WORKSPACE),
             SkillSource(workspace_dir / ".agents" / "skills", SkillSourceKind.AGENTS_PROJECT),
             SkillSource(state_dir / "skills", SkillSourceKind.MANAGED),
             SkillSource(bundled_dir if bundled_dir is not None else bundled_skills_dir(),
                         SkillSourceKind.BUNDLED)]
    roots += [SkillSource(path, SkillSourceKind.EXTRA) for path in extra_dirs]
    return tuple(roots)


def load_skills(sources: Sequence[SkillSource], *, which: Which = shutil.which,
                env: Mapping[str, str] = os.environ, config_lookup: ConfigLookup = lambda key: None,
                platform: str = sys.platform, agent_filter: Collection[str] | None = None) -> SkillCatalog:
    """Load every skill under ``sources`` (given highest precedence first) into a catalog.

    A skill name found in a higher source hides the same name in every lower one. Within one
    source the first folder in sorted path order wins and the duplicate is reported. Missing
    roots are simply empty. ``agent_filter`` is the agent's skill allowlist (``None`` =
    unrestricted). Never raises for bad skill files: they become warnings.
    """
    host = Host(which=which, env=env, config_lookup=config_lookup, platform=platform,
                agent_filter=agent_filter)
    winners: dict[str, tuple[SkillManifest, SkillSource]] = {}
    warnings: list[SkillWarning] = []
    for source in sources:
        seen_here: dict[str, Path] = {}
        for path in find_skill_files(source.path):
            manifest, notes = _read_one(path)
            warnings += notes
            if manifest is None:
                continue
            if manifest.name in seen_here:
                warnings.append(SkillWarning(path, f"duplicate skill name '{manifest.name}' "
                                                   f"(already defined by {seen_here[manifest.name]})"))
                continue
            seen_here[manifest.name] = path
            # Sources arrive highest first, so an earlier winner shadows this one.
            winners.setdefault(manifest.name, (manifest, source))
    for warning in warnings:
        log.warning("skill %s", warning)
    skills = []
    for name in sorted(winners):
        manifest, source = winners[name]
        gate, eligible = evaluate(manifest, host, bundled=source.kind is SkillSourceKind.BUNDLED)
        skills.append(Skill(manifest=manifest, source=source, gate=gate, eligible=eligible))
    return SkillCatalog(skills=tuple(skills), warnings=tuple(warnings),
                        agent_filter=tuple(agent_filter) if agent_filter is not None else None)


def find_skill_files(root: Path) -> list[Path]:
    """Every ``<folder>/SKILL.md`` below ``root`` (sorted, not below another skill, hidden folders skipped)."""
    found: list[Path] = []

    def walk(folder: str, depth: int) -> None:
        try:
            with os.scandir(folder) as it:
                entries = sorted((e for e in it if e.is_dir()), key=lambda e: e.name)
        except OSError:
            return  # a missing or unreadable root is an empty source
        for entry in entries:
            if entry.name.startswith(".") or entry.name in _SKIP_DIRS:
                continue
            candidate = Path(entry.path) / SKILL_FILE
            if candidate.is_file():
                found.append(candidate)  # a skill's own subfolders are its resources, not skills
            elif depth < MAX_DEPTH:
                walk(entry.path, depth + 1)

    walk(str(root), 1)
    return found


def _read_one(path: Path) -> tuple[SkillManifest | None, tuple[SkillWarning, ...]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, (SkillWarning(path, f"cannot read the file: {error}"),)
    return parse_skill_md(text, path.absolute())
