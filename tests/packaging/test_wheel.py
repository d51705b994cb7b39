"""`pip install .` must ship every package (a missing __init__.py silently drops one)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_every_module(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("openclaw_desktop-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {str(p.relative_to(ROOT)) for p in (ROOT / "openclaw_desktop").rglob("*.py")
                if "bundled_skills" not in p.parts}
    assert expected - names == set()
    assert "openclaw_desktop/bundled_skills/git-helper/SKILL.md" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "openclaw-desktop = openclaw_desktop.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
