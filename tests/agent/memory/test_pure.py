"""Chunking, query building and snippets: pure functions, table-driven."""

from __future__ import annotations

import pytest

from openclaw_desktop.agent.memory.chunking import chunk_markdown
from openclaw_desktop.agent.memory.query import plan, snippet, terms


def spans(text: str, **kw) -> list[tuple[int, int, str]]:
    return [(c.start_line, c.end_line, c.heading) for c in chunk_markdown(text, **kw)]


def test_bullets_paragraphs_and_headings() -> None:
    text = "\n".join([  # noqa: FLY002 - one line per element keeps the line numbers visible
        "# 2025-03-01",          # 1
        "",                      # 2
        "- 09:00 first",         # 3
        "  continued",           # 4
        "- 10:00 second",        # 5
        "",                      # 6
        "A paragraph",           # 7
        "over two lines.",       # 8
        "## Project Atlas",      # 9
        "- deadline March 3",    # 10
        "- uses Postgres",       # 11
    ])
    assert spans(text) == [(1, 1, "2025-03-01"), (3, 4, "2025-03-01"), (5, 5, "2025-03-01"),
                           (7, 8, "2025-03-01"), (9, 10, "Project Atlas"), (11, 11, "Project Atlas")]


def test_long_blocks_are_capped() -> None:
    text = "\n".join(f"line {n}" for n in range(1, 46))
    assert [(s, e) for s, e, _ in spans(text, max_lines=20)] == [(1, 20), (21, 40), (41, 45)]


def test_fenced_code_keeps_comments_and_blank_lines() -> None:
    text = "Setup:\n```sh\n# not a heading\n\n- not an item\n```\nafter"
    assert spans(text) == [(1, 7, "")]


def test_blank_and_empty_files_have_no_chunks() -> None:
    assert chunk_markdown("") == [] and chunk_markdown("\n  \n\t\n") == []


def test_crlf_line_endings() -> None:
    assert [(c.start_line, c.end_line, c.text) for c in chunk_markdown("a\r\nb\r\n\r\nc\r\n")] == [
        (1, 2, "a\nb"), (4, 4, "c")]


@pytest.mark.parametrize(("text", "expected"), [
    ("", []),
    ("   ", []),
    ('"', []),
    ("***", []),
    ("-", []),
    ("NEAR(a b)", ["NEAR", "a", "b"]),
    ('foo" OR "bar', ["foo", "OR", "bar"]),
    ("e-mail  e-mail", ["e", "mail"]),
    ("Café CAFÉ café", ["Café"]),          # deduplicated case-insensitively
    ("東京 trip", ["東京", "trip"]),
    ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),    # combining marks stay inside the word
    ("\u0301 alone", ["alone"]),            # a bare combining mark is not a term
    ("x" * 65 + " ok", ["ok"]),
])
def test_terms(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_terms_are_capped() -> None:
    assert len(terms(" ".join(f"w{n}" for n in range(100)))) == 24


def test_plan_quotes_every_term_and_drops_stopwords() -> None:
    assert plan('what did Alice say about the "budget"?') == ('"Alice"', '"say"', '"about"', '"budget"')
    assert plan("the of and") == ('"the"', '"of"', '"and"')  # nothing else left: keep them
    assert plan("AND NOT NEAR") == ('"NOT"', '"NEAR"')  # operators become plain words
    assert plan("-*^:") == ()


def test_snippet_keeps_short_text_and_windows_long_text() -> None:
    assert snippet("short text", ["text"]) == "short text"
    long = " ".join(["filler"] * 200) + " the dentist appointment " + " ".join(["more"] * 200)
    cut = snippet(long, ["dentists"], max_chars=120)
    assert "dentist" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) <= 122
