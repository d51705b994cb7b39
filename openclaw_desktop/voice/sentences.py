"""Split a streaming reply into speakable sentences as its deltas arrive (sans-I/O).

Feeding deltas to :class:`SentenceSplitter` returns each sentence as soon as it is
complete, so the first one is synthesised and spoken while the model still writes the
rest. A sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by white space (we only know
a full stop is not a decimal point once the next character arrives), at CJK full stops
(no space needed) and at line breaks. Abbreviations ("Dr.", "e.g."), initials ("J. R.")
and list numbers ("1.") do not end a sentence. A run-on longer than ``max_chars`` is cut
at the last comma or space so speech never waits for a paragraph.

Markdown is made speakable (emphasis, inline code, links, headings and bullets lose their
marks); fenced code blocks are not read out, one short note is spoken instead.

Must not import asyncio, Qt or any engine library.
"""

from __future__ import annotations

import re

CODE_NOTE = "I've put the code on the screen."
_ENDS = ".!?…"
_CJK_ENDS = "。！？"
_CLOSERS = "\"'”’)]»"
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "e.g", "i.e", "cf", "approx", "no", "fig",
    "mt", "ft", "inc", "ltd", "co", "dept", "est", "min", "max", "sec",
})
_FENCE = "```"


class SentenceSplitter:
    """Feed reply deltas, get back complete speakable sentences; :meth:`flush` at the end."""

    def __init__(self, *, max_chars: int = 240) -> None:
        self.max_chars = max_chars
        self._buf = ""
        self._in_code = False
        self._noted_code = False

    def feed(self, delta: str) -> list[str]:
        """Add streamed text; returns the sentences it completed (maybe none)."""
        self._buf += delta
        return self._drain(final=False)

    def flush(self) -> list[str]:
        """The reply ended: whatever is left is the last sentence."""
        return self._drain(final=True)

    def _drain(self, *, final: bool) -> list[str]:
        out: list[str] = []
        while True:
            if self._in_code:
                end = self._buf.find(_FENCE)
                if end < 0:
                    # Keep a possible half-arrived closing fence, drop the code itself.
                    self._buf = "" if final else self._buf[-2:]
                    return out
                self._buf = self._buf[end + len(_FENCE):]
                self._in_code = False
                continue
            fence = self._buf.find(_FENCE)
            if fence >= 0:
                out += self._sentences(self._buf[:fence], complete=True)
                self._buf, self._in_code = self._buf[fence + len(_FENCE):], True
                if not self._noted_code:
                    self._noted_code = True
                    out.append(CODE_NOTE)
                continue
            if final:
                out += self._sentences(self._buf, complete=True)
                self._buf = ""
                return out
            # A trailing "`" or "``" may be the start of a fence: hold it back.
            hold = len(self._buf) - len(self._buf.rstrip("`"))
            text, tail = self._buf[:len(self._buf) - hold], self._buf[len(self._buf) - hold:]
            cut = _last_boundary(text)
            if cut == 0 and len(text) > self.max_chars:
                cut = _soft_cut(text, self.max_chars)
            out += self._sentences(text[:cut], complete=True)
            self._buf = text[cut:] + tail
            return out

    @staticmethod
    def _sentences(text: str, *, complete: bool) -> list[str]:
        pieces: list[str] = []
        start = 0
        for cut in _boundaries(text):
            pieces.append(text[start:cut])
            start = cut
        if complete:
            pieces.append(text[start:])
        return [s for s in (speakable(p) for p in pieces) if s]


def _boundaries(text: str) -> list[int]:
    """Indices just after each sentence end that is certain in ``text``."""
    cuts = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            cuts.append(i + 1)
        elif ch in _CJK_ENDS:
            j = i + 1
            while j < n and text[j] in _CLOSERS:
                j += 1
            cuts.append(j)
            i = j
            continue
        elif ch in _ENDS:
            j = i + 1
            while j < n and (text[j] in _ENDS or text[j] in _CLOSERS):
                j += 1
            if j < n and text[j].isspace() and not (ch == "." and _is_abbreviation(text, i)):
                cuts.append(j)
            i = j
            continue
        i += 1
    return cuts


def _last_boundary(text: str) -> int:
    cuts = _boundaries(text)
    return cuts[-1] if cuts else 0


def _is_abbreviation(text: str, dot: int) -> bool:
    """Is the ``.`` at ``dot`` part of an abbreviation, an initial or a list number?"""
    start = dot
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    word = text[start:dot].lstrip("(\"'“‘").lower()
    if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return True
    line_start = start == 0 or text[start - 1] == "\n"
    return line_start and word.isdigit()  # "1. First step" is a list item, not a sentence


def _soft_cut(text: str, limit: int) -> int:
    window = text[:limit]
    for mark in (", ", "; ", ": ", " "):
        at = window.rfind(mark)
        if at > limit // 3:
            return at + len(mark)
    return limit


_MARKDOWN = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images: keep the label
    (re.compile(r"`([^`]*)`"), r"\1"),  # inline code
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # italic (not a*b*c)
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE), ""),  # headings
    (re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+", re.MULTILINE), ""),  # bullets and list numbers
    (re.compile(r"^\s*>\s?", re.MULTILINE), ""),  # quotes
    (re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.MULTILINE), ""),  # rules
    (re.compile(r"https?://\S+"), "the link"),
]


def speakable(text: str) -> str:
    """``text`` without Markdown marks and with white space collapsed ('' if nothing to say)."""
    for pattern, repl in _MARKDOWN:
        text = pattern.sub(repl, text)
    text = " ".join(text.replace("*", " ").split())
    return text if any(c.isalnum() for c in text) else ""
