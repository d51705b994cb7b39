"""Safe bins: stdin-only filters that run in allowlist mode without an entry (§6.4).

A safe-bin use passes only when all of these hold (anything else falls through to the
normal allowlist rules, i.e. fails closed):

* the name is listed in the effective ``safeBins`` and has a built-in profile below
  (custom profiles are not supported yet, so an unknown name is never safe);
  ``awk``, ``sed`` and ``jq`` can never be safe bins;
* it was invoked by bare name through PATH and both the found path and its real path
  are in a trusted directory (``/bin``, ``/usr/bin``) — PATH itself is never trusted;
* every option is known to the profile and not denied (long and short options are
  validated fail-closed, including ``--opt=value`` forms and short clusters);
* no positional operand beyond what the profile allows (``tr`` takes its two SETs, all
  others none), and no token anywhere that looks like a path (contains ``/`` or starts
  with ``~`` or ``.``): the filter can then only read stdin.

The caller also requires the whole command to be hazard-free, so no redirection can
feed it a file. Pure.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .resolution import ResolvedExecutable

DEFAULT_SAFE_BINS = ("cut", "uniq", "head", "tail", "tr", "wc")
SAFE_BIN_DIRS = ("/bin", "/usr/bin")
NEVER_SAFE = frozenset({"awk", "gawk", "mawk", "nawk", "sed", "gsed", "jq"})


@dataclass(frozen=True, slots=True)
class SafeBinProfile:
    """Options a filter accepts: ``values`` take an argument, ``flags`` do not."""

    values: frozenset[str]
    flags: frozenset[str]
    max_positional: int = 0
    numeric_shorthand: bool = False  # head -5
    requires: frozenset[str] = frozenset()  # at least one of these options must appear


def _p(values: str, flags: str, **kw: object) -> SafeBinProfile:
    return SafeBinProfile(frozenset(values.split()), frozenset(flags.split()), **kw)  # type: ignore[arg-type]


PROFILES: dict[str, SafeBinProfile] = {
    "head": _p("-n -c --lines --bytes", "-q -v -z --quiet --silent --verbose --zero-terminated",
               numeric_shorthand=True),
    "tail": _p("-n -c --lines --bytes", "-q -v -z --quiet --silent --verbose --zero-terminated",
               numeric_shorthand=True),
    "cut": _p("-b -c -f -d --bytes --characters --fields --delimiter --output-delimiter",
              "-s -n -z --complement --only-delimited --zero-terminated"),
    "uniq": _p("-f -s -w --skip-fields --skip-chars --check-chars",
               "-c -d -D -u -i -z --count --repeated --unique --ignore-case --zero-terminated"),
    "tr": _p("", "-c -C -d -s -t --complement --delete --squeeze-repeats --truncate-set1", max_positional=2),
    "wc": _p("", "-c -m -l -L -w --bytes --chars --lines --max-line-length --words"),
    "grep": _p("-e -m -A -B -C --regexp --max-count --after-context --before-context --context --label",
               "-i -v -c -n -o -w -x -E -F -G -h -H -q -s -z -a -b --ignore-case --invert-match --count "
               "--line-number --only-matching --word-regexp --line-regexp --extended-regexp --fixed-strings "
               "--basic-regexp --no-filename --with-filename --quiet --silent --no-messages --null-data --text",
               requires=frozenset({"-e", "--regexp"})),
    "sort": _p("-k -t --key --field-separator",
               "-b -d -f -g -i -M -h -n -R -r -V -s -u -z --ignore-leading-blanks --dictionary-order "
               "--ignore-case --general-numeric-sort --ignore-nonprinting --month-sort --human-numeric-sort "
               "--numeric-sort --reverse --version-sort --stable --unique --zero-terminated"),
}


def _path_like(token: str) -> bool:
    return "/" in token or token.startswith(("~", "."))


def _options_ok(args: Sequence[str], profile: SafeBinProfile) -> tuple[bool, int, set[str]]:
    """Validate options; return (ok, positional count, options seen)."""
    seen: set[str] = set()
    positional, i, options_done = 0, 0, False
    while i < len(args):
        arg = args[i]
        if options_done or arg == "-" or not arg.startswith("-"):
            positional += 1
        elif arg == "--":
            options_done = True
        elif arg.startswith("--"):
            name, has_value, _ = arg.partition("=")
            if name in profile.values:
                i += 0 if has_value else 1
            elif name not in profile.flags or has_value:
                return False, 0, seen
            seen.add(name)
        elif profile.numeric_shorthand and arg[1:].isdigit():
            pass
        else:
            for pos, letter in enumerate(arg[1:], start=1):
                option = "-" + letter
                seen.add(option)
                if option in profile.values:
                    i += 0 if arg[pos + 1:] else 1
                    break
                if option not in profile.flags:
                    return False, 0, seen
        i += 1
    if i > len(args):  # an option wanted a value that is not there
        return False, 0, seen
    return True, positional, seen


def is_safe_bin_use(argv: Sequence[str], resolved: ResolvedExecutable, *, safe_bins: Iterable[str],
                    via_path: bool, trusted_dirs: Sequence[str] = SAFE_BIN_DIRS) -> bool:
    """Whether this simple command is a permitted safe-bin filter (see the module docstring)."""
    if not argv or not via_path:
        return False
    name = argv[0]
    profile = PROFILES.get(name)
    if name in NEVER_SAFE or profile is None or name not in set(safe_bins) or resolved.untrusted:
        return False
    if any(os.path.dirname(p) not in trusted_dirs for p in (resolved.path, resolved.real_path)):
        return False
    args = argv[1:]
    if any(_path_like(a) for a in args):
        return False
    ok, positional, seen = _options_ok(args, profile)
    if not ok or positional > profile.max_positional:
        return False
    return not profile.requires or bool(profile.requires & seen)
