"""A real workspace in tmp and a real SQLite index file for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openclaw_desktop.agent.memory import MemoryIndex


class FakeClock:
    """Monotonic seconds that only move when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    (root / "memory").mkdir(parents=True)
    return root


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "agents" / "main" / "memory.sqlite"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def index(workspace: Path, db_path: Path, clock: FakeClock) -> Iterator[MemoryIndex]:
    with MemoryIndex(workspace, db_path, clock=clock) as opened:
        yield opened


def write(path: Path, text: str) -> None:
    """Write and make sure the mtime moves even on coarse-timestamp file systems."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns <= before:
        import os
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))
