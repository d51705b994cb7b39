"""Architecture guard: Qt only under openclaw_desktop/ui/, no I/O libraries in protocol/."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "openclaw_desktop"
QT = ("PySide6", "qasync", "shiboken6")
IO = ("asyncio", "websockets", "aiosqlite", "socket", "PySide6", "qasync")


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            if node.args and isinstance(node.args[0], ast.Constant):
                roots.add(str(node.args[0].value).split(".")[0])
    return roots


def test_qt_is_imported_only_under_ui():
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if "ui" not in p.relative_to(PACKAGE).parts[:1] and imported_roots(p) & set(QT)]
    assert offenders == []


def test_protocol_is_sans_io():
    offenders = {str(p.relative_to(PACKAGE)): sorted(imported_roots(p) & set(IO))
                 for p in (PACKAGE / "protocol").rglob("*.py") if imported_roots(p) & set(IO)}
    assert offenders == {}


def only_module_importing(library: str) -> list[str]:
    return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if library in imported_roots(p))


def test_heavy_engines_have_exactly_one_adapter():
    assert only_module_importing("anthropic") == ["agent/llm/anthropic_adapter.py"]
    assert only_module_importing("bashlex") == ["approvals/shell_analysis.py"]
    assert only_module_importing("aiosqlite") == ["storage/sqlite.py"]


def test_the_guard_itself_detects_imports(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("import asyncio\nfrom PySide6.QtCore import QObject\n__import__('qasync')\n")
    assert {"asyncio", "PySide6", "qasync"} <= imported_roots(sample)
