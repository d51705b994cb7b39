"""Parse one SKILL.md (text in, manifest and warnings out) per reference §10.1.

The front matter is YAML between ``---`` lines. Like OpenClaw, a block that YAML rejects
(typically an unquoted ``description: use X: do Y``) gets a second chance through a
line-based ``key: value`` reader; ``metadata`` may be a mapping or a JSON5 string.

Validation fails closed where a mistake would widen access: metadata or requirements we
cannot read make the skill *skipped*, never loaded ungated. Cosmetic problems (a name that
differs from its folder, an over-long description) only warn.

Pure: no file access, no logging. Imports PyYAML and json5.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import json5
import yaml

from .model import InstallSpec, Requirements, SkillManifest, SkillWarning

try:  # The C loader is ~10x faster; fall back when PyYAML was built without libyaml.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the wheel
    _Loader = yaml.SafeLoader

# AgentSkills naming: it becomes a slash command, a config key and a folder name, so only
# lowercase ASCII letters, digits and single inner hyphens, at most 64 characters.
NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME_MAX = 64
DESCRIPTION_MAX = 1024
KNOWN_OS = frozenset({"darwin", "linux", "win32"})
_OS_ALIASES = {"macos": "darwin", "mac": "darwin", "osx": "darwin", "windows": "win32", "win": "win32"}
_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_LINE_KEY = re.compile(r"^([A-Za-z][\w-]*)[ \t]*:[ \t]?(.*)$")


class _Invalid(Exception):
    """A problem that makes the skill unusable; carries the message for the warning."""


def parse_skill_md(text: str, file_path: Path) -> tuple[SkillManifest | None, tuple[SkillWarning, ...]]:
    """Parse ``text`` (the contents of ``file_path``) into a manifest.

    Returns ``(None, warnings)`` when the skill must be skipped; the last warning then has
    ``skipped=True`` and says why. Non-fatal findings come back with ``skipped=False``.
    """
    notes: list[str] = []
    try:
        manifest = _parse(text, file_path, notes)
    except _Invalid as problem:
        soft = tuple(SkillWarning(file_path, note, skipped=False) for note in notes)
        return None, (*soft, SkillWarning(file_path, str(problem)))
    return manifest, tuple(SkillWarning(file_path, note, skipped=False) for note in notes)


def _split_front_matter(text: str) -> tuple[str, str]:
    """Return ``(front_matter, body)``; raises ``_Invalid`` without a closed ``---`` block."""
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    if not lines or not _FENCE.match(lines[0].rstrip("\r\n")):
        raise _Invalid("no YAML front matter (the file must start with a '---' line)")
    for index in range(1, len(lines)):
        if _CLOSE.match(lines[index].rstrip("\r\n")):
            return "".join(lines[1:index]), "".join(lines[index + 1:])
    raise _Invalid("front matter is not closed (no second '---' line)")


def _parse(text: str, file_path: Path, notes: list[str]) -> SkillManifest:
    header, body = _split_front_matter(text)
    fields = _load_header(header, notes)
    base_dir = file_path.parent
    name = _name(fields, base_dir.name, notes)
    description = fields.get("description")
    if not isinstance(description, str) or not description.strip():
        raise _Invalid("'description' is missing or not a non-empty string")
    description = " ".join(description.split())
    if len(description) > DESCRIPTION_MAX:
        notes.append(f"description is {len(description)} characters (AgentSkills allows {DESCRIPTION_MAX})")
    block = _openclaw_block(fields.get("metadata"))
    homepage = _opt_str(block.get("homepage")) or _opt_str(fields.get("homepage"))
    return SkillManifest(
        name=name, description=description, file_path=file_path, base_dir=base_dir,
        body=body.replace("{baseDir}", str(base_dir)),
        skill_key=_opt_str(block.get("skillKey")) or "",
        homepage=homepage, emoji=_opt_str(block.get("emoji")), primary_env=_opt_str(block.get("primaryEnv")),
        # `always` skips the requirement checks, so anything but a clear yes means no.
        always=_flag(block.get("always"), False, "metadata.openclaw.always", notes),
        user_invocable=_flag(fields.get("user-invocable"), True, "user-invocable", notes),
        disable_model_invocation=_flag(fields.get("disable-model-invocation"), False,
                                       "disable-model-invocation", notes),
        requirements=_requirements(block, notes),
        install=_install(block.get("install"), notes),
    )


def _load_header(header: str, notes: list[str]) -> Mapping[str, Any]:
    try:
        loaded = yaml.load(header, Loader=_Loader)  # a SafeLoader: plain data only, no objects
    except yaml.YAMLError as error:
        fields = _line_fallback(header)
        if not isinstance(fields.get("description"), str):
            raise _Invalid(f"front matter is not valid YAML: {_one_line(error)}") from None
        notes.append(f"front matter is not valid YAML ({_one_line(error)}); read it line by line instead")
        return fields
    if loaded is None:
        return {}
    if not isinstance(loaded, Mapping):
        raise _Invalid("front matter is not a mapping of keys to values")
    return loaded


def _line_fallback(header: str) -> dict[str, Any]:
    """Single-line ``key: value`` reader; indented lines continue the previous value."""
    fields: dict[str, str] = {}
    key: str | None = None
    for raw in header.splitlines():
        match = _LINE_KEY.match(raw)
        if match:
            key = match.group(1)
            fields[key] = match.group(2).strip()
        elif key is not None and raw[:1] in (" ", "\t"):
            fields[key] = f"{fields[key]}\n{raw.strip()}".strip()
    return {key: _unquote(value) for key, value in fields.items()}


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _name(fields: Mapping[str, Any], folder: str, notes: list[str]) -> str:
    raw = fields.get("name")
    if raw is None:
        # §10.1: the folder name stands in for a missing `name`.
        notes.append(f"'name' is missing; using the folder name '{folder}'")
        raw = folder
    if not isinstance(raw, str):
        raise _Invalid(f"'name' must be a string, got {type(raw).__name__}")
    name = raw.strip()
    if not name or len(name) > NAME_MAX or not NAME_RE.match(name):
        raise _Invalid(f"invalid name {name!r}: use 1-{NAME_MAX} lowercase letters, digits and single "
                       "hyphens, not starting or ending with a hyphen")
    if name != folder:
        notes.append(f"name '{name}' differs from its folder '{folder}'")
    return name


def _openclaw_block(metadata: Any) -> Mapping[str, Any]:
    """``metadata.openclaw`` (legacy ``clawdbot``) as a mapping; unreadable → skip the skill."""
    if metadata is None or metadata == "":
        return {}
    if isinstance(metadata, str):
        try:
            metadata = json5.loads(metadata)
        except ValueError as error:
            raise _Invalid(f"'metadata' is not valid JSON5: {_one_line(error)}") from None
    if not isinstance(metadata, Mapping):
        raise _Invalid("'metadata' must be a mapping")
    block = metadata.get("openclaw", metadata.get("clawdbot"))
    if block is None:
        return {}
    if not isinstance(block, Mapping):
        raise _Invalid("'metadata.openclaw' must be a mapping")
    return block


def _requirements(block: Mapping[str, Any], notes: list[str]) -> Requirements:
    requires = block.get("requires") or {}
    if not isinstance(requires, Mapping):
        raise _Invalid("'metadata.openclaw.requires' must be a mapping")
    systems = []
    for value in _strings(block.get("os"), "metadata.openclaw.os"):
        system = _OS_ALIASES.get(value.lower(), value.lower())
        if system not in KNOWN_OS:
            notes.append(f"unknown os '{value}' (expected darwin, linux or win32); it never matches")
        systems.append(system)
    return Requirements(
        bins=_strings(requires.get("bins"), "requires.bins"),
        any_bins=_strings(requires.get("anyBins"), "requires.anyBins"),
        env=_strings(requires.get("env"), "requires.env"),
        config=_strings(requires.get("config"), "requires.config"),
        os=tuple(systems),
    )


def _strings(value: Any, where: str) -> tuple[str, ...]:
    """A list of non-empty strings (a lone string counts as one); anything else is fatal."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise _Invalid(f"'{where}' must be a list of non-empty strings")
    return tuple(item.strip() for item in value)


def _install(value: Any, notes: list[str]) -> tuple[InstallSpec, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        notes.append("'metadata.openclaw.install' is not a list; ignored")
        return ()
    specs = []
    for index, entry in enumerate(value):
        kind = entry.get("kind") if isinstance(entry, Mapping) else None
        if not isinstance(kind, str):
            notes.append(f"install[{index}] has no 'kind'; ignored")
            continue
        bins = entry.get("bins")
        specs.append(InstallSpec(
            id=_opt_str(entry.get("id")) or f"{kind}-{index}", kind=kind,
            label=_opt_str(entry.get("label")) or f"Install ({kind})",
            bins=tuple(b for b in bins if isinstance(b, str)) if isinstance(bins, list) else ()))
    return tuple(specs)


def _flag(value: Any, default: bool, where: str, notes: list[str]) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    notes.append(f"'{where}' is not a boolean; using {str(default).lower()}")
    return default


def _opt_str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
