"""The exec runner with real processes: timeouts kill the whole group, output is capped,
secrets are scrubbed, folders are confined, cancellation kills and re-raises."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from openclaw_desktop.approvals.runner import confine, run_command, scrub_env


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def env() -> dict[str, str]:
    return scrub_env(os.environ)


async def test_argv_runs_without_a_shell(tmp_path):
    result = await run_command(argv=["echo", "$HOME", "a;b"], shell_text=None, cwd=tmp_path, env=env())
    assert result.stdout == "$HOME a;b\n" and result.exit_code == 0 and result.success


async def test_shell_text_and_exit_code(tmp_path):
    result = await run_command(argv=None, shell_text="echo out; echo err >&2; exit 3", cwd=tmp_path, env=env())
    assert (result.stdout, result.stderr, result.exit_code, result.success) == ("out\n", "err\n", 3, False)


async def test_timeout_kills_the_process_group(tmp_path):
    marker = tmp_path / "grandchild.pid"
    started = time.monotonic()
    result = await run_command(argv=None, shell_text=f"sleep 30 & echo $! > {marker}; wait", cwd=tmp_path,
                               env=env(), timeout_s=0.5)
    assert result.timed_out and result.exit_code is None and time.monotonic() - started < 5
    grandchild = int(marker.read_text())
    await asyncio.sleep(0.1)
    assert not alive(grandchild)


async def test_cancellation_kills_and_reraises(tmp_path):
    marker = tmp_path / "pid"
    task = asyncio.create_task(run_command(argv=None, shell_text=f"echo $$ > {marker}; sleep 30", cwd=tmp_path,
                                           env=env()))
    for _ in range(50):
        if marker.exists() and marker.read_text().strip():
            break
        await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.1)
    assert not alive(int(marker.read_text()))


async def test_output_is_capped_with_a_note(tmp_path):
    result = await run_command(argv=None, shell_text="head -c 100000 /dev/zero | tr '\\0' x", cwd=tmp_path,
                               env=env(), max_output_bytes=1000)
    assert result.truncated and result.stdout.startswith("x" * 1000)
    assert result.stdout.endswith("[output truncated at 1000 bytes]") and result.exit_code == 0


def test_secrets_are_scrubbed():
    cleaned = scrub_env({"PATH": "/bin", "ANTHROPIC_API_KEY": "k", "OPENCLAW_GATEWAY_TOKEN": "t", "HOME": "/h",
                         "GITHUB_TOKEN": "g", "LC_ALL": "C", "AWS_SECRET_ACCESS_KEY": "s", "RANDOM_VAR": "x"})
    assert cleaned == {"PATH": "/bin", "HOME": "/h", "LC_ALL": "C"}


def test_folders_are_confined_to_the_workspace(tmp_path):
    (tmp_path / "sub").mkdir()
    assert confine(tmp_path, "sub") == (tmp_path / "sub").resolve()
    assert confine(tmp_path, None) == tmp_path.resolve()
    for bad in ("..", "/etc", "sub/../../x"):
        with pytest.raises(ValueError):
            confine(tmp_path, bad)
    os.symlink("/etc", tmp_path / "escape")
    with pytest.raises(ValueError, match="outside the workspace"):
        confine(tmp_path, "escape")
