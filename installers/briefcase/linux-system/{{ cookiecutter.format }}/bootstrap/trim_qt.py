"""Remove the parts of the PySide6 wheels the app never loads (run by the Makefile).

PySide6-Essentials and -Addons carry every Qt module (3D, Quick, QML, Charts, Designer …)
and Qt's developer tools: about 400 MB, most of it dead weight for a tray app. We keep

* the Python modules named on the command line (``--keep QtCore,QtGui,…``),
* the plugin folders named with ``--plugins`` (platform, image format, multimedia …),
* every shared library those need, following ELF ``NEEDED`` entries (``readelf -d``)
  through ``PySide6/Qt/lib`` until nothing new turns up (a plugin that needs a Qt library
  the wheels do not ship at all could never load, so it goes too),

and delete everything else under ``PySide6/Qt`` plus the tool executables and build-time
files (headers, type systems, stubs) beside the modules. A library the closure misses
would show up as an import error in the installed-package smoke test.

Usage: trim_qt.py APP_PACKAGES --keep QtCore,QtGui --plugins platforms,imageformats
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[(.+?)\]")
BUILD_ONLY = ("include", "typesystems", "glue", "scripts", "doc", "examples", "lib")


def needed(path: Path) -> list[str]:
    """The sonames ``path`` links against (empty for a non-ELF file)."""
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=False).stdout
    return NEEDED.findall(out)


def closure(roots: list[Path], lib_dir: Path) -> set[Path]:
    """Every file in ``lib_dir`` reachable from ``roots`` through NEEDED (symlinks resolved)."""
    keep: set[Path] = set()
    todo = list(roots)
    while todo:
        for soname in needed(todo.pop()):
            candidate = lib_dir / soname
            if not candidate.exists():
                continue  # a system library (libc, libxcb …): the package's Depends cover it
            for path in {candidate, candidate.resolve()}:
                if path not in keep:
                    keep.add(path)
                    todo.append(path)
    return keep


def remove(path: Path) -> int:
    """Delete a file, link or folder; return the bytes freed."""
    if path.is_symlink() or path.is_file():
        size = 0 if path.is_symlink() else path.stat().st_size
        path.unlink()
        return size
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    shutil.rmtree(path)
    return size


def trim(pyside: Path, modules: list[str], plugin_dirs: list[str]) -> int:
    """Trim one ``PySide6`` folder; return the bytes freed."""
    qt = pyside / "Qt"
    lib_dir, plugins = qt / "lib", qt / "plugins"
    module_files = [pyside / f"{m}.abi3.so" for m in modules]
    missing = [p.name for p in module_files if not p.exists()]
    if missing:
        raise SystemExit(f"trim_qt: PySide6 has no {', '.join(missing)}")
    kept_plugins = [p for d in plugin_dirs if (plugins / d).is_dir() for p in (plugins / d).rglob("*.so")]
    freed = 0
    for plugin in list(kept_plugins):  # e.g. the PDF image plugin without libQt6Pdf in the wheel
        if any(n.startswith("libQt6") and not (lib_dir / n).exists() for n in needed(plugin)):
            kept_plugins.remove(plugin)
            freed += remove(plugin)
    # libpyside6 and libshiboken6 sit outside Qt/lib, so the walk must start from them too.
    runtime = [*pyside.glob("libpyside6.abi3.so*"), *(pyside.parent / "shiboken6").glob("libshiboken6*.so*")]
    keep = closure(module_files + kept_plugins + runtime, lib_dir)
    for path in sorted(lib_dir.iterdir()):
        if path not in keep and path.resolve() not in keep:
            freed += remove(path)
    for path in sorted(plugins.iterdir()):
        if path.name not in plugin_dirs:
            freed += remove(path)
    for path in sorted(qt.iterdir()):
        if path.name not in ("lib", "plugins"):
            freed += remove(path)  # qml, translations, metatypes, libexec, resources
    for path in sorted(pyside.iterdir()):
        name = path.name
        if name.startswith("Qt") and name.endswith((".abi3.so", ".pyi")):
            if name.split(".")[0] not in modules:
                freed += remove(path)
        elif name.startswith("libpyside6qml") and "QtQml" not in modules:
            freed += remove(path)  # links QtQml, which is gone
        elif path.is_file() and not name.endswith((".py", ".so")) and "." not in name and path.stat().st_mode & 0o111:
            freed += remove(path)  # designer, assistant, linguist, qmlls … (developer tools)
        elif path.is_dir() and name in BUILD_ONLY:
            freed += remove(path)
    return freed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app_packages", type=Path)
    parser.add_argument("--keep", required=True, help="comma-separated PySide6 modules to keep")
    parser.add_argument("--plugins", required=True, help="comma-separated Qt plugin folders to keep")
    args = parser.parse_args()
    pyside = args.app_packages / "PySide6"
    if not pyside.is_dir():
        print("trim_qt: no PySide6 in the package; nothing to trim")
        return 0
    freed = trim(pyside, args.keep.split(","), args.plugins.split(","))
    print(f"trim_qt: removed {freed / 1e6:.0f} MB of unused Qt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
