"""Table-driven tests of how a command is shown to the human who approves it."""

from __future__ import annotations

import pytest

from openclaw_desktop.approvals.display import lookalike_warnings, visible_command


@pytest.mark.parametrize(("text", "shown"), [
    ("git status", "git status"),
    ("ls\tx\ny", "ls\tx\ny"),  # tabs and newlines kept
    ("echo \x1b[31mred", "echo \\x1b[31mred"),
    ("a\rb", "a\\rb"),
    ("a\x00b", "a\\0b"),
    ("a\x7fb", "a\\x7fb"),  # DEL
    ("a\x85b", "a\\x85b"),  # C1 NEXT LINE
    ("a\x9bb", "a\\x9bb"),  # C1 CSI
    ("rm -rf ~/\u202etxt.exe", "rm -rf ~/⟨U+202E RIGHT-TO-LEFT OVERRIDE⟩txt.exe"),
    ("\u2066x\u2069", "⟨U+2066 LEFT-TO-RIGHT ISOLATE⟩x⟨U+2069 POP DIRECTIONAL ISOLATE⟩"),
    ("c\u200bat", "c⟨U+200B ZERO WIDTH SPACE⟩at"),
    ("a\u200db", "a⟨U+200D ZERO WIDTH JOINER⟩b"),
    ("\ufeffls", "⟨U+FEFF ZERO WIDTH NO-BREAK SPACE⟩ls"),
    ("rm\u00ad", "rm⟨U+00AD SOFT HYPHEN⟩"),
    ("a\u00a0b", "a⟨U+00A0 NO-BREAK SPACE⟩b"),
    ("a\u2028b", "a⟨U+2028 LINE SEPARATOR⟩b"),
    ("x\U000e0041", "x⟨U+E0041 TAG LATIN CAPITAL LETTER A⟩"),
    ("a\ufe0f", "a⟨U+FE0F VARIATION SELECTOR-16⟩"),
    ("a\ue000", "a⟨U+E000⟩"),  # private use: no name
    ("сurl café 日本", "сurl café 日本"),  # visible characters stay; look-alikes are flagged separately
])
def test_visible_command(text: str, shown: str) -> None:
    assert visible_command(text) == shown


@pytest.mark.parametrize(("text", "warnings"), [
    ("git status --short 'a b' é 日本", []),
    ("\u0430", ["'а' (U+0430 CYRILLIC SMALL LETTER A) looks like 'a'"]),
    ("сurl", ["'с' (U+0441 CYRILLIC SMALL LETTER ES) looks like 'c'"]),
    ("\u0420\u041c", ["'Р' (U+0420 CYRILLIC CAPITAL LETTER ER) looks like 'P'",
                      "'М' (U+041C CYRILLIC CAPITAL LETTER EM) looks like 'M'"]),
    ("ech\u03bf", ["'ο' (U+03BF GREEK SMALL LETTER OMICRON) looks like 'o'"]),
    ("\uff52\uff4d", ["'ｒ' (U+FF52 FULLWIDTH LATIN SMALL LETTER R) looks like 'r'",
                      "'ｍ' (U+FF4D FULLWIDTH LATIN SMALL LETTER M) looks like 'm'"]),
    ("rm \u2014rf", ["'—' (U+2014 EM DASH) looks like '-'"]),
    ("rm \u2212rf", ["'−' (U+2212 MINUS SIGN) looks like '-'"]),
    ("echo \u201chi\u201d", ["'“' (U+201C LEFT DOUBLE QUOTATION MARK) looks like '\"'",
                             "'”' (U+201D RIGHT DOUBLE QUOTATION MARK) looks like '\"'"]),
    ("it\u2019s", ["'’' (U+2019 RIGHT SINGLE QUOTATION MARK) looks like '''"]),
    ("a\u00a0b", ["(U+00A0 NO-BREAK SPACE) looks like ' '"]),
    ("a\u2003b", ["(U+2003 EM SPACE) looks like ' '"]),
    ("\U0001d41a", ["'𝐚' (U+1D41A MATHEMATICAL BOLD SMALL A) looks like 'a'"]),
    ("cd a\u2215b", ["'∕' (U+2215 DIVISION SLASH) looks like '/'"]),
    ("\u0430\u0430\u0430", ["'а' (U+0430 CYRILLIC SMALL LETTER A) looks like 'a'"]),  # one per character
])
def test_lookalike_warnings(text: str, warnings: list[str]) -> None:
    assert lookalike_warnings(text) == warnings


def test_invisible_characters_are_not_lookalikes() -> None:
    # They are made visible by visible_command instead of being flagged twice.
    assert lookalike_warnings("a\u200b\u202eb") == []
