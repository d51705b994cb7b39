"""Turn arbitrary user text into safe FTS5 MATCH expressions, and cut result snippets.

User text never reaches FTS5's query parser as syntax: we cut it into terms ourselves
(runs of letters, digits and combining marks, the characters FTS5's ``unicode61``
tokenizer keeps) and emit every term as a double-quoted string. Quoted strings have no
operators, so ``NEAR``, ``AND``, ``-``, ``*``, ``:``, ``^`` and unbalanced quotes are just
words or separators, and the expression cannot be a syntax error. Inside a quoted string
the tokenizer still runs, so case, diacritics and stemming match the indexed text.

Pure.
"""

from __future__ import annotations

import unicodedata

MAX_TERMS = 24        # longer queries add little to BM25 and cost time per term
MAX_TERM_CHARS = 64   # a 10k-character "word" is a paste, not a search term

# Dropped from queries (unless nothing else is left): they match nearly every chunk and
# would make an AND of a natural-language question find nothing.
STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "did", "do", "does", "for", "from", "had",
    "has", "have", "how", "i", "in", "is", "it", "me", "my", "of", "on", "or", "our", "so", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "to", "was", "we", "were", "what", "when",
    "where", "which", "who", "why", "will", "with", "you", "your",
})


def terms(text: str) -> list[str]:
    """Distinct search terms of ``text`` in order (case-folded for deduplication)."""
    found: list[str] = []
    seen: set[str] = set()
    current: list[str] = []
    has_base = False  # a run of combining marks alone folds to nothing under remove_diacritics

    def close() -> None:
        nonlocal has_base
        word = "".join(current)
        current.clear()
        key = word.casefold()
        if has_base and len(word) <= MAX_TERM_CHARS and key not in seen and len(found) < MAX_TERMS:
            seen.add(key)
            found.append(word)
        has_base = False

    for char in text:
        # unicode61 keeps L*, N* and Co characters; marks (M*) stay inside a word so scripts
        # like Devanagari do not fall apart into syllables.
        category = unicodedata.category(char)
        if category[0] in "LN" or category == "Co":
            current.append(char)
            has_base = True
        elif category[0] == "M":
            current.append(char)
        else:
            close()
    close()
    return found


def quote(term: str) -> str:
    """An FTS5 string literal; doubling quotes is the only escape FTS5 has."""
    return '"' + term.replace('"', '""') + '"'


def plan(text: str) -> tuple[str, ...]:
    """The quoted terms to search for; empty when ``text`` holds no searchable word.

    Stopwords are dropped unless nothing else is left: "what did Alice say about the
    budget" should need Alice and budget, not "did".
    """
    words = terms(text)
    content = [w for w in words if w.casefold() not in STOPWORDS] or words
    return tuple(map(quote, content))


def all_of(quoted: tuple[str, ...]) -> str:
    """MATCH expression for chunks holding every term."""
    return " AND ".join(quoted)


def any_of(quoted: tuple[str, ...]) -> str:
    """MATCH expression for chunks holding at least one term."""
    return " OR ".join(quoted)


def snippet(text: str, words: list[str], max_chars: int = 480) -> str:
    """``text`` itself when short, else a window of about ``max_chars`` around the first term found.

    Chunks are a paragraph or a bullet, so usually the whole chunk comes back. Terms are
    looked up by their first five letters, a crude stand-in for the stemmer that found the
    chunk ("meetings" → "meeti" also finds "meeting").
    """
    if len(text) <= max_chars:
        return text
    lowered = text.lower()
    position = 0
    if len(lowered) == len(text):  # lower() kept offsets aligned (not always true in Unicode)
        hits = [lowered.find(word.lower()[:5]) for word in words]
        position = min((hit for hit in hits if hit >= 0), default=0)
    start = max(0, position - max_chars // 3)
    end = min(len(text), start + max_chars)
    start = max(0, end - max_chars)
    if start > 0:  # do not begin or end mid-word
        space = text.find(" ", start, start + 40)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", end - 40, end)
        end = space if space > start else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")
