"""``openclaw-desktop exec-policy check``: show what the exec policy would do with a command.

Usage: ``exec-policy check [--allow NAME_OR_GLOB ...] [--json] [--cwd DIR] -- 'COMMAND'``.

Without ``--allow`` the policy is the desktop default document (security allowlist, ask
on-miss, empty allowlist). Each ``--allow`` adds one allowlist entry: a bare name is
resolved on the current PATH to the absolute path of the executable first (so the
entry means "that file"), anything with ``/``, ``~`` or glob characters is used as a
pattern as is. Exit status: 0 allow, 1 ask, 2 deny (argparse usage errors also exit 2).

Only :func:`configure_parser` and :func:`run` are public; ``cli.py`` wires them in.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from typing import TextIO

from .allowlist import AllowlistEntry
from .document import EffectivePolicy
from .policy import Decision, DecisionKind, decide
from .resolution import PathResolver

EXIT_CODES = {DecisionKind.ALLOW: 0, DecisionKind.ASK: 1, DecisionKind.DENY: 2}


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``check`` sub-subcommand (and its arguments) to the ``exec-policy`` parser."""
    sub = parser.add_subparsers(dest="exec_policy_command", metavar="{check}")
    check = sub.add_parser("check", help="show whether a command would be allowed, asked or denied",
                           description=__doc__.splitlines()[0])
    check.add_argument("--allow", action="append", default=[], metavar="NAME_OR_GLOB",
                       help="allowlist entry (bare names are resolved on PATH); repeatable")
    check.add_argument("--json", action="store_true", help="print the decision as JSON")
    check.add_argument("--cwd", default=None, help="working directory to decide for (default: current)")
    check.add_argument("command", nargs="+", metavar="COMMAND",
                       help="the shell command, as one argument after --")
    parser.set_defaults(exec_policy_command=None)


def _entries(allow: list[str], cwd: str, path_env: str, err: TextIO) -> tuple[AllowlistEntry, ...]:
    resolve = PathResolver()
    entries = []
    for item in allow:
        item = item.strip()
        if not item:
            continue
        if any(c in item for c in "/\\~*?"):
            entries.append(AllowlistEntry(item))
            continue
        found = resolve(item, cwd, path_env)
        if found is None:
            print(f"exec-policy check: --allow {item}: not found on PATH; ignored", file=err)
        else:
            entries.append(AllowlistEntry(found.path))
    return tuple(entries)


def _as_json(decision: Decision) -> dict[str, object]:
    return {
        "decision": str(decision.kind),
        "reasons": list(decision.reasons),
        "hazards": [str(h.code) for h in decision.hazards],
        "segments": [{"argv": list(s.argv), "executable": s.executable, "allowlisted": s.allowlisted}
                     for s in decision.segments],
    }


def _visible(text: str) -> str:
    """Escape characters a terminal would hide or interpret (a reviewer must see them)."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _print_text(decision: Decision, out: TextIO) -> None:
    print(f"decision: {decision.kind}", file=out)
    print("reasons:", file=out)
    for reason in decision.reasons:
        print(f"  - {_visible(reason)}", file=out)
    if decision.segments:
        print("segments:", file=out)
    for index, seg in enumerate(decision.segments, start=1):
        status = "safe bin" if seg.safe_bin else "allowlisted" if seg.allowlisted else "not allowlisted"
        nested = " (nested)" if seg.segment.nested else ""
        print(f"  {index}. {_visible(shlex.join(seg.argv)) or '(assignment)'}{nested}", file=out)
        print(f"     executable: {seg.executable or '-'} [{status}]", file=out)


def run(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``exec-policy check``; return 0 (allow), 1 (ask) or 2 (deny or usage error)."""
    out, err = out or sys.stdout, err or sys.stderr
    if getattr(args, "exec_policy_command", None) != "check":
        print("usage: exec-policy check [--allow NAME_OR_GLOB ...] [--json] -- 'COMMAND'", file=err)
        return 2
    parts = list(args.command)
    # One argument is the command text as is; several (unquoted after --) are argv words.
    command = parts[0] if len(parts) == 1 else shlex.join(parts)
    cwd = os.path.abspath(args.cwd or os.getcwd())
    path_env = os.environ.get("PATH", os.defpath)
    entries = _entries(args.allow, cwd, path_env, err)
    policy = EffectivePolicy(allowlist=entries)  # allowlist + on-miss + deny fallback
    decision = decide(command, policy, cwd=cwd, path_env=path_env)
    if args.json:
        print(json.dumps(_as_json(decision), ensure_ascii=False, indent=2), file=out)
    else:
        _print_text(decision, out)
    return EXIT_CODES[decision.kind]
