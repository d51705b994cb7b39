"""The exec-approval decision: allow, ask a human, or deny one command string.

:func:`decide` is pure apart from the injected :data:`~.resolution.Resolver` (which may
stat files). The rules, in order (first that applies wins):

1. security ``deny`` → **deny**; an unreadable document counts as deny (:data:`FAIL_CLOSED`).
2. a hazard in :data:`~.hazards.DENY_CODES` (NUL byte, too long) → **deny**: no human
   can review faithfully what would run.
3. nothing to run (blank or comment-only) → **deny**.
4. security ``full``: ``ask=always`` → ask; ``ask=on-miss`` → ask when there is any
   hazard (the structure cannot be proven simple, which is the only "miss" in full
   mode); ``ask=off`` → **allow** even with hazards (they are listed in the reasons).
   Full/off is the operator's explicit opt-out of approvals, as in OpenClaw.
5. security ``allowlist``: the command is *satisfied* when it has no hazard at all and
   every segment (nested ones included) is allowlisted or a permitted safe bin.
   ``ask=always`` → ask; satisfied → **allow**; otherwise ``on-miss`` → ask and
   ``off`` → deny. A hazard therefore never yields allow in allowlist mode.

Executables are matched by their resolved absolute path (see :mod:`.allowlist`). A
relative path with a slash (``./rm``, ``bin/x``), an executable that was not found, a
dynamic command name, and anything in an untrusted location (temporary directory,
world-writable file or directory, relative PATH entry) never matches an entry.
Shadowing needs no special case for path entries — ``/usr/bin/git`` does not match the
``git`` found earlier in PATH — and bare-name entries only match when PATH resolution
agrees with the trusted system PATH (:data:`TRUSTED_DIRS`).

When a prompt is needed but cannot happen (no approval UI, timeout), the caller applies
:func:`fallback_decision`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from .allowlist import AllowlistEntry, MatchContext, find_match
from .document import (
    FAIL_CLOSED,
    Ask,
    AskFallback,
    DocumentError,
    EffectivePolicy,
    ExecApprovalsDocument,
    Security,
    effective_policy,
    parse_document,
)
from .hazards import DENY_CODES, Hazard, HazardCode
from .resolution import (
    PathResolver,
    ResolvedExecutable,
    Resolver,
    temp_location,
    temp_roots,
)
from .safe_bins import is_safe_bin_use
from .shell_analysis import Analysis, Segment, analyze

#: The trusted system PATH used to vet bare-name allowlist entries, in search order.
TRUSTED_DIRS = ("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/local/sbin",
                "/opt/homebrew/bin", "/opt/homebrew/sbin")


class DecisionKind(StrEnum):
    ALLOW = "allow"
    ASK = "ask"
    DENY = "deny"


@dataclass(frozen=True, slots=True)
class SegmentDecision:
    """One simple command, the executable it resolved to, and whether it is allowlisted."""

    segment: Segment
    resolution: ResolvedExecutable | None
    allowlisted: bool
    matched_entry: AllowlistEntry | None = None
    safe_bin: bool = False
    miss_reason: str | None = None
    hazards: tuple[Hazard, ...] = ()
    trusted_location: bool = False

    @property
    def argv(self) -> tuple[str, ...]:
        return self.segment.argv

    @property
    def executable(self) -> str | None:
        """The resolved real path, or ``None`` when nothing was resolved."""
        return self.resolution.real_path if self.resolution else None

    @property
    def grantable(self) -> bool:
        """Whether an allow-always grant may cover this segment (static, trusted, hazard-free)."""
        return (self.resolution is not None and self.trusted_location and self.segment.static
                and bool(self.segment.argv) and not self.hazards)


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome. ``reasons`` are human sentences, the summary first."""

    kind: DecisionKind
    reasons: tuple[str, ...]
    segments: tuple[SegmentDecision, ...]
    hazards: tuple[Hazard, ...]
    allowlist_satisfied: bool
    policy: EffectivePolicy
    via_fallback: bool = False


def _policy(policy: ExecApprovalsDocument | EffectivePolicy | Mapping[str, Any],
            agent_id: str) -> tuple[EffectivePolicy, str | None]:
    if isinstance(policy, EffectivePolicy):
        return policy, None
    try:
        doc = policy if isinstance(policy, ExecApprovalsDocument) else parse_document(policy)
    except DocumentError as exc:
        return FAIL_CLOSED, str(exc)
    return effective_policy(doc, agent_id), None


def decide(command: str, policy: ExecApprovalsDocument | EffectivePolicy | Mapping[str, Any],
           agent_id: str = "main", *, cwd: str, path_env: str, resolver: Resolver | None = None,
           home: str | None = None, tmp_dirs: Sequence[str] | None = None,
           trusted_dirs: Sequence[str] = TRUSTED_DIRS) -> Decision:
    """Decide whether ``command`` may run for ``agent_id`` in ``cwd`` (see the module docstring).

    ``policy`` may be the parsed document, an already effective policy, or the raw JSON
    object (a malformed one means deny). ``resolver`` defaults to :class:`PathResolver`;
    ``home`` (for ``~`` in patterns) to the current user's; ``tmp_dirs`` to
    :func:`~.resolution.temp_roots` with ``$TMPDIR``.
    """
    eff, doc_error = _policy(policy, agent_id)
    analysis = analyze(command)
    resolve = resolver or PathResolver()
    roots = tuple(tmp_dirs) if tmp_dirs is not None else temp_roots(os.environ.get("TMPDIR"))
    home = home if home is not None else os.path.expanduser("~")
    hazards = analysis.hazards
    # Unreviewable text is not even resolved: its words are not what would run.
    resolvable = os.path.isabs(cwd) and not any(h.code in DENY_CODES for h in hazards)
    segments = tuple(_segment(analysis, i, eff, resolve, cwd, path_env, home, roots, trusted_dirs)
                     for i in range(len(analysis.segments))) if resolvable else ()
    satisfied = bool(segments) and not hazards and all(s.allowlisted for s in segments)
    notes = tuple(f"{h.code}: {h.reason}" for h in hazards) + tuple(
        f"segment {i + 1} ({s.argv[0] if s.argv else 'assignment'}): {s.miss_reason}"
        for i, s in enumerate(segments) if s.miss_reason)

    def out(kind: DecisionKind, summary: str) -> Decision:
        return Decision(kind, (summary, *notes), segments, hazards, satisfied, eff)

    if eff.security == Security.DENY:
        why = f"the exec approvals document is unusable ({doc_error})" if doc_error else "security=deny"
        return out(DecisionKind.DENY, f"{why}: host exec is disabled")
    if not os.path.isabs(cwd):
        return out(DecisionKind.DENY, f"the working directory {cwd!r} is not an absolute path")
    if any(h.code in DENY_CODES for h in hazards):
        return out(DecisionKind.DENY, "the command cannot be reviewed faithfully")
    if analysis.is_empty:
        return out(DecisionKind.DENY, "the command is empty: nothing to run")
    if eff.ask == Ask.ALWAYS:
        return out(DecisionKind.ASK, "ask=always: every command needs approval")
    if eff.security == Security.FULL:
        if hazards and eff.ask == Ask.ON_MISS:
            return out(DecisionKind.ASK, "security=full, ask=on-miss: the command is not a plain simple command")
        return out(DecisionKind.ALLOW, "security=full: no allowlist needed"
                   + (" (ask=off, hazards noted)" if hazards else ""))
    if satisfied:
        return out(DecisionKind.ALLOW, "every command is allowlisted and the command has no hazards")
    what = "the command needs explicit approval" if hazards else "not every command is allowlisted"
    if eff.ask == Ask.ON_MISS:
        return out(DecisionKind.ASK, f"{what} (ask=on-miss)")
    return out(DecisionKind.DENY, f"{what} and ask=off (allowlist miss)")


def _segment(analysis: Analysis, index: int, eff: EffectivePolicy, resolve: Resolver, cwd: str,
             path_env: str, home: str | None, roots: Sequence[str], trusted_dirs: Sequence[str]) -> SegmentDecision:
    seg = analysis.segments[index]
    hazards = analysis.hazards_for(index)

    def miss(reason: str, resolution: ResolvedExecutable | None = None, trusted: bool = False) -> SegmentDecision:
        return SegmentDecision(seg, resolution, False, miss_reason=reason, hazards=hazards, trusted_location=trusted)

    if not seg.argv:
        return miss("an assignment without a command")
    argv0 = seg.argv[0]
    if any(h.code == HazardCode.DYNAMIC_COMMAND for h in hazards):
        return miss("the command name is computed at run time")
    resolution = resolve(argv0, cwd, path_env)
    if resolution is None:
        return miss(f"{argv0!r} was not found")
    if "/" in argv0 and not argv0.startswith("/"):
        return miss(f"{argv0!r} is a relative path; relative executables never match the allowlist", resolution)
    untrusted = (resolution.untrusted or temp_location(resolution.path, roots)
                 or temp_location(resolution.real_path, roots))
    if untrusted:
        return miss(f"untrusted location: {untrusted}", resolution)
    via_path = "/" not in argv0
    trusted = resolve(argv0, cwd, os.pathsep.join(trusted_dirs)) if via_path else None
    ctx = MatchContext(seg.argv, seg.static, resolution, via_path, trusted, cwd, home)
    entry = find_match(eff.allowlist, ctx)
    if entry is not None:
        return SegmentDecision(seg, resolution, True, entry, hazards=hazards, trusted_location=True)
    if is_safe_bin_use(seg.argv, resolution, safe_bins=eff.safe_bins, via_path=via_path):
        return SegmentDecision(seg, resolution, True, safe_bin=True, hazards=hazards, trusted_location=True)
    return miss(f"{resolution.real_path} is not on the allowlist", resolution, trusted=True)


def fallback_decision(decision: Decision, ask_fallback: AskFallback | None = None) -> Decision:
    """The decision when a prompt was needed but nobody answered (no UI, timeout, error).

    ``ask_fallback`` defaults to the policy's. ``deny`` denies; ``allowlist`` allows only
    a satisfied command (allowlisted and hazard-free); ``full`` allows allowlist misses
    but never a command with hazards — explicit-approval requirements are not waived
    by a fallback. Decisions other than ``ask`` are returned unchanged.
    """
    if decision.kind != DecisionKind.ASK:
        return decision
    fallback = ask_fallback or decision.policy.ask_fallback
    if fallback == AskFallback.ALLOWLIST and decision.allowlist_satisfied:
        kind, why = DecisionKind.ALLOW, "askFallback=allowlist: the command is allowlisted"
    elif fallback == AskFallback.FULL and not decision.hazards:
        kind, why = DecisionKind.ALLOW, "askFallback=full: no approval needed without hazards"
    elif fallback == AskFallback.FULL:
        kind, why = DecisionKind.DENY, "askFallback=full does not waive explicit approval of hazards"
    else:
        kind, why = DecisionKind.DENY, f"askFallback={fallback}: no approval was given"
    return replace(decision, kind=kind, reasons=(why, *decision.reasons), via_fallback=True)


__all__ = [
    "TRUSTED_DIRS",
    "Ask",
    "AskFallback",
    "Decision",
    "DecisionKind",
    "EffectivePolicy",
    "ExecApprovalsDocument",
    "Security",
    "SegmentDecision",
    "decide",
    "fallback_decision",
]
