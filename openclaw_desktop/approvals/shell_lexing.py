"""Quote-aware scanning of raw shell text, independent of any parser.

Two jobs, both pure:

* :func:`scan_word` turns the raw text of one word (as sliced from the command by the
  parser's positions) into the value bash would pass in ``argv`` after quote removal,
  and reports every expansion the word would undergo. We do the unquoting ourselves
  because bashlex's own ``word`` is wrong for some inputs (``"a\\x"``, ``$'\\x72m'``).
* :func:`scan_text` walks the whole command as a second line of defence: whatever the
  parser may have dropped or mis-modelled, ``$(``, backticks, ``<(``, ``$'…'``, unquoted
  glob and brace characters and line continuations are still seen here.

Both err on the side of reporting: a finding only ever adds a hazard (asks a human),
so a false positive costs a prompt while a false negative could run code unreviewed.
Must not import bashlex (that is :mod:`shell_analysis`'s job alone).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from .hazards import Finding, HazardCode

_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_SPECIAL_PARAMS = frozenset("0123456789@*#?$!-")
_GLOB = frozenset("*?[")
# Characters that end a word in the whole-text scan (outside quotes).
_SEPARATORS = frozenset(" \t\n;&|()<>")
_DQ_ESCAPABLE = frozenset('$`"\\\n')
_NESTED_CODES = frozenset({HazardCode.COMMAND_SUBSTITUTION, HazardCode.PROCESS_SUBSTITUTION,
                           HazardCode.ARITHMETIC_EXPANSION})


@dataclass(frozen=True, slots=True)
class WordScan:
    """Result of scanning one word.

    ``value`` is the argv string bash would produce when ``static`` is true; when any
    expansion remains (``static`` false) it is only a display approximation.
    """

    value: str
    static: bool
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class TextScan:
    """Whole-text findings; ``has_content`` is false for blank or comment-only text."""

    findings: tuple[Finding, ...]
    has_content: bool


def unsafe_characters(text: str) -> list[Finding]:
    """Report NUL, control and invisible/format characters anywhere in the text.

    Newline and tab are ordinary shell whitespace. Everything else in Unicode
    categories Cc/Cf/Zl/Zp/Co/Cs/Cn, and non-ASCII spaces (which bash does not treat as
    separators, so ``ls\\u00a0-la`` is one word that *looks* like two), can make what a
    reviewer sees differ from what runs.
    """
    out: list[Finding] = []
    if "\x00" in text:
        out.append((HazardCode.NUL_BYTE, "the command contains a NUL byte, which would truncate it"))
    for ch in text:
        if ch in "\n\t" or ch == "\x00":
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn") or (category == "Zs" and ch != " "):
            name = unicodedata.name(ch, f"U+{ord(ch):04X}")
            out.append((HazardCode.CONTROL_CHARACTER,
                        f"the command contains an invisible or control character ({name})"))
            break
    return out


def _dollar(text: str, i: int, quoted: bool) -> tuple[list[Finding], int]:
    """Classify the ``$`` at ``text[i]``; return its findings and the index to resume at.

    No findings means the ``$`` is literal (end of word, ``$/``, ``$%`` …), as in bash.
    """
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if nxt == "(":
        end = _skip_balanced(text, i + 1, "(", ")")
        if text.startswith("((", i + 1):
            return [(HazardCode.ARITHMETIC_EXPANSION, "arithmetic expansion $((…)) is evaluated by the shell")], end
        return [(HazardCode.COMMAND_SUBSTITUTION, "command substitution $(…) runs another command")], end
    if nxt == "[":
        end = _skip_balanced(text, i + 1, "[", "]")
        return [(HazardCode.ARITHMETIC_EXPANSION, "arithmetic expansion $[…] is evaluated by the shell")], end
    if nxt == "{":
        end = _skip_balanced(text, i + 1, "{", "}")
        # bashlex keeps "${x:-$(cmd)}" as one opaque parameter; look inside ourselves.
        inner = [f for f in _scan(text[i + 2:end - 1], whole=True)[2] if f[0] in _NESTED_CODES]
        return [(HazardCode.VARIABLE_EXPANSION, "parameter expansion ${…} depends on the environment"), *inner], end
    if not quoted and nxt in ("'", '"'):
        end = text.find(nxt, i + 2)
        end = len(text) if end < 0 else end + 1
        return [(HazardCode.ANSI_C_QUOTING, f"${nxt}…{nxt} quoting is decoded by the shell and can hide text")], end
    if nxt in _NAME_START:
        end = i + 2
        while end < len(text) and (text[end] in _NAME_START or text[end].isdigit()):
            end += 1
        return [(HazardCode.VARIABLE_EXPANSION, f"variable expansion {text[i:end]} depends on the environment")], end
    if nxt in _SPECIAL_PARAMS:
        return [(HazardCode.VARIABLE_EXPANSION, f"special parameter ${nxt} depends on the shell")], i + 2
    return [], i + 1


def _brace_expands(text: str, i: int) -> bool:
    """Would the unquoted ``{`` at ``text[i]`` start a brace expansion?

    Bash only expands ``{a,b}`` and ``{a..b}``; ``{}``, ``{x}`` and ``@{1}`` stay literal.
    Quotes or expansions before the closing brace make it undecidable here: report.
    """
    end = text.find("}", i + 1)
    if end < 0:
        return False
    inner = text[i + 1:end]
    return any(c in inner for c in "'\"\\$`{,") or ".." in inner


def _skip_balanced(text: str, i: int, open_ch: str, close_ch: str) -> int:
    """Index just past the bracket matching ``text[i]``; ``len(text)`` when unbalanced.

    Quotes inside are skipped roughly; precision does not matter because the caller has
    already recorded a hazard for the whole construct.
    """
    depth, quote = 0, ""
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = ""
        elif ch == "\\":
            i += 1
        elif ch in "'\"`":
            quote = ch
        elif ch == open_ch:
            depth += 1
        elif ch == close_ch:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def _scan(text: str, *, whole: bool) -> tuple[str, bool, list[Finding], bool]:
    """The shared state machine: returns (value, static, findings, has_content)."""
    out: list[str] = []
    findings: list[Finding] = []
    static = True
    has_content = False
    word_start = True  # at the first character of a word (for "#" comments and "~")
    prev_unquoted = ""  # the previous unquoted character of the current word
    i, n = 0, len(text)

    def note(code: HazardCode, reason: str) -> None:
        nonlocal static
        static = False
        findings.append((code, reason))

    while i < n:
        ch = text[i]
        if whole and ch in _SEPARATORS:
            if ch in "<>" and i + 1 < n and text[i + 1] == "(":
                note(HazardCode.PROCESS_SUBSTITUTION, f"process substitution {ch}(…) runs another command")
                i = _skip_balanced(text, i + 1, "(", ")")
                continue
            word_start, prev_unquoted = True, ""
            i += 1
            continue
        if whole and word_start and ch == "#":
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        has_content = True
        at_start, word_start = word_start, False
        if ch == "\\":
            if i + 1 >= n:
                note(HazardCode.PARSE_ERROR, "the command ends with a lone backslash")
                i += 1
            elif text[i + 1] == "\n":
                note(HazardCode.LINE_CONTINUATION, "a backslash-newline joins lines and can hide text")
                i += 2
            else:
                out.append(text[i + 1])
                prev_unquoted = ""
                i += 2
            continue
        if ch == "'":
            end = text.find("'", i + 1)
            if end < 0:
                note(HazardCode.PARSE_ERROR, "unterminated single quote")
                break
            out.append(text[i + 1:end])
            i, prev_unquoted = end + 1, ""
            continue
        if ch == '"':
            i = _double_quoted(text, i + 1, out, note)
            prev_unquoted = ""
            continue
        if ch == "$":
            findings_here, end = _dollar(text, i, quoted=False)
            for finding in findings_here:
                note(*finding)
            out.append(text[i:end])  # raw text: an exact value when literal, a display otherwise
            i, prev_unquoted = end, "$"
            continue
        if ch == "`":
            i = _backticks(text, i, out, note)
            continue
        if not whole and ch in "<>" and i + 1 < n and text[i + 1] == "(":
            note(HazardCode.PROCESS_SUBSTITUTION, f"process substitution {ch}(…) runs another command")
            end = _skip_balanced(text, i + 1, "(", ")")
            out.append(text[i:end])
            i = end
            continue
        if ch in _GLOB:
            note(HazardCode.GLOB, f"unquoted {ch!r} is a filename pattern the shell expands")
        elif ch == "{" and _brace_expands(text, i):
            note(HazardCode.BRACE_EXPANSION, "unquoted '{…,…}' or '{a..b}' is brace expansion")
        elif ch == "~" and (at_start or prev_unquoted in ("=", ":")):
            note(HazardCode.TILDE_EXPANSION, "unquoted '~' is expanded to a home directory")
        elif not whole and ch in "()<>;&| \t\n":
            note(HazardCode.PARSE_ERROR, f"unexpected unquoted {ch!r} inside a word")
        out.append(ch)
        prev_unquoted = ch
        i += 1
    return "".join(out), static, findings, has_content


def _backticks(text: str, i: int, out: list[str], note: Callable[[HazardCode, str], None]) -> int:
    """A backtick substitution (quoted or not) is kept as raw text and is always a hazard."""
    note(HazardCode.COMMAND_SUBSTITUTION, "backtick command substitution runs another command")
    end = text.find("`", i + 1)
    end = len(text) if end < 0 else end + 1
    out.append(text[i:end])
    return end


def _double_quoted(text: str, i: int, out: list[str], note: Callable[[HazardCode, str], None]) -> int:
    """Consume a double-quoted span starting after the opening quote; return the index after it."""
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            return i + 1
        if ch == "\\" and i + 1 < n and text[i + 1] in _DQ_ESCAPABLE:
            if text[i + 1] == "\n":
                note(HazardCode.LINE_CONTINUATION, "a backslash-newline joins lines and can hide text")
            else:
                out.append(text[i + 1])
            i += 2
            continue
        if ch == "$":
            findings_here, end = _dollar(text, i, quoted=True)
            for finding in findings_here:
                note(*finding)
            out.append(text[i:end])
            i = end
            continue
        if ch == "`":
            i = _backticks(text, i, out, note)
            continue
        out.append(ch)  # inside double quotes a backslash before other characters stays
        i += 1
    note(HazardCode.PARSE_ERROR, "unterminated double quote")
    return n


def scan_word(raw: str) -> WordScan:
    """Unquote one word exactly as bash would, reporting any expansion it undergoes."""
    value, static, findings, _ = _scan(raw, whole=False)
    return WordScan(value, static, tuple(findings))


def scan_text(text: str) -> TextScan:
    """Scan a whole command for expansions and quoting tricks (comments are skipped)."""
    _, _, findings, has_content = _scan(text, whole=True)
    return TextScan(tuple(findings), has_content)
