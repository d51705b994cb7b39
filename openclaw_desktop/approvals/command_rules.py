"""Which simple commands run *other* code: shell builtins, interpreters, wrappers.

:func:`classify_argv` looks at one statically known ``argv`` and reports hazards for
commands that evaluate code given inline (``python -c``, ``sed``/``awk`` programs),
run another command (``sudo``, ``env``, ``xargs``, ``find -exec``, ``ssh host cmd``,
``git -c``), or change the shell's own state so that later segments mean something
else (``cd``, ``alias``, ``export``). Allowlisting the interpreter or wrapper itself
never covers these forms: what actually runs is hidden in an argument.

Names are matched on the lowercased basename with any ``.exe`` suffix and trailing
version digits removed (``python3.12`` → ``python``), so ``/usr/bin/Python3`` is caught
too. Tables err towards reporting. Pure; imports nothing but the standard library.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .hazards import Finding, HazardCode

_INDIRECT = {
    "eval": "eval runs its arguments as shell code",
    "exec": "exec replaces the shell with another command",
    "source": "source runs a file as shell code", ".": "'.' runs a file as shell code",
    "builtin": "builtin runs a shell builtin chosen by its argument",
    "command": "command runs another command, bypassing functions",
    "coproc": "coproc runs a command in the background", "fc": "fc re-runs commands from history",
    "trap": "trap installs shell code to run later", "enable": "enable loads or toggles shell builtins",
}
_SHELL_STATE = frozenset({
    "alias", "unalias", "cd", "pushd", "popd", "export", "set", "shopt", "unset", "declare",
    "typeset", "local", "readonly", "hash", "ulimit", "umask", "read", "mapfile", "readarray",
    "let", "shift", "getopts", "bind", "complete", "disown", "history",
})
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "yash",
                     "posh", "rbash"})
_PYTHONS = frozenset({"python", "pypy", "ipython"})
# Interpreter → short option letters that take inline code (also inside clusters) and
# long options that do. Clusters are scanned letter by letter: ``perl -lne`` counts.
_INLINE_SHORT = {
    "perl": "eE", "ruby": "e", "lua": "e", "luajit": "e", "osascript": "e", "php": "rRBEF",
    "rscript": "e", "r": "e", "julia": "eE", "expect": "c", "node": "ep", "nodejs": "ep", "bun": "ep",
    "gdb": "", "vim": "c", "vi": "c", "nvim": "c", "ex": "c", "view": "c", "make": "E", "gmake": "E",
}
_INLINE_LONG = {
    "node": ("--eval", "--print"), "nodejs": ("--eval", "--print"), "bun": ("--eval", "--print"),
    "php": ("--run", "--process-code", "--process-begin", "--process-end"), "julia": ("--eval", "--print"),
    "gdb": ("-ex", "--ex", "-eval-command", "--eval-command", "-x", "--command", "-iex"),
    "vim": ("--cmd",), "vi": ("--cmd",), "nvim": ("--cmd",), "make": ("--eval",), "gmake": ("--eval",),
    "emacs": ("--eval", "-eval", "--batch", "-batch"), "ruby": ("--eval",),
}
_ALWAYS_CODE = {
    "awk": "awk runs the program given as its argument", "sed": "sed runs the script given as its argument",
}
_AWKS = frozenset({"awk", "gawk", "mawk", "nawk"})
_SEDS = frozenset({"sed", "gsed"})
_WRAPPERS = frozenset({
    "sudo", "sudoedit", "doas", "su", "pkexec", "runuser", "sg", "newgrp", "env", "genv", "xargs", "gxargs",
    "nice", "gnice", "nohup", "gnohup", "timeout", "gtimeout", "time", "gtime", "watch", "stdbuf", "gstdbuf",
    "chroot", "gchroot", "setsid", "strace", "ltrace", "busybox", "toybox", "flock", "ionice", "taskset",
    "unshare", "nsenter", "script", "parallel", "systemd-run", "chrt", "prlimit", "cpulimit", "firejail",
    "bwrap", "fakeroot", "proot", "caffeinate", "torsocks", "proxychains", "xvfb-run", "catchsegv",
    "valgrind", "entr", "at", "batch", "crontab", "tmux", "screen", "dbus-run-session", "start-stop-daemon",
    "nix-shell", "direnv", "unbuffer", "rlwrap", "sshpass", "su-exec", "gosu", "chpst", "setpriv",
})
_FIND_EXEC = {"-exec": "runs a command for each file", "-execdir": "runs a command for each file",
              "-ok": "runs a command for each file", "-okdir": "runs a command for each file",
              "-delete": "deletes files", "-fprint": "writes a file", "-fprint0": "writes a file",
              "-fprintf": "writes a file", "-fls": "writes a file"}
_SSH_VALUE_OPTS = frozenset("BbcDEeFIiJLlmOoPpQRSWw")


def command_key(argv0: str) -> tuple[str, str]:
    """``(basename, key)``: lowercased basename without ``.exe``, and that without a version."""
    base = argv0.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower()
    base = base.removesuffix(".exe")
    return base, re.sub(r"[0-9.\-]+$", "", base) or base


def _short_clusters(args: Sequence[str]) -> list[str]:
    """Letters of every ``-abc`` style option before ``--`` (a superset, on purpose)."""
    out = []
    for arg in args:
        if arg == "--":
            break
        if arg.startswith("-") and not arg.startswith("--") and len(arg) > 1:
            out.append(arg[1:])
    return out


def _has_long(args: Sequence[str], names: Sequence[str]) -> str | None:
    for arg in args:
        if arg == "--":
            return None
        for name in names:
            if arg == name or arg.startswith(name + "="):
                return name
    return None


def _shell_inline(args: Sequence[str]) -> bool:
    """``bash -c``, ``sh -ec``, ``zsh -lc``, ``fish --command``: options before the script name."""
    for arg in args:
        if arg in ("--", "-") or not arg.startswith(("-", "+")):
            return False
        if arg in ("--command", "-command") or arg.startswith("--command="):
            return True
        if arg.startswith("-") and not arg.startswith("--") and "c" in arg[1:]:
            return True
    return False


def _python_inline(args: Sequence[str]) -> bool:
    """``python -c``/``-Ic``; stops at ``-m`` (module), a script name, or ``-``/``--``."""
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-") or arg in ("-", "--") or arg.startswith("--"):
            return False
        for pos, letter in enumerate(arg[1:], start=1):
            if letter == "c":
                return True
            if letter == "m":
                return False
            if letter in "WXQ":  # the rest of this argument, or the next one, is a value
                i += 0 if arg[pos + 1:] else 1
                break
        i += 1
    return False


def _pwsh_inline(args: Sequence[str]) -> bool:
    """PowerShell accepts any unambiguous prefix of ``-Command``/``-EncodedCommand``, with - or /."""
    for arg in args:
        name = arg.lstrip("-/").lower()
        if arg[:1] in ("-", "/") and name and ("command".startswith(name) or "encodedcommand".startswith(name)
                                               or name in ("ec", "e", "enc")):
            return True
    return False


def _git(args: Sequence[str]) -> str | None:
    """Git forms that run commands or rewrite configuration that later runs commands."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        arg = args[i]
        if arg == "-c" or arg.startswith(("--config-env", "--exec-path=")):
            return f"git {arg.split('=')[0]} sets configuration that can run commands"
        i += 2 if arg in ("-C", "--git-dir", "--work-tree", "--namespace") else 1
    rest = list(args[i:])
    for arg in rest:
        if arg.startswith(("--upload-pack", "--receive-pack", "--exec", "--extcmd")) or "ext::" in arg:
            return f"git {arg.split('=')[0]} runs a command"
    sub = rest[0] if rest else ""
    tail = rest[1:]
    if sub in ("rebase", "difftool") and "-x" in tail:
        return f"git {sub} -x runs a command"
    if sub in ("clone", "fetch", "pull", "ls-remote", "archive") and "-u" in tail:
        return f"git {sub} -u runs a command on the remote side"
    if (sub, tail[:1]) in (("bisect", ["run"]), ("submodule", ["foreach"])) or sub == "filter-branch":
        return f"git {sub} runs commands"
    if sub == "config" and not any(a in ("-l", "--list", "--get", "--get-all", "--get-regexp", "get", "list")
                                   for a in tail):
        return "git config can install aliases, hooks or pagers that run commands"
    return None


def _ssh(args: Sequence[str]) -> str | None:
    """A remote command after the host, or options that run local commands."""
    i, host_seen = 0, False
    while i < len(args):
        arg = args[i]
        if not host_seen and arg.startswith("-") and len(arg) > 1 and arg != "--":
            letters = arg[1:]
            for pos, letter in enumerate(letters):
                if letter in _SSH_VALUE_OPTS:
                    value = letters[pos + 1:] or (args[i + 1] if i + 1 < len(args) else "")
                    if letter == "F" or (letter == "o" and "command" in value.lower()):
                        return f"ssh -{letter} {value} can run a local command"
                    if not letters[pos + 1:]:
                        i += 1
                    break
            i += 1
            continue
        if arg == "--" and not host_seen:
            i += 1
            continue
        if host_seen:
            return "ssh runs a command on the remote host"
        host_seen = True
        i += 1
    return None


def _conditional(key: str, base: str, args: Sequence[str]) -> str | None:
    """Wrappers that only run commands with particular options."""
    clusters = _short_clusters(args)
    if key in ("find", "gfind", "bfs"):
        for arg in args:
            if arg in _FIND_EXEC:
                return f"find {arg} {_FIND_EXEC[arg]}"
    if key == "fd" and (_has_long(args, ("--exec", "--exec-batch")) or any(c in ("x", "X") for c in clusters)):
        return "fd -x runs a command for each file"
    if key == "git":
        return _git(args)
    if key in ("ssh", "autossh"):
        return _ssh(args)
    if key in ("scp", "sftp") and (any(set(c) & set("SF") for c in clusters)
                                   or any("command" in a.lower() for a in args)):
        return f"{base} -S/-F/-o …Command can run a local command"
    if key == "rsync" and (any("e" in c for c in clusters) or _has_long(args, ("--rsh", "--rsync-path"))):
        return "rsync -e/--rsh/--rsync-path runs a command"
    if key in ("tar", "gtar", "bsdtar"):
        first = args[0] if args and not args[0].startswith("-") else ""
        if (any(set(c) & set("IF") for c in clusters) or set(first) & set("IF")
                or _has_long(args, ("--to-command", "--use-compress-program", "--checkpoint-action",
                                    "--info-script", "--new-volume-script", "--rsh-command", "--rmt-command"))):
            return "tar option that runs a command"
    if key == "zip" and (any("TT" in c for c in clusters) or _has_long(args, ("--unzip-command",))):
        return "zip -TT runs a command"
    if key in ("sort", "gsort") and _has_long(args, ("--compress-program",)):
        return "sort --compress-program runs a command"
    if key == "deno" and args[:1] == ["eval"]:
        return "deno eval runs inline code"
    return None


def classify_argv(argv: Sequence[str]) -> list[Finding]:
    """Hazards implied by what ``argv`` runs (empty when it is an ordinary command)."""
    if not argv:
        return []
    base, key = command_key(argv[0])
    args = list(argv[1:])
    if argv[0] in _INDIRECT:
        return [(HazardCode.INDIRECT_EXECUTION, _INDIRECT[argv[0]])]
    if argv[0] in _SHELL_STATE:
        return [(HazardCode.SHELL_STATE, f"{argv[0]} changes shell state that later commands depend on")]
    if key in _SHELLS and _shell_inline(args):
        return [(HazardCode.INLINE_CODE, f"{base} -c runs inline shell code")]
    if key in _PYTHONS and (_python_inline(args) or "-" in args[:1]):
        return [(HazardCode.INLINE_CODE, f"{base} -c runs inline Python code")]
    if key in ("pwsh", "powershell") and _pwsh_inline(args):
        return [(HazardCode.INLINE_CODE, f"{base} -Command runs inline PowerShell code")]
    if key in _AWKS or base in _AWKS:
        return [(HazardCode.INLINE_CODE, _ALWAYS_CODE["awk"])]
    if key in _SEDS or base in _SEDS:
        return [(HazardCode.INLINE_CODE, _ALWAYS_CODE["sed"])]
    letters = _INLINE_SHORT.get(key, "")
    long_opt = _has_long(args, _INLINE_LONG.get(key, ()))
    if long_opt or (letters and any(set(c) & set(letters) for c in _short_clusters(args))):
        return [(HazardCode.INLINE_CODE, f"{base} runs code given inline ({long_opt or '-' + letters})")]
    if key in ("vim", "vi", "nvim", "ex", "view") and any(a.startswith("+") for a in args):
        return [(HazardCode.INLINE_CODE, f"{base} +cmd runs editor commands")]
    if base in _WRAPPERS or key in _WRAPPERS:
        return [(HazardCode.COMMAND_WRAPPER, f"{base} runs another command or changes how it runs")]
    reason = _conditional(key, base, args)
    return [(HazardCode.COMMAND_WRAPPER, reason)] if reason else []
