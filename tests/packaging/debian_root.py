"""A clean Debian root to install the .deb into, without containers.

``base_tarball()`` runs ``debootstrap --variant=minbase bookworm`` once and keeps the result
as a tarball under ``~/.cache/openclaw-desktop`` (rebuilt after two weeks so its package
lists stay installable). ``DebianRoot`` unpacks it into a fresh folder per test.

Every command in the root runs through ``unshare --mount`` + ``chroot``: ``/proc`` and the
cached apt archives are mounted inside a private mount namespace that disappears with the
process, so nothing stays mounted on the host and deleting the root is always safe. The
root shares the host's network namespace: a gateway inside listens on the host's loopback.
Needs root (debootstrap, chroot, mount), as CI on this machine has.

``python -m tests.packaging.debian_root`` warms the cache (what a cold CI run does first).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
MAX_AGE_S = 14 * 24 * 3600
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "openclaw-desktop"
APT_ARCHIVES = CACHE / "apt-archives"
BASE_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
            "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}


class RootSetupError(RuntimeError):
    """The clean root could not be made; the message says which tool is missing or failed."""


def require_root_tools() -> None:
    """Raise with the install step when something the root needs is absent."""
    if os.geteuid() != 0:
        raise RootSetupError("installing the .deb into a clean root needs root (debootstrap, chroot, mount)")
    missing = [tool for tool in ("debootstrap", "unshare", "chroot", "tar") if shutil.which(tool) is None]
    if missing:
        raise RootSetupError(f"missing {', '.join(missing)}: apt-get install debootstrap util-linux coreutils tar "
                             "(scripts/bootstrap.sh does this as root)")


def _run(argv: Sequence[str], timeout: float, **kw: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(list(argv), check=False, capture_output=True, text=True, timeout=timeout, **kw)  # type: ignore[call-overload]
    if proc.returncode != 0:
        raise RootSetupError(f"{shlex.join(argv)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return proc


def base_tarball(log: TextIO | None = None) -> Path:
    """The cached minbase tarball, made now if absent or stale (cold: a few minutes)."""
    require_root_tools()
    tarball = CACHE / f"debootstrap-{SUITE}-minbase-{os.uname().machine}.tar"
    if tarball.exists() and time.time() - tarball.stat().st_mtime < MAX_AGE_S:
        return tarball
    CACHE.mkdir(parents=True, exist_ok=True)
    work = CACHE / "debootstrap-work"
    shutil.rmtree(work, ignore_errors=True)
    started = time.monotonic()
    _run(["debootstrap", "--variant=minbase", SUITE, str(work), MIRROR], timeout=1800)
    root = DebianRoot(work)
    root.write_resolv_conf()
    (work / "etc/apt/sources.list").write_text(
        f"deb {MIRROR} {SUITE} main\ndeb {MIRROR} {SUITE}-updates main\n"
        f"deb http://deb.debian.org/debian-security {SUITE}-security main\n")
    root.run(["apt-get", "update", "-qq"], timeout=600)
    root.run(["apt-get", "clean"], timeout=60)
    partial = tarball.with_suffix(".tar.partial")
    _run(["tar", "-C", str(work), "-cf", str(partial), "."], timeout=600)
    partial.replace(tarball)
    shutil.rmtree(work, ignore_errors=True)
    if log is not None:
        print(f"debootstrap {SUITE} minbase cached in {time.monotonic() - started:.0f} s: {tarball}", file=log)
    return tarball


@dataclass
class DebianRoot:
    """A Debian file tree at ``path`` and ways to run commands inside it."""

    path: Path

    @classmethod
    def unpack(cls, dest: Path) -> DebianRoot:
        """A fresh root at ``dest`` from the cached tarball."""
        tarball = base_tarball()
        dest.mkdir(parents=True)
        _run(["tar", "-C", str(dest), "-xf", str(tarball)], timeout=600)
        root = cls(dest)
        root.write_resolv_conf()
        return root

    def write_resolv_conf(self) -> None:
        resolv = self.path / "etc/resolv.conf"
        resolv.unlink(missing_ok=True)
        shutil.copyfile("/etc/resolv.conf", resolv)

    def command(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> list[str]:
        """The host command line that runs ``argv`` inside the root with exactly ``env``
        (on top of a minimal PATH/HOME/LANG), in a private mount namespace."""
        APT_ARCHIVES.mkdir(parents=True, exist_ok=True)
        (self.path / "var/cache/apt/archives").mkdir(parents=True, exist_ok=True)
        full_env = {**BASE_ENV, **(env or {})}
        script = ("set -e\n"
                  'mount -t proc proc "$ROOT/proc"\n'
                  'mount -t tmpfs -o mode=1777 tmpfs "$ROOT/dev/shm"\n'
                  'mount --bind "$ARCHIVES" "$ROOT/var/cache/apt/archives"\n'
                  'exec chroot "$ROOT" /usr/bin/env -i "$@"\n')
        return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "sh",
                *(f"{k}={v}" for k, v in full_env.items()), *argv]

    def _host_env(self) -> dict[str, str]:
        return {"ROOT": str(self.path), "ARCHIVES": str(APT_ARCHIVES), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}

    def run(self, argv: Sequence[str], env: Mapping[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run to completion; raise :class:`RootSetupError` with the output on failure."""
        (self.path / "dev/shm").mkdir(parents=True, exist_ok=True)
        return _run(self.command(argv, env), timeout=timeout, env=self._host_env())

    def popen(self, argv: Sequence[str], env: Mapping[str, str] | None = None,
              **kw: object) -> subprocess.Popen[str]:
        """Start in the background, in its own session (stop it with :func:`stop`)."""
        (self.path / "dev/shm").mkdir(parents=True, exist_ok=True)
        return subprocess.Popen(self.command(argv, env), env=self._host_env(), text=True,  # type: ignore[call-overload]
                                start_new_session=True, **kw)

    def install_deb(self, deb: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """``apt-get install ./the.deb``: pulls the Depends from the mirror (cached)."""
        target = self.path / "tmp" / deb.name
        shutil.copyfile(deb, target)
        return self.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", f"/tmp/{deb.name}"],
                        timeout=timeout)

    def remove(self) -> None:
        """Delete the tree (safe: nothing is ever mounted on the host)."""
        shutil.rmtree(self.path, ignore_errors=True)


if __name__ == "__main__":
    print(base_tarball(log=sys.stderr))
