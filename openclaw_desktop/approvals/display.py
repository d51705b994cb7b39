"""Render a command for a human reviewer: invisible characters made visible, look-alikes flagged.

An approval is only as good as what the reviewer sees. A bidi override can make
``rm -rf ~/x`` read as something else, a zero-width space hides inside a word, and a
Cyrillic ``с`` in ``сurl`` runs a different program than the one the reviewer thinks.
``visible_command`` turns every character that does not show as itself into an escape;
``lookalike_warnings`` names every non-ASCII character that resembles an ASCII one.

Pure functions: no Qt, no I/O (the dialog in ``ui/approval_dialog.py`` shows the result).
"""

from __future__ import annotations

import unicodedata

# Shown verbatim: the reviewer sees them as what they are (the text box keeps line breaks).
_KEPT = frozenset("\t\n")
_C0_NAMES = {"\r": "\\r", "\x00": "\\0", "\x0b": "\\v", "\x0c": "\\f", "\x08": "\\b", "\x07": "\\a"}

# Not format characters (Cf) by category, but invisible or blank all the same.
_INVISIBLE_EXTRA = frozenset({
    0x034F,  # COMBINING GRAPHEME JOINER
    0x115F, 0x1160, 0x3164, 0xFFA0,  # Hangul fillers render as nothing
    0x2800,  # BRAILLE PATTERN BLANK
})

# Explicit confusables (a small subset of Unicode's confusables.txt, the ones that
# matter in shell commands). NFKC covers fullwidth forms, math letters and ligatures.
_CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ү": "y", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
    # Greek
    "ο": "o", "α": "a", "ν": "v", "ρ": "p", "ι": "i", "κ": "k", "υ": "u", "τ": "t",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Latin letters that pass for others
    "ı": "i", "ǀ": "l", "ɩ": "i", "ⅼ": "l",
    # Dashes and minus signs
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2043": "-", "\ufe63": "-",
    # Quotes and primes
    "\u2018": "'", "\u2019": "'", "\u201a": ",", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
    "\u02bc": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    # Punctuation and operators
    "\u2044": "/", "\u2215": "/", "\u29f8": "/", "\u2216": "\\", "\u29f5": "\\", "\u2223": "|",
    "\u01c3": "!", "\u037e": ";", "\u02d0": ":", "\ua789": ":", "\u2024": ".",
}


def _name(ch: str) -> str:
    return unicodedata.name(ch, "") or f"<{unicodedata.category(ch)}>"


def _is_invisible(ch: str) -> bool:
    """Characters that do not render as a visible glyph of their own (or change others)."""
    cp = ord(ch)
    category = unicodedata.category(ch)
    return (category in ("Cf", "Zl", "Zp", "Co", "Cs", "Cn")
            or (category == "Zs" and ch != " ")
            or cp in _INVISIBLE_EXTRA
            or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF)  # variation selectors


def _escape(ch: str) -> str:
    cp = ord(ch)
    if ch in _C0_NAMES:
        return _C0_NAMES[ch]
    if cp < 0x20 or 0x7F <= cp <= 0x9F:  # C0, DEL, C1: no Unicode names, use the byte form
        return f"\\x{cp:02x}"
    name = unicodedata.name(ch, "")
    return f"⟨U+{cp:04X} {name}⟩" if name else f"⟨U+{cp:04X}⟩"


def visible_command(text: str) -> str:
    """``text`` with control and invisible characters replaced by visible escapes.

    Tabs and newlines stay as they are; C0/C1 controls and DEL become ``\\x1b``-style
    escapes (``\\r`` and a few others by their usual names); format, bidi, zero-width,
    non-ASCII space, separator, private-use and unassigned characters become
    ``⟨U+202E RIGHT-TO-LEFT OVERRIDE⟩``. Everything else is kept, so look-alikes still
    look alike here: pair this with :func:`lookalike_warnings`.
    """
    out: list[str] = []
    for ch in text:
        cp = ord(ch)
        if ch in _KEPT:
            out.append(ch)
        elif cp < 0x20 or 0x7F <= cp <= 0x9F or (cp > 0x7F and _is_invisible(ch)):
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


def _ascii_twin(ch: str) -> str | None:
    if ch in _CONFUSABLES:
        return _CONFUSABLES[ch]
    if unicodedata.category(ch) == "Zs":
        return " "
    folded = unicodedata.normalize("NFKC", ch)
    if folded != ch and folded.isascii() and folded.isprintable() and folded.strip():
        return folded
    return None


def lookalike_warnings(text: str) -> list[str]:
    """One sentence per distinct non-ASCII character that resembles ASCII, in order of appearance.

    Example: ``'а' (U+0430 CYRILLIC SMALL LETTER A) looks like 'a'``. Accented letters
    that look like themselves (``é``) are not flagged: they are legitimate in file names.
    """
    warnings: list[str] = []
    seen: set[str] = set()
    for ch in text:
        if ch.isascii() or ch in seen:
            continue
        seen.add(ch)
        twin = _ascii_twin(ch)
        if twin is not None:
            # An invisible character (a no-break space) cannot be shown quoted; name it only.
            shown = f"'{ch}' " if visible_command(ch) == ch else ""
            warnings.append(f"{shown}(U+{ord(ch):04X} {_name(ch)}) looks like '{twin}'")
    return warnings
