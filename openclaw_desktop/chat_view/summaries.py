"""One-line summaries of tool arguments, tool results and approval outcomes.

Pure functions over plain data; the transcript model and the history converter use
them so live and reloaded rows read the same. Control and invisible characters are
made visible (a tool argument is model output, and may try to hide something).
"""

from __future__ import annotations

import json
from typing import Any

from openclaw_desktop.approvals.display import visible_command

ARGS_LIMIT = 120
RESULT_LIMIT = 160

# The argument that says the most about a call, for the tools we ship and the usual names.
_MAIN_ARG = ("command", "path", "url", "query", "file_path", "pattern", "node", "text")


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (runs of whitespace become one space), cut to ``limit`` with "…"."""
    flat = " ".join(visible_command(text).split())
    return flat if len(flat) <= limit else flat[: max(0, limit - 1)].rstrip() + "…"


def summarize_args(name: str, args: Any, limit: int = ARGS_LIMIT) -> str:
    """The most telling argument (``command``, ``path``, ``url``…) or compact ``key=value`` pairs."""
    if not isinstance(args, dict):
        return "" if args is None else one_line(_compact(args), limit)
    for key in _MAIN_ARG:
        value = args.get(key)
        if isinstance(value, str) and value:
            rest = {k: v for k, v in args.items() if k != key}
            extra = f" ({_pairs(rest)})" if rest else ""
            return one_line(value + extra, limit)
    return one_line(_pairs(args), limit)


def summarize_result(text: str, is_error: bool = False, images: int = 0, limit: int = RESULT_LIMIT) -> str:
    """The first non-empty line of a tool's output, plus how much more there is."""
    lines = [line for line in text.splitlines() if line.strip()]
    head = one_line(lines[0], limit) if lines else ("(no output)" if not images else "")
    more = []
    if len(lines) > 1:
        more.append(f"+{len(lines) - 1} more line{'s' if len(lines) > 2 else ''}")
    if images:
        more.append(f"{images} image{'s' if images > 1 else ''}")
    summary = " ".join(part for part in (head, f"[{', '.join(more)}]" if more else "") if part)
    return ("error: " + summary) if is_error else summary


def summarize_live_result(is_error: bool, meta: Any) -> str:
    """What the live ``tool`` result event tells (it carries no output, only its size)."""
    chars = meta.get("chars") if isinstance(meta, dict) else None
    size = f"{chars} characters of output" if isinstance(chars, int) else "finished"
    return ("failed, " if is_error else "") + size


_DENY_REASONS = {
    "no-route": "Denied: no one could answer",
    "timeout": "Expired without an answer (denied)",
    "disconnect": "Denied: the requester went away",
    "cancelled": "Cancelled (denied)",
    "gateway-restart": "Denied: the gateway restarted",
    "ui-failure": "Denied: the approval dialog failed",
}


def approval_outcome(decision: Any, resolved_by: Any, reason: Any) -> str:
    """A sentence for a resolved approval: who answered what, or why it ended."""
    who = resolved_by if isinstance(resolved_by, str) and resolved_by else "someone"
    if decision == "allow-once":
        return f"Allowed once by {who}"
    if decision == "allow-always":
        return f"Always allowed by {who}"
    if reason in _DENY_REASONS:
        return _DENY_REASONS[str(reason)]
    if decision == "deny":
        return f"Denied by {who}"
    return f"Ended without a decision ({reason or 'unknown reason'})"


def _compact(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    except ValueError:  # circular structures cannot come off the wire, but be safe
        return str(value)


def _pairs(args: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v if isinstance(v, str) else _compact(v)}" for k, v in args.items())
