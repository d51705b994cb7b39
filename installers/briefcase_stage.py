"""Write the Briefcase staging project and (optionally) run Briefcase in it.

Briefcase reads its configuration only from ``./pyproject.toml``. We keep the Briefcase
tables in ``briefcase.toml`` so that ``pyproject.toml`` stays about the Python package, and
assemble a throw-away project for Briefcase instead (default ``build/briefcase``):

* ``pyproject.toml``: our ``[build-system]`` and ``[project]`` tables plus every
  ``[tool.briefcase...]`` table of ``briefcase.toml``; the app's ``requires`` gets the
  ``ui`` and ``voice`` extras (Briefcase merges only ``[project].dependencies``).
* ``openclaw_desktop/`` (without byte code), the licence files, ``README.md``,
  ``installers/`` and ``CHANGELOG.md`` (Linux packages need one).
* The desktop entry ``installers/linux/openclaw-desktop.desktop`` copied into the staged
  Linux template, so the package installs exactly that file.

Usage (any OS; the Python running this must have Briefcase installed)::

    python installers/briefcase_stage.py                       # only write build/briefcase
    python installers/briefcase_stage.py package macOS --adhoc-sign
    python installers/briefcase_stage.py package windows
    python installers/briefcase_stage.py package linux system --adhoc-sign

Arguments after the options are handed to ``python -m briefcase`` run in the stage.
Standard library only (``tomllib``), so it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
APP_NAME = "openclaw-desktop"
BUNDLED_EXTRAS = ("ui", "voice")
"""Optional dependency groups the installed app needs (the tray app and offline voice)."""
DESKTOP_ENTRY = Path("installers/linux/openclaw-desktop.desktop")
LINUX_TEMPLATE = Path("installers/briefcase/linux-system")
COPIED = ("LICENSE", "THIRD_PARTY_LICENSES.md", "README.md")


def staged_config(pyproject: Mapping[str, Any], briefcase: Mapping[str, Any],
                  extras: Sequence[str] = BUNDLED_EXTRAS, app_name: str = APP_NAME) -> dict[str, Any]:
    """The staged ``pyproject.toml`` document (pure: dicts in, dict out).

    Raises ``KeyError`` naming what is missing when an extra or the app table is absent,
    so a renamed extra fails the build instead of silently dropping the voice stack.
    """
    optional = pyproject["project"].get("optional-dependencies", {})
    extra_requires: list[str] = []
    for extra in extras:
        if extra not in optional:
            raise KeyError(f"pyproject.toml has no optional-dependencies group {extra!r}")
        extra_requires.extend(optional[extra])
    tool_briefcase = json.loads(json.dumps(briefcase["tool"]["briefcase"]))  # deep copy
    app = tool_briefcase["app"][app_name]
    app["requires"] = [*extra_requires, *app.get("requires", [])]
    return {
        "build-system": dict(pyproject.get("build-system", {})),
        "project": dict(pyproject["project"]),
        "tool": {"briefcase": tool_briefcase},
    }


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else json.dumps(name)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON string escapes are valid TOML
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dump_toml(doc: Mapping[str, Any]) -> str:
    """Serialise nested dicts of str/bool/number/list values (all our configs use)."""
    out: list[str] = []

    def table(path: tuple[str, ...], data: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
        if path and (scalars or not data):
            out.append("[" + ".".join(_key(p) for p in path) + "]")
        out.extend(f"{_key(k)} = {_value(v)}" for k, v in scalars.items())
        if path and (scalars or not data):
            out.append("")
        for k, v in data.items():
            if isinstance(v, dict):
                table((*path, k), v)

    table((), doc)
    return "\n".join(out).rstrip() + "\n"


def _ignore_bytecode(_dir: str, names: Iterable[str]) -> list[str]:
    return [n for n in names if n == "__pycache__" or n.endswith((".pyc", ".pyo"))]


def stage(root: Path = ROOT, dest: Path | None = None) -> Path:
    """(Re)write the staging project from the working tree at ``root``; return its path.

    The staged sources are copies, not links: Briefcase copies them again, and Windows
    cannot create symlinks without privileges. Briefcase's own ``build/`` and ``dist/``
    folders inside the stage are kept, so ``briefcase update``/``build`` stay incremental.
    """
    dest = root / "build" / "briefcase" if dest is None else dest
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    briefcase = tomllib.loads((root / "briefcase.toml").read_text(encoding="utf-8"))
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "pyproject.toml").write_text(dump_toml(staged_config(pyproject, briefcase)), encoding="utf-8")
    for name in ("openclaw_desktop", "installers"):
        if (dest / name).exists():
            shutil.rmtree(dest / name)
        shutil.copytree(root / name, dest / name, ignore=_ignore_bytecode)  # follows bundled_skills link
    for name in COPIED:
        shutil.copy2(root / name, dest / name)
    shutil.copy2(root / "installers" / "CHANGELOG.md", dest / "CHANGELOG.md")
    apps = dest / LINUX_TEMPLATE / "{{ cookiecutter.format }}" / \
        "{{ cookiecutter.app_name }}-{{ cookiecutter.version }}" / "usr" / "share" / "applications"
    apps.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / DESKTOP_ENTRY, apps / "{{ cookiecutter.app_name }}.desktop")
    return dest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, help="staging folder (default: build/briefcase)")
    parser.add_argument("briefcase_args", nargs=argparse.REMAINDER,
                        help="arguments for `python -m briefcase`, run inside the stage")
    args = parser.parse_args(argv)
    dest = stage(ROOT, args.dest.resolve() if args.dest else None)
    print(f"staged the Briefcase project in {dest}", file=sys.stderr)
    if not args.briefcase_args:
        return 0
    return subprocess.call([sys.executable, "-m", "briefcase", *args.briefcase_args], cwd=dest)


if __name__ == "__main__":
    sys.exit(main())
