"""Stable hazard codes for shell commands.

A *hazard* is a shell construct that makes a command more than a plain simple command
(``argv`` run directly), or a command that runs other code. Whatever the allowlist says,
a command carrying a hazard needs explicit human approval; a few hazards (see
:data:`DENY_CODES`) cannot even be shown faithfully to a human and are denied outright.

Pure data; imports nothing but the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class HazardCode(StrEnum):
    """Stable machine codes; UIs and tests branch on these, never on the reason text."""

    PARSE_ERROR = "parse-error"
    TOO_LONG = "too-long"
    NUL_BYTE = "nul-byte"
    CONTROL_CHARACTER = "control-character"
    NON_ASCII_COMMAND = "non-ascii-command"
    REDIRECTION = "redirection"
    HEREDOC = "heredoc"
    PIPE = "pipe"
    COMMAND_SUBSTITUTION = "command-substitution"
    PROCESS_SUBSTITUTION = "process-substitution"
    ARITHMETIC_EXPANSION = "arithmetic-expansion"
    SUBSHELL = "subshell"
    GROUP = "group"
    BACKGROUND = "background"
    GLOB = "glob"
    BRACE_EXPANSION = "brace-expansion"
    TILDE_EXPANSION = "tilde-expansion"
    DYNAMIC_COMMAND = "dynamic-command"
    VARIABLE_EXPANSION = "variable-expansion"
    ANSI_C_QUOTING = "ansi-c-quoting"
    LINE_CONTINUATION = "line-continuation"
    ENV_ASSIGNMENT = "env-assignment"
    INDIRECT_EXECUTION = "indirect-execution"
    SHELL_STATE = "shell-state"
    INLINE_CODE = "inline-code"
    COMMAND_WRAPPER = "command-wrapper"
    CONTROL_FLOW = "control-flow"


#: Hazards for which even a human prompt is pointless: the text a reviewer would see is
#: not what would run (NUL truncates argv in C) or is too long to review.
DENY_CODES = frozenset({HazardCode.TOO_LONG, HazardCode.NUL_BYTE})


@dataclass(frozen=True, slots=True)
class Hazard:
    """One reason a command needs explicit approval.

    ``segment`` indexes :attr:`Analysis.segments` when the hazard belongs to one simple
    command, and is ``None`` for whole-text findings (structure, raw-text checks).
    """

    code: HazardCode
    reason: str
    segment: int | None = None


Finding = tuple[HazardCode, str]
"""A hazard not yet attached to a segment: ``(code, human reason)``."""
