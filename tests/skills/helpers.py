"""Write real SKILL.md folders for the tests, and describe hosts in one line."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path


def write_skill(root: Path, folder: str, front_matter: str | None, body: str = "Do the thing.\n") -> Path:
    """Create ``root/folder/SKILL.md``; ``front_matter`` is the YAML between the fences (None = no fences)."""
    path = root / folder / "SKILL.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "" if front_matter is None else f"---\n{textwrap.dedent(front_matter).strip()}\n---\n"
    path.write_text(header + body, encoding="utf-8")
    return path


def simple(name: str, description: str = "A test skill.", extra: str = "") -> str:
    return f"name: {name}\ndescription: {description}\n{textwrap.dedent(extra).strip()}"


def which_from(available: Iterable[str]) -> Callable[[str], str | None]:
    """A PATH that holds exactly ``available``."""
    names = set(available)
    return lambda name: f"/usr/bin/{name}" if name in names else None


def config_from(values: dict[str, object]) -> Callable[[str], object]:
    return values.get
