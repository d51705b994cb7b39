"""Run one approved command: timeout, folder confinement, capped output, scrubbed
environment, and the whole process group killed on timeout or cancellation.

A command the analyser proved to be one simple command runs as that exact argv (no
shell in between, so nothing is re-interpreted). Anything else the human approved
runs through ``/bin/sh -c`` with the text they saw.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MAX_OUTPUT_BYTES = 200_000
# Variables that commonly carry credentials; anything matching is not passed on.
_SECRET_MARKERS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIAL",
                   "SESSION_KEY", "ACCESS_KEY", "AUTH")
_KEEP = {"PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "USER", "LOGNAME", "SHELL", "TMPDIR",
         "XDG_RUNTIME_DIR", "SYSTEMROOT", "COMSPEC", "PATHEXT"}


def scrub_env(env: Mapping[str, str]) -> dict[str, str]:
    """Keep a small safe set; drop everything that looks like a secret."""
    out = {}
    for key, value in env.items():
        upper = key.upper()
        if any(marker in upper for marker in _SECRET_MARKERS):
            continue
        if upper in _KEEP or upper.startswith("LC_"):
            out[key] = value
    return out


@dataclass(frozen=True)
class ExecResult:
    exit_code: int | None
    stdout: str
    stderr: str
    timed_out: bool
    truncated: bool
    duration_ms: int

    @property
    def success(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


def confine(workspace: Path, cwd: str | None) -> Path:
    """Resolve ``cwd`` inside the workspace; anything outside raises ValueError."""
    root = workspace.resolve()
    target = (root / cwd).resolve() if cwd else root
    if target != root and root not in target.parents:
        raise ValueError(f"folder is outside the workspace: {cwd}")
    if not target.is_dir():
        raise ValueError(f"folder does not exist: {cwd}")
    return target


async def run_command(*, argv: Sequence[str] | None, shell_text: str | None, cwd: Path,
                      env: Mapping[str, str], timeout_s: float = DEFAULT_TIMEOUT_S,
                      max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES) -> ExecResult:
    """Run and collect output. Cancellation kills the process group and re-raises."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    common = dict(cwd=str(cwd), env=dict(env), stdin=asyncio.subprocess.DEVNULL,
                  stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True)
    if argv is not None:
        proc = await asyncio.create_subprocess_exec(*argv, **common)
    else:
        proc = await asyncio.create_subprocess_exec("/bin/sh", "-c", shell_text or "", **common)
    out, err = bytearray(), bytearray()
    truncated = False

    async def pump(stream: asyncio.StreamReader, sink: bytearray) -> None:
        nonlocal truncated
        while chunk := await stream.read(65536):
            room = max_output_bytes - len(out) - len(err)
            if room <= 0:
                truncated = True
                continue  # keep draining so the child never blocks on a full pipe
            sink += chunk[:room]
            truncated = truncated or len(chunk) > room

    timed_out = False
    try:
        async with asyncio.timeout(timeout_s):
            assert proc.stdout is not None and proc.stderr is not None
            await asyncio.gather(pump(proc.stdout, out), pump(proc.stderr, err))
            await proc.wait()
    except TimeoutError:
        timed_out = True
        _kill_group(proc.pid)
        await proc.wait()
    except BaseException:
        _kill_group(proc.pid)
        await asyncio.shield(proc.wait())
        raise
    note = f"\n[output truncated at {max_output_bytes} bytes]" if truncated else ""
    return ExecResult(None if timed_out else proc.returncode, out.decode("utf-8", "replace") + note,
                      err.decode("utf-8", "replace"), timed_out, truncated, int((loop.time() - started) * 1000))


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
