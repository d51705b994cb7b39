"""``exec-policy check``: text and JSON output and exit codes, in-process and via argparse."""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys

from openclaw_desktop.approvals.check_command import configure_parser, run

# These tests run real `ls` and `rm` (coreutils, on every Debian/Ubuntu machine): no skip.


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="openclaw-desktop")
    sub = root.add_subparsers(dest="group")
    configure_parser(sub.add_parser("exec-policy"))
    return root


def check(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(parser().parse_args(["exec-policy", "check", *argv]), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_allowlisted_command_exits_zero_and_shows_resolved_paths():
    code, out, _ = check("--allow", "ls", "--", "ls -la")
    assert code == 0
    assert out.startswith("decision: allow\n")
    assert f"executable: {os.path.realpath(shutil.which('ls'))} [allowlisted]" in out


def test_default_document_asks_for_everything_not_allowlisted():
    code, out, _ = check("--", "ls")
    assert code == 1 and "decision: ask" in out and "not on the allowlist" in out


def test_json_output_shape():
    code, out, _ = check("--allow", "ls", "--json", "--", "ls && rm -rf /tmp/x | cat")
    data = json.loads(out)
    assert code == 1
    assert set(data) == {"decision", "reasons", "segments", "hazards"}
    assert data["decision"] == "ask" and "pipe" in data["hazards"]
    assert data["segments"][0] == {"argv": ["ls"], "executable": os.path.realpath(shutil.which("ls")),
                                   "allowlisted": True}
    assert data["segments"][1]["argv"] == ["rm", "-rf", "/tmp/x"] and not data["segments"][1]["allowlisted"]


def test_unreviewable_and_empty_commands_exit_two():
    assert check("--", "ls\x00rm")[0] == 2
    assert check("--", "")[0] == 2


def test_glob_allow_entries_are_used_as_is(tmp_path):
    tool = tmp_path / "bin" / "tool"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    code, out, _ = check("--allow", f"{tmp_path}/**", "--", str(tool))
    assert code == 1 and "temporary directory" in out  # pytest's tmp is under a temp root


def test_unknown_allow_names_are_reported_and_ignored():
    code, _, err = check("--allow", "definitely-not-a-command-xyz", "--", "definitely-not-a-command-xyz")
    assert code == 1 and "not found on PATH" in err


def test_several_words_after_the_separator_are_argv():
    _, out, _ = check("--json", "--", "echo", "a b", ";", "ls")
    data = json.loads(out)
    assert [s["argv"] for s in data["segments"]] == [["echo", "a b", ";", "ls"]]


def test_control_characters_are_shown_escaped():
    _, out, _ = check("--", "ls\x1b[31m")
    assert "\x1b" not in out and "\\x1b" in out


def test_missing_subcommand_is_a_usage_error():
    err = io.StringIO()
    assert run(parser().parse_args(["exec-policy"]), out=io.StringIO(), err=err) == 2
    assert "usage" in err.getvalue()


def test_through_python_dash_c_with_argparse():
    script = (
        "import argparse, sys\n"
        "from openclaw_desktop.approvals.check_command import configure_parser, run\n"
        "p = argparse.ArgumentParser(prog='openclaw-desktop'); s = p.add_subparsers(dest='g')\n"
        "configure_parser(s.add_parser('exec-policy'))\n"
        "sys.exit(run(p.parse_args(sys.argv[1:])))\n"
    )
    base = [sys.executable, "-c", script, "exec-policy", "check"]
    allowed = subprocess.run([*base, "--allow", "ls", "--", "ls"], capture_output=True, text=True, timeout=60,
                             check=False)
    asked = subprocess.run([*base, "--json", "--", "ls > out"], capture_output=True, text=True, timeout=60,
                           check=False)
    assert allowed.returncode == 0, allowed.stderr
    assert asked.returncode == 1 and json.loads(asked.stdout)["hazards"] == ["redirection"]
