"""Hand-written fakes for the approvals tests: a resolver over a fixed map of files."""

from __future__ import annotations

import os
from collections.abc import Iterable

from openclaw_desktop.approvals.resolution import ResolvedExecutable

CWD = "/work/proj"
HOME = "/home/user"

# Every executable the fake "file system" holds, by name found on PATH.
SYSTEM_BINS = ["ls", "git", "echo", "cat", "rm", "curl", "find", "python3", "python", "bash", "sh", "zsh", "dash", "node", "perl", "ruby", "php", "lua", "osascript", "awk", "sed", "pwsh", "sudo", "doas", "su", "env", "xargs", "nice", "nohup", "timeout", "time", "watch", "stdbuf", "chroot", "setsid", "strace", "ssh", "rsync", "tar", "vim", "make", "head", "tail", "wc", "tr", "cut", "uniq", "sort", "grep", "nc", "base64", "printf", "true", "jq"]


class FakeResolver:
    """Resolves names through a fixed ``{name: path}`` map, ignoring ``path_env``.

    Paths (with ``/``) resolve when the normalised path is one of the known files.
    ``untrusted`` marks files the fake considers world-writable. Records every call.
    """

    def __init__(self, names: dict[str, str], extra_files: Iterable[str] = (), untrusted: Iterable[str] = ()):
        self.names = dict(names)
        self.files = set(names.values()) | set(extra_files)
        self.untrusted = set(untrusted)
        self.calls: list[tuple[str, str, str]] = []

    def __call__(self, argv0: str, cwd: str, path_env: str) -> ResolvedExecutable | None:
        self.calls.append((argv0, cwd, path_env))
        if "/" in argv0:
            path = os.path.normpath(os.path.join(cwd, argv0))
            if path not in self.files:
                return None
        elif argv0 in self.names:
            path = self.names[argv0]
        else:
            return None
        return ResolvedExecutable(path, path, "world-writable (fake)" if path in self.untrusted else None)


def system_resolver() -> FakeResolver:
    names = {name: f"/usr/bin/{name}" for name in SYSTEM_BINS}
    names["busybox"] = "/bin/busybox"
    extra = ["/work/proj/rm", "/work/proj/ls", "/work/proj/bin/ls", "/work/ls", "/work/proj/x.sh",
             "/tmp/ls", "/var/tmp/git", "/dev/shm/cat", "/home/user/bin/x"]
    return FakeResolver(names, extra)
