"""Find the wake phrase or a trigger word in a transcript, fuzzily but strictly (sans-I/O).

Two uses:

* **Confirming an acoustic wake.** openWakeWord scores "hey travis" 0.91 for the "hey
  jarvis" model; Whisper hears the difference. :func:`confirm_wake` accepts the hit only
  when the transcript of the wake segment contains the phrase's distinctive words.
* **Trigger words without an acoustic model** (the gateway's ``voicewake`` list):
  :func:`match_trigger` looks for a trigger at the *start* of a short utterance (after at
  most two fillers like "hey" or "ok"), so "my computer is slow" does not wake us but
  "computer, what time is it" does.

Matching rules. Text is case-folded, NFKD-normalised and stripped of accents on both sides
(so "Café" matches "cafe", full-width letters match ASCII) and cut into words. Greeting
words at the front of a phrase ("hey", "ok", …) are optional: Whisper writes "Hey
Jarvis", "Hi Jarvis" or just "Jarvis". The remaining core words are compared as one joined
string against one to n+1 transcript words (so "OpenClaw" matches "Open Claw"), allowing
no edit up to 3 letters, one edit up to 8 and two beyond, and the first letter must agree:
"jervis" passes, "travis" (three edits, another first sound) fails. Scripts written
without spaces (Chinese, Japanese, Thai, …) fall back to an exact substring match.

Must not import asyncio, Qt or any engine library.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

GREETINGS = frozenset({"hey", "hi", "hello", "ok", "okay", "yo", "hay", "oi"})
"""Optional leading words of a wake phrase."""
LEAD_FILLERS = GREETINGS | {"um", "uh", "oh", "so", "and", "well", "please"}
"""Words allowed before a trigger at the start of an utterance."""
MAX_LEAD_WORDS = 2
STOP_REQUESTS = frozenset({
    "stop", "stop it", "stop talking", "stop please", "please stop", "cancel", "never mind", "nevermind",
    "be quiet", "quiet", "shut up", "enough", "thats enough", "ok stop", "okay stop", "hush",
})
_WORD = re.compile(r"\w+")
_STRIP_AFTER = " \t\n,.;:!?-–—…、，。！？；：\"'“”‘’"


@dataclass(frozen=True)
class PhraseMatch:
    """Where ``phrase`` was found: ``start``/``end`` are offsets into the original text."""

    phrase: str
    start: int
    end: int
    distance: int
    """Letter edits between the phrase and what was heard (0 = exact)."""


@dataclass(frozen=True)
class _Word:
    text: str
    start: int  # offsets into the original string
    end: int


def fold(text: str) -> str:
    """Case-folded, compatibility-decomposed text without combining marks."""
    return "".join(_fold_chars(text)[0])


def _fold_chars(text: str) -> tuple[list[str], list[int]]:
    chars: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(text):
        for d in unicodedata.normalize("NFKD", c.casefold()):
            if not unicodedata.combining(d):
                chars.append(d)
                origin.append(i)
    return chars, origin


def _words(text: str) -> list[_Word]:
    chars, origin = _fold_chars(text)
    folded = "".join(chars)
    return [_Word(m.group(), origin[m.start()], origin[m.end() - 1] + 1) for m in _WORD.finditer(folded)]


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def allowed_edits(word: str) -> int:
    """How many letter edits a word of this length may have and still match."""
    return 0 if len(word) <= 3 else 1 if len(word) <= 8 else 2


def _similar(expected: str, heard: str) -> int | None:
    """Edit distance when ``heard`` passes for ``expected``, else None."""
    if expected == heard:
        return 0
    if not heard or heard[0] != expected[0]:
        return None  # a different first sound ("travis" for "jarvis") is a different word
    limit = allowed_edits(expected)
    distance = _edit_distance(expected, heard, limit)
    return distance if distance <= limit else None


def _no_space_script(text: str) -> bool:
    for c in text:
        name = unicodedata.name(c, "")
        if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")):
            return True
    return False


def _core(phrase_words: list[str]) -> tuple[list[str], int]:
    """The distinctive words of a phrase and how many greeting words lead it."""
    lead = 0
    while lead < len(phrase_words) - 1 and phrase_words[lead] in GREETINGS:
        lead += 1
    return phrase_words[lead:], lead


def find_phrase(transcript: str, phrase: str, *, at_start: bool = False) -> PhraseMatch | None:
    """The first place ``transcript`` says ``phrase`` (see the module rules), or None.

    ``at_start``: only at the very beginning, after at most two filler words.
    """
    found = find_all(transcript, phrase, at_start=at_start, limit=1)
    return found[0] if found else None


def find_all(transcript: str, phrase: str, *, at_start: bool = False, limit: int = 1_000) -> list[PhraseMatch]:
    """Every non-overlapping place ``transcript`` says ``phrase``, in order."""
    phrase_words = [w.text for w in _words(phrase)]
    if not phrase_words:
        return []
    core, lead = _core(phrase_words)
    wanted = "".join(core)
    words = _words(transcript)
    found: list[PhraseMatch] = []
    s = 0
    while s < len(words) and len(found) < limit:
        if at_start and (s > MAX_LEAD_WORDS or any(w.text not in LEAD_FILLERS for w in words[:s])):
            break
        best: tuple[int, int] | None = None  # (distance, words used)
        for width in range(max(1, len(core) - 1), len(core) + 2):
            if s + width > len(words):
                break
            distance = _similar(wanted, "".join(w.text for w in words[s:s + width]))
            if distance is not None and (best is None or distance < best[0]):
                best = (distance, width)
        if best is None:
            s += 1
            continue
        first = s
        # Include the phrase's own greeting words when they were heard right before.
        while first > 0 and s - first < lead and words[first - 1].text in GREETINGS:
            first -= 1
        found.append(PhraseMatch(phrase, words[first].start, words[s + best[1] - 1].end, best[0]))
        s += best[1]
    if not found and _no_space_script(wanted):
        unspaced = _find_unspaced(transcript, wanted, phrase, at_start=at_start)
        return [unspaced] if unspaced is not None else []
    return found


def _find_unspaced(transcript: str, wanted: str, phrase: str, *, at_start: bool) -> PhraseMatch | None:
    chars, origin = _fold_chars(transcript)
    kept = [(c, o) for c, o in zip(chars, origin, strict=True) if _WORD.match(c)]
    squeezed = "".join(c for c, _ in kept)
    at = squeezed.find(wanted)
    if at < 0 or (at_start and at != 0):
        return None
    return PhraseMatch(phrase, kept[at][1], kept[at + len(wanted) - 1][1] + 1, 0)


def confirm_wake(transcript: str, phrase: str) -> PhraseMatch | None:
    """Does the wake segment's transcript contain the wake phrase (anywhere)?"""
    return find_phrase(transcript, phrase)


def match_trigger(transcript: str, triggers: Iterable[str]) -> PhraseMatch | None:
    """The trigger that starts this utterance (the longest one when several do), or None."""
    best: PhraseMatch | None = None
    for trigger in triggers:
        found = find_phrase(transcript, trigger, at_start=True)
        if found is not None and (best is None or (found.end - found.start) > (best.end - best.start)):
            best = found
    return best


def text_after(transcript: str, match: PhraseMatch) -> str:
    """What was said after the match (the command), without the joining punctuation."""
    return transcript[match.end:].lstrip(_STRIP_AFTER).rstrip()


def command_from(transcript: str, phrase: str, occurrence: int = 1) -> str:
    """The command after the wake phrase in a transcript of wake segment plus command.

    ``occurrence`` says which mention was the wake: the number of mentions in the wake
    segment's own transcript (the pre-roll may hold an earlier one); later mentions are
    part of the command ("hey jarvis, who is jarvis?"). No mention: the whole text.
    """
    found = find_all(transcript, phrase)
    if not found:
        return transcript.strip()
    return text_after(transcript, found[min(max(occurrence, 1), len(found)) - 1])


def same_phrase(a: str, b: str) -> bool:
    """Do two phrases have the same words once folded ("Hey Jarvis!" == "hey jarvis")?"""
    return [w.text for w in _words(a)] == [w.text for w in _words(b)]


def is_stop_request(text: str) -> bool:
    """Is this utterance just "stop" / "never mind" (nothing to send to the agent)?"""
    return " ".join(w.text for w in _words(text.replace("'", "").replace("’", ""))) in STOP_REQUESTS
