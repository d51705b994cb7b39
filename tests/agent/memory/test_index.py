"""MemoryIndex over real files and a real SQLite database."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from openclaw_desktop.agent.memory import MemoryHit, MemoryIndex

from .conftest import FakeClock, write

DAY = """# 2025-03-01

- 09:12 Called the dentist, appointment moved to Friday 7 March
- 11:40 Alice prefers green tea
  and dislikes coffee after 3 pm

## Project Atlas
- deadline is 14 March
- database is Postgres 16
"""


def lines_of(index: MemoryIndex, hit: MemoryHit) -> str:
    return index.get(hit.path, hit.start_line, hit.end_line - hit.start_line + 1)


def test_search_returns_file_and_lines(index: MemoryIndex, workspace: Path) -> None:
    write(workspace / "memory" / "2025-03-01.md", DAY)
    write(workspace / "MEMORY.md", "# Memory\n\n- Bob's birthday is 2 May\n")
    stats = index.sync()
    assert (stats.files_seen, stats.files_indexed, stats.rebuilt) == (2, 2, True)
    [hit] = index.search("dentist")
    assert (hit.path, hit.start_line, hit.end_line) == ("memory/2025-03-01.md", 3, 3)
    assert "appointment moved" in hit.snippet and hit.score > 0
    assert lines_of(index, hit) == "- 09:12 Called the dentist, appointment moved to Friday 7 March\n"
    [tea] = index.search("tea coffee")
    assert (tea.start_line, tea.end_line) == (4, 5)  # the bullet with its continuation line
    [bob] = index.search("birthday")
    assert (bob.path, bob.start_line) == ("MEMORY.md", 3)


def test_ranking_stemming_diacritics_and_headings(index: MemoryIndex, workspace: Path) -> None:
    write(workspace / "memory" / "2025-03-01.md", DAY)
    write(workspace / "memory" / "2025-03-02.md", "# 2025-03-02\n\n- Lunch at the café with Dmitri\n"
                                                  "- dentist dentist dentist: bring the x-ray\n")
    hits = index.search("dentist")
    assert [h.path for h in hits] == ["memory/2025-03-02.md", "memory/2025-03-01.md"]  # BM25 order
    assert hits[0].score > hits[1].score
    assert index.search("appointments")[0].start_line == 3          # porter stemming
    assert index.search("cafe")[0].path == "memory/2025-03-02.md"    # diacritics folded
    atlas = index.search("atlas postgres")                            # heading + text
    assert [(h.start_line, h.end_line) for h in atlas] == [(9, 9)]


def test_partial_matches_when_no_chunk_has_every_term(index: MemoryIndex, workspace: Path) -> None:
    write(workspace / "memory" / "2025-03-01.md", DAY)
    # "zebra" occurs nowhere: it is dropped and the rest must all match.
    assert [h.start_line for h in index.search("what did Alice say about zebra tea")] == [4]
    # Every term exists, but never together: any-term fallback.
    assert {h.start_line for h in index.search("dentist Postgres")} == {3, 9}


HOSTILE = ['"', '""', "'", "-", "--", "*", "a*", "NEAR", "NEAR(a b, 2)", "AND", "OR NOT", "(", ")", "{x}",
           "col:umn", "^start", "a + b", "\\", "%_", "\x00", "😀", "Robert'); DROP TABLE memory_chunks;--",
           "   ", "", "\n\t", "dentist\" OR \"x", "-dentist", "dentist*", "x" * 10_000, "ẞ ǅ ﬁ", "\ud800"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_raise(index: MemoryIndex, workspace: Path, text: str) -> None:
    write(workspace / "memory" / "2025-03-01.md", DAY)
    hits = index.search(text)
    assert isinstance(hits, list)
    if "dentist" in text:
        assert hits and hits[0].start_line == 3


def test_limit(index: MemoryIndex, workspace: Path) -> None:
    write(workspace / "memory" / "2025-03-01.md", "".join(f"- note {n} about budget\n" for n in range(30)))
    assert len(index.search("budget")) == 10
    assert len(index.search("budget", limit=3)) == 3
    assert index.search("budget", limit=0) == []
    assert len(index.search("budget", limit=1_000)) == 30


def test_reindex_on_change_add_and_delete(index: MemoryIndex, workspace: Path, clock: FakeClock) -> None:
    daily = workspace / "memory" / "2025-03-01.md"
    write(daily, "- the plumber comes Tuesday\n")
    assert [h.path for h in index.search("plumber")] == ["memory/2025-03-01.md"]
    write(daily, "- the electrician comes Tuesday\n")   # today's file: seen at once
    assert index.search("plumber") == []
    assert index.search("electrician")[0].path == "memory/2025-03-01.md"
    write(workspace / "memory" / "2025-03-02.md", "- plumber rescheduled\n")  # a new file
    assert index.search("plumber")[0].path == "memory/2025-03-02.md"
    daily.unlink()
    assert index.search("electrician") == []
    stats = index.sync()
    assert (stats.files_seen, stats.files_indexed, stats.files_removed) == (1, 0, 0)


def test_in_place_edit_of_an_old_file_is_seen_after_the_rescan_interval(
        index: MemoryIndex, workspace: Path, clock: FakeClock) -> None:
    for day in range(1, 13):
        write(workspace / "memory" / f"2025-01-{day:02d}.md", f"- entry {day} mentions kiwi\n")
    oldest = workspace / "memory" / "2025-01-01.md"
    os.utime(oldest, ns=(1, 1))  # clearly the least recently modified file
    index.sync()
    with open(oldest, "w", encoding="utf-8") as handle:  # in place: the folder mtime stays
        handle.write("- entry 1 mentions mango now\n")
    os.utime(oldest, ns=(2, 2))
    clock.now += 1.0
    assert index.search("mango") == []  # the cheap probe does not look at old files
    clock.now += 1.0                    # past the 1.5 s rescan interval: a full scan sees it
    assert [h.path for h in index.search("mango")] == ["memory/2025-01-01.md"]
    index.sync()  # and an explicit sync always does


def test_unchanged_content_with_new_mtime_is_not_rechunked(index: MemoryIndex, workspace: Path) -> None:
    daily = workspace / "memory" / "2025-03-01.md"
    write(daily, DAY)
    index.sync()
    os.utime(daily, ns=(daily.stat().st_mtime_ns + 5_000_000_000,) * 2)
    stats = index.sync()
    assert (stats.files_indexed, stats.files_touched, stats.chunks_written) == (0, 1, 0)


def test_rebuild_after_the_db_file_is_deleted(index: MemoryIndex, workspace: Path, db_path: Path) -> None:
    write(workspace / "memory" / "2025-03-01.md", DAY)
    index.search("dentist")
    db_path.unlink()
    assert index.search("dentist")[0].start_line == 3
    assert db_path.exists()
    assert index.sync().files_indexed == 0  # already rebuilt by the search
    db_path.unlink()
    stats = index.sync()
    assert stats.rebuilt and stats.files_indexed == 1


def test_corrupt_db_file_is_replaced_on_open(workspace: Path, db_path: Path) -> None:
    write(workspace / "MEMORY.md", "- the wifi password is in the blue notebook\n")
    with MemoryIndex(workspace, db_path) as first:
        first.sync()
    db_path.write_bytes(b"this is not a database" * 500)
    with MemoryIndex(workspace, db_path) as second:
        stats = second.sync()
        assert stats.rebuilt and stats.files_indexed == 1
        assert second.search("notebook")[0].path == "MEMORY.md"
    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_db_corrupted_while_open_is_rebuilt_on_the_next_search(
        index: MemoryIndex, workspace: Path, db_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(workspace / "memory" / "2025-03-01.md", DAY)
    assert index.search("dentist")
    with open(db_path, "r+b") as handle:  # same inode, garbage header: SQLITE_NOTADB
        handle.write(b"\x00garbage" * 64)
    write(workspace / "memory" / "2025-03-02.md", "- dentist bill paid\n")  # forces a sync
    hits = index.search("dentist")
    assert {h.path for h in hits} == {"memory/2025-03-01.md", "memory/2025-03-02.md"}
    assert any("corrupt" in record.getMessage() for record in caplog.records)


def test_older_schema_version_rebuilds(workspace: Path, db_path: Path) -> None:
    write(workspace / "MEMORY.md", "- fact\n")
    with MemoryIndex(workspace, db_path) as first:
        first.sync()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE memory_meta SET value = '0' WHERE key = 'schema_version'")
    with MemoryIndex(workspace, db_path) as second:
        assert second.sync().rebuilt and second.search("fact")


def test_only_memory_files_are_indexed(index: MemoryIndex, workspace: Path, tmp_path: Path) -> None:
    write(workspace / "AGENTS.md", "- secretword in agents\n")
    write(workspace / "notes.md", "- secretword in notes\n")
    write(workspace / "memory" / "todo.txt", "- secretword in txt\n")
    write(workspace / "memory" / ".draft.md", "- secretword hidden\n")
    write(workspace / "memory" / "projects" / "atlas.md", "- secretword in a subfolder\n")
    outside = tmp_path / "outside.md"
    write(outside, "- secretword outside\n")
    (workspace / "memory" / "link.md").symlink_to(outside)
    assert [h.path for h in index.search("secretword")] == ["memory/projects/atlas.md"]


def test_symlinked_memory_folder_is_not_followed(workspace: Path, db_path: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "2025-01-01.md", "- secretword\n")
    (workspace / "memory").rmdir()
    (workspace / "memory").symlink_to(elsewhere, target_is_directory=True)
    with MemoryIndex(workspace, db_path) as index:
        assert index.search("secretword") == []
        with pytest.raises(ValueError, match="symlink"):
            index.get("memory/2025-01-01.md")
        with pytest.raises(ValueError, match="symlink"):
            index.append("note", now=datetime(2025, 1, 1, 9, 0))


GET_REFUSED = ["AGENTS.md", "memory.md", "../outside.md", "memory/../AGENTS.md", "memory/../../etc/passwd",
               "/etc/passwd", "memory/notes.txt", "memory", "memory/", "memory/.hidden.md", ".git/config",
               "", "  ", "memory/\x00.md", "C:\\Windows\\win.ini", "skills/x/SKILL.md"]


@pytest.mark.parametrize("path", GET_REFUSED)
def test_get_refuses_anything_but_memory_files(index: MemoryIndex, workspace: Path, path: str) -> None:
    write(workspace / "AGENTS.md", "private\n")
    with pytest.raises(ValueError, match="memory"):
        index.get(path)


def test_get_reads_memory_files_whole_or_by_lines(index: MemoryIndex, workspace: Path) -> None:
    write(workspace / "MEMORY.md", "one\ntwo\nthree\n")
    write(workspace / "memory" / "sub" / "x.md", "a\nb\n")
    assert index.get("MEMORY.md") == "one\ntwo\nthree\n"
    assert index.get("./MEMORY.md", 2) == "two\nthree\n"
    assert index.get("MEMORY.md", 2, 1) == "two\n"
    assert index.get("MEMORY.md", lines=2) == "one\ntwo\n"
    assert index.get("MEMORY.md", 10, 5) == ""
    assert index.get("memory\\sub\\x.md") == "a\nb\n"
    assert index.get(str(workspace / "memory" / "sub" / "x.md")) == "a\nb\n"  # absolute, inside
    with pytest.raises(ValueError, match="start_line"):
        index.get("MEMORY.md", 0)
    with pytest.raises(ValueError, match="lines"):
        index.get("MEMORY.md", 1, 0)
    with pytest.raises(FileNotFoundError):
        index.get("memory/2099-01-01.md")


def test_get_refuses_a_symlinked_file(index: MemoryIndex, workspace: Path, tmp_path: Path) -> None:
    write(tmp_path / "secret.md", "secret\n")
    (workspace / "memory" / "s.md").symlink_to(tmp_path / "secret.md")
    with pytest.raises(ValueError, match="symlink"):
        index.get("memory/s.md")


def test_append_writes_a_dated_bullet_and_is_searchable(index: MemoryIndex, workspace: Path) -> None:
    (workspace / "memory").rmdir()  # append creates the folder
    now = datetime(2025, 3, 1, 9, 5)
    assert index.append("Buy oat milk", now=now) == "memory/2025-03-01.md"
    assert index.append("  Call Alice back\nabout the lease\n\n", now=now.replace(hour=14, minute=30)) == \
        "memory/2025-03-01.md"
    assert index.get("memory/2025-03-01.md") == (
        "# 2025-03-01\n\n- 09:05 Buy oat milk\n- 14:30 Call Alice back\n  about the lease\n")
    [hit] = index.search("lease")
    assert (hit.path, hit.start_line, hit.end_line) == ("memory/2025-03-01.md", 4, 5)


def test_append_to_a_file_without_trailing_newline(index: MemoryIndex, workspace: Path) -> None:
    write(workspace / "memory" / "2025-03-01.md", "# Saturday\n- existing")
    index.append("new", now=datetime(2025, 3, 1, 8, 0))
    assert index.get("memory/2025-03-01.md") == "# Saturday\n- existing\n- 08:00 new\n"


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_append_refuses_blank_text(index: MemoryIndex, text: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        index.append(text, now=datetime(2025, 3, 1))


def test_closed_index_refuses_search(workspace: Path, db_path: Path) -> None:
    index = MemoryIndex(workspace, db_path)
    index.close()
    with pytest.raises(RuntimeError, match="closed"):
        index.search("x")


def test_calls_from_several_threads(index: MemoryIndex, workspace: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor
    write(workspace / "memory" / "2025-03-01.md", DAY)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda n: index.search("dentist") if n % 2 else index.sync(), range(40)))
    assert all(r[0].start_line == 3 for r in results[1::2])


def test_ten_thousand_entries_stay_fast(workspace: Path, db_path: Path) -> None:
    import statistics
    import time
    for day in range(370):
        lines = [f"- {h:02d}:00 entry {day}-{h} about topic{(day * 27 + h) % 997} and word{h}" for h in range(27)]
        (workspace / "memory" / f"2024-{day // 31 + 1:02d}-{day % 31 + 1:02d}-x{day}.md").write_text(
            "\n".join(lines) + "\n")
    with MemoryIndex(workspace, db_path) as index:
        assert index.sync().chunks_written == 370 * 27
        timings = []
        for n in range(100):
            t0 = time.perf_counter()
            index.search(f"topic{n * 7 % 997} word{n % 27}")
            timings.append(time.perf_counter() - t0)
    # Generous bound for slow CI; bench/memory_bench.py measures the real figure.
    assert statistics.median(timings) < 0.025
