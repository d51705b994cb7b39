"""AgentSkills-compatible skills: SKILL.md discovery, parsing, gating and rendering (reference §10).

``load_skills`` walks the skill roots (workspace > ``.agents`` > managed > bundled > extra),
keeps the highest-precedence skill of each name, gates it against the host and returns a
``SkillCatalog`` that renders the system-prompt block and the ``skills.status`` payload.

Must not import ``gateway``, ``ui`` or any asyncio code: the gateway calls in from a thread.
"""

from .catalog import SkillCatalog
from .gating import normalize_platform
from .loader import bundled_skills_dir, default_sources, find_skill_files, load_skills
from .model import (
    Gate,
    InstallSpec,
    Requirements,
    Skill,
    SkillManifest,
    SkillSource,
    SkillSourceKind,
    SkillWarning,
)

__all__ = [
    "Gate", "InstallSpec", "Requirements", "Skill", "SkillCatalog", "SkillManifest", "SkillSource",
    "SkillSourceKind", "SkillWarning", "bundled_skills_dir", "default_sources", "find_skill_files",
    "load_skills", "normalize_platform",
]
