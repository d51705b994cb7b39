"""Architecture guard for the command-safety core."""

from __future__ import annotations

from pathlib import Path

from tests.test_import_boundaries import PACKAGE, imported_roots

CORE = ("hazards", "shell_lexing", "command_rules", "shell_analysis", "resolution", "allowlist", "safe_bins",
        "document", "policy", "grants", "check_command")
IO = {"asyncio", "socket", "websockets", "aiosqlite", "PySide6", "qasync", "subprocess"}


def test_only_shell_analysis_imports_bashlex():
    users = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "bashlex" in imported_roots(p))
    assert users == ["approvals/shell_analysis.py"]


def test_the_core_is_sans_io():
    approvals = PACKAGE / "approvals"
    offenders = {name: sorted(imported_roots(approvals / f"{name}.py") & IO) for name in CORE
                 if imported_roots(approvals / f"{name}.py") & IO}
    assert offenders == {}
    assert all((approvals / f"{name}.py").read_text().count("\n") < 400 for name in CORE)


def test_core_modules_have_docstrings():
    for name in CORE:
        text = Path(PACKAGE / "approvals" / f"{name}.py").read_text()
        assert text.startswith('"""'), name
