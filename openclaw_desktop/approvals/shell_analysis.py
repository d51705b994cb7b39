"""Shell analysis: split a command into simple commands and list its hazards.

:func:`analyze` is a pure function (text in, :class:`Analysis` out) and the **only**
place in the project that imports ``bashlex``. It fails closed: whatever it cannot prove
to be a plain simple command (``argv`` with static words, joined by ``;``/``&&``/``||``/
newlines) carries at least one :class:`~.hazards.Hazard`. Three independent layers feed
the hazard list, and a construct seen by any one of them counts:

1. bashlex's tree (structure: lists, pipelines, redirections, compounds, substitutions);
   anything it rejects (syntax errors, ``case``, ``coproc``, ``$((…))``, ``[[ ]]``,
   ``time``) or any node kind we do not know becomes ``parse-error``;
2. our own quote-aware unquoting of each word's raw text (:mod:`.shell_lexing`), which
   also yields the argv values (bashlex's own unquoting is wrong for some inputs);
3. a whole-text scan for ``$(``, backticks, ``<(``, ``$'…'``, globs and braces, as a
   second line of defence against constructs the parser drops or mis-models.

No I/O, no clock, no environment: the same text always gives the same analysis.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .command_rules import classify_argv
from .hazards import Finding, Hazard, HazardCode
from .shell_lexing import scan_text, scan_word, unsafe_characters


@functools.cache
def _bashlex() -> ModuleType | None:
    """bashlex, imported on first use: building its grammar takes ~0.2 s, which would
    otherwise be paid by every gateway start. None when missing (then everything is a
    parse error: fail closed)."""
    try:
        import bashlex
    except ImportError:  # pragma: no cover - exercised only on a broken install
        return None
    return bashlex

#: Longer commands are not parsed at all (and the policy denies them): bashlex time
#: grows quickly with size, and nobody can review 10 kB of shell in a dialog.
MAX_COMMAND_CHARS = 10_000

_HEREDOC_TYPES = frozenset({"<<", "<<-", "<<<"})
_QUOTE_CHARS = str.maketrans("", "", "'\"\\")


@dataclass(frozen=True, slots=True)
class Segment:
    """One simple command.

    ``argv`` holds the words after quote removal (exact when ``static``; a display
    approximation otherwise). ``operator`` is the chain operator that joins this segment
    to the previous one (``;``, ``&&``, ``||``, ``\\n``, ``|``, ``|&``, ``&``), ``None``
    for the first. ``nested`` marks commands inside subshells, groups, control flow,
    functions or substitutions. ``span`` is the ``[start, end)`` range in the text.
    """

    argv: tuple[str, ...]
    operator: str | None
    span: tuple[int, int]
    assignments: tuple[str, ...] = ()
    static: bool = True
    nested: bool = False

    @property
    def executable(self) -> str | None:
        """``argv[0]`` as written (unresolved), or ``None`` for an assignment-only command."""
        return self.argv[0] if self.argv else None


@dataclass(frozen=True, slots=True)
class Analysis:
    """The segments of a command and every hazard found in it."""

    command: str
    segments: tuple[Segment, ...]
    hazards: tuple[Hazard, ...]

    @property
    def is_empty(self) -> bool:
        """True for blank or comment-only text (nothing would run, nothing suspicious)."""
        return not self.segments and not self.hazards

    @property
    def is_plain(self) -> bool:
        """True when the command is provably a chain of plain simple commands."""
        return bool(self.segments) and not self.hazards

    @property
    def codes(self) -> frozenset[HazardCode]:
        return frozenset(h.code for h in self.hazards)

    def hazards_for(self, index: int) -> tuple[Hazard, ...]:
        """Hazards attached to segment ``index`` (whole-text hazards excluded)."""
        return tuple(h for h in self.hazards if h.segment == index)


def analyze(command: str) -> Analysis:
    """Parse ``command`` as POSIX/bash shell and report its segments and hazards."""
    hazards: list[Hazard] = []
    if len(command) > MAX_COMMAND_CHARS:
        reason = f"the command is longer than {MAX_COMMAND_CHARS} characters"
        return Analysis(command, (), (Hazard(HazardCode.TOO_LONG, reason),))
    hazards.extend(Hazard(code, reason) for code, reason in unsafe_characters(command))
    if not scan_text(command).has_content:
        return Analysis(command, (), tuple(hazards))
    walker = _Walker(command)
    bashlex = _bashlex()
    if bashlex is None:
        walker.add(HazardCode.PARSE_ERROR, "the shell parser (bashlex) is not installed")
    else:
        try:
            trees = bashlex.parse(command)
            for index, tree in enumerate(trees):
                walker.pending_op = "\n" if index else None
                walker.node(tree, nested=False)
        except Exception as exc:  # noqa: BLE001 - bashlex raises many types, incl. NotImplementedError
            walker.segments.clear()
            walker.add(HazardCode.PARSE_ERROR, f"the command could not be parsed ({_describe(exc)})")
    hazards.extend(walker.hazards)
    seen = {h.code for h in hazards}
    if HazardCode.DYNAMIC_COMMAND in seen:
        seen.add(HazardCode.VARIABLE_EXPANSION)  # already reported, more precisely
    for code, reason in scan_text(walker.blank_heredocs()).findings:
        if code not in seen:  # a second-line finding the tree walk missed
            hazards.append(Hazard(code, reason))
            seen.add(code)
    return Analysis(command, tuple(walker.segments), tuple(hazards))


def _bare(text: str) -> str:
    return text.translate(_QUOTE_CHARS)


def _describe(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


class _Walker:
    """Walks bashlex nodes, collecting segments and hazards in source order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.segments: list[Segment] = []
        self.hazards: list[Hazard] = []
        self.heredocs: list[tuple[int, int]] = []
        self.pending_op: str | None = None

    def add(self, code: HazardCode, reason: str, segment: int | None = None) -> None:
        if not any(h.code == code and h.segment == segment for h in self.hazards):
            self.hazards.append(Hazard(code, reason, segment))

    def blank_heredocs(self) -> str:
        """The text with here-document bodies blanked (they are data, already a hazard)."""
        chars = list(self.text)
        for start, end in self.heredocs:
            chars[start:end] = " " * (end - start)
        return "".join(chars)

    def node(self, node: Any, nested: bool) -> None:
        kind = node.kind
        if kind == "list":
            for part in node.parts:
                if part.kind == "operator":
                    if part.op == "&":
                        self.add(HazardCode.BACKGROUND, "'&' runs a command in the background")
                    self.pending_op = part.op
                else:
                    self.node(part, nested)
        elif kind == "pipeline":
            for part in node.parts:
                if part.kind == "pipe":
                    self.add(HazardCode.PIPE, f"'{part.pipe}' feeds one command's output into another")
                    self.pending_op = part.pipe
                elif part.kind == "reservedword":
                    self.add(HazardCode.CONTROL_FLOW, f"'{part.word}' in a pipeline changes how it runs")
                else:
                    self.node(part, nested)
        elif kind == "command":
            self._command(node, nested)
        elif kind == "compound":
            self._compound(node)
        elif kind in ("if", "for", "while", "until", "function"):
            label = "function definition" if kind == "function" else f"'{kind}' statement"
            self.add(HazardCode.CONTROL_FLOW, f"{label}: control flow is not a simple command")
            for part in node.parts:
                if part.kind == "word":
                    self._word_parts(part, nested=True)
                elif part.kind != "reservedword":
                    self.node(part, nested=True)
        elif kind == "reservedword":
            return
        else:
            self.add(HazardCode.PARSE_ERROR, f"unsupported shell construct ({kind})")

    def _compound(self, node: Any) -> None:
        items = list(node.list)
        first = items[0] if items else None
        if first is not None and first.kind == "reservedword" and first.word == "(":
            self.add(HazardCode.SUBSHELL, "'( … )' runs commands in a subshell")
        elif first is not None and first.kind == "reservedword" and first.word == "{":
            self.add(HazardCode.GROUP, "'{ …; }' groups commands")
        for item in items:
            if item.kind != "reservedword":
                self.node(item, nested=True)
        for redirect in getattr(node, "redirects", None) or ():
            self._redirect(redirect, None)

    def _command(self, node: Any, nested: bool) -> None:
        index = len(self.segments)
        words: list[Any] = []
        assignments: list[Any] = []
        redirects: list[Any] = []
        for part in node.parts:
            {"word": words, "assignment": assignments, "redirect": redirects}.get(part.kind, []).append(part)
            if part.kind not in ("word", "assignment", "redirect"):
                self.add(HazardCode.PARSE_ERROR, f"unsupported part of a command ({part.kind})", index)
        argv: list[str] = []
        static = True
        for position, word in enumerate(words):
            value, ok, findings = self._scan(word)
            static = static and ok
            argv.append(value)
            for code, reason in findings:
                if position == 0 and code == HazardCode.VARIABLE_EXPANSION:
                    code, reason = HazardCode.DYNAMIC_COMMAND, f"the command name is computed at run time ({reason})"
                self.add(code, reason, index)
            if position == 0 and not ok:
                self.add(HazardCode.DYNAMIC_COMMAND, "the command name is not a static word", index)
        assigned = [self._assignment(a, index, bool(words)) for a in assignments]
        self.segments.append(Segment(tuple(argv), self.pending_op, tuple(node.pos), tuple(assigned), static, nested))
        self.pending_op = None
        if argv and not argv[0].isascii():
            self.add(HazardCode.NON_ASCII_COMMAND,
                     f"the command name {argv[0]!r} contains non-ASCII characters (look-alikes?)", index)
        if argv:  # on non-static argv this only sees a display approximation; it can only add hazards
            for code, reason in classify_argv(argv):
                self.add(code, reason, index)
        for redirect in redirects:
            self._redirect(redirect, index)
        # Nested commands come last so this segment keeps the index its hazards use.
        for part in words + assignments:
            self._word_parts(part, nested=True)

    def _scan(self, word: Any) -> tuple[str, bool, list[Finding]]:
        start, end = word.pos
        raw = self.text[start:end]
        scan = scan_word(raw)
        findings = list(scan.findings)
        # bashlex's own unquoting is wrong for some words ("a\x", 'it''s'), so compare with
        # quote characters and backslashes dropped: what remains must agree, otherwise
        # positions or parsing went astray.
        if not raw or (scan.static and _bare(scan.value) != _bare(word.word)):
            findings.append((HazardCode.PARSE_ERROR, "the parser and the word scanner disagree about a word"))
        for part in getattr(word, "parts", None) or ():
            if part.kind == "parameter":
                findings.append((HazardCode.VARIABLE_EXPANSION, "variable expansion depends on the environment"))
            elif part.kind == "tilde":
                findings.append((HazardCode.TILDE_EXPANSION, "'~' is expanded to a home directory"))
            elif part.kind == "commandsubstitution":
                findings.append((HazardCode.COMMAND_SUBSTITUTION, "command substitution runs another command"))
            elif part.kind == "processsubstitution":
                findings.append((HazardCode.PROCESS_SUBSTITUTION, "process substitution runs another command"))
        static = scan.static and not findings
        return scan.value, static, findings

    def _assignment(self, node: Any, index: int, prefix: bool) -> str:
        value, _, findings = self._scan(node)
        name = value.split("=", 1)[0]
        if prefix:
            self.add(HazardCode.ENV_ASSIGNMENT,
                     f"the assignment {name}=… changes the environment of the command", index)
        else:
            self.add(HazardCode.SHELL_STATE, f"the assignment {name}=… changes later commands", index)
        for code, reason in findings:
            self.add(code, reason, index)
        return value

    def _redirect(self, node: Any, index: int | None) -> None:
        kind = node.type
        if kind in _HEREDOC_TYPES:
            label = "here-string '<<<'" if kind == "<<<" else f"here-document '{kind}'"
            self.add(HazardCode.HEREDOC, f"{label} feeds inline text to the command", index)
        else:
            self.add(HazardCode.REDIRECTION, f"redirection '{kind}' reads or writes files or descriptors", index)
        heredoc = getattr(node, "heredoc", None)
        if heredoc is not None:
            self.heredocs.append(tuple(heredoc.pos))
        target = getattr(node, "output", None)
        if target is not None and not isinstance(target, (int, str)) and target.kind == "word":
            _, _, findings = self._scan(target)
            for code, reason in findings:
                self.add(code, reason, index)
            self._word_parts(target, nested=True)

    def _word_parts(self, word: Any, nested: bool) -> None:
        """Walk commands hidden inside a word (``$(…)``, ``<(…)``)."""
        for part in getattr(word, "parts", None) or ():
            if part.kind in ("commandsubstitution", "processsubstitution"):
                self.node(part.command, nested)
            elif getattr(part, "parts", None):
                self._word_parts(part, nested)
