"""PATH resolution and trust on a real file system (temporary directories with real files)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from openclaw_desktop.approvals.allowlist import AllowlistEntry
from openclaw_desktop.approvals.document import EffectivePolicy
from openclaw_desktop.approvals.policy import DecisionKind, decide
from openclaw_desktop.approvals.resolution import (
    PathResolver,
    temp_location,
    temp_roots,
)

A, Q = DecisionKind.ALLOW, DecisionKind.ASK


def make_tool(directory: Path, name: str = "tool", mode: int = 0o755) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(mode)
    return path


@pytest.fixture
def dirs(tmp_path):
    # pytest's tmp_path lives under /tmp; make sure its ancestors are not what we test.
    tmp_path.chmod(0o700)
    user_bin, system_bin = tmp_path / "home" / "bin", tmp_path / "sys" / "bin"
    make_tool(user_bin)
    make_tool(system_bin)
    return tmp_path, user_bin, system_bin


def check(command, entries, *, cwd, path, tmp_dirs=(), trusted_dirs=()):
    policy = EffectivePolicy(allowlist=tuple(AllowlistEntry(str(e)) for e in entries))
    return decide(command, policy, cwd=str(cwd), path_env=os.pathsep.join(map(str, path)), tmp_dirs=tmp_dirs,
                  trusted_dirs=tuple(map(str, trusted_dirs)))


def test_path_search_takes_the_first_executable(dirs):
    root, user_bin, system_bin = dirs
    found = PathResolver()("tool", str(root), os.pathsep.join([str(user_bin), str(system_bin)]))
    assert found is not None and found.path == str(user_bin / "tool") and found.untrusted is None
    make_tool(root / "noexec", mode=0o644)
    assert PathResolver()("tool", str(root), str(root / "noexec")) is None


def test_a_name_shadowed_earlier_in_path_does_not_match_the_system_entry(dirs):
    root, user_bin, system_bin = dirs
    entry = system_bin / "tool"
    assert check("tool", [entry], cwd=root, path=[system_bin, user_bin]).kind == A
    shadowed = check("tool", [entry], cwd=root, path=[user_bin, system_bin])
    assert shadowed.kind == Q and shadowed.segments[0].executable == str(user_bin / "tool")


def test_bare_name_entries_follow_the_trusted_path(dirs):
    root, user_bin, system_bin = dirs
    assert check("tool", ["tool"], cwd=root, path=[system_bin, user_bin], trusted_dirs=[system_bin]).kind == A
    assert check("tool", ["tool"], cwd=root, path=[user_bin, system_bin], trusted_dirs=[system_bin]).kind == Q
    # Not on the trusted PATH at all: a bare name never matches.
    assert check("tool", ["tool"], cwd=root, path=[user_bin], trusted_dirs=[]).kind == Q


def test_dot_slash_never_matches_the_entry_for_its_own_file(dirs):
    root, _, system_bin = dirs
    assert check("./tool", [system_bin / "tool"], cwd=system_bin, path=[system_bin]).kind == Q
    assert check("bin/tool", [system_bin / "tool"], cwd=system_bin.parent, path=[]).kind == Q
    assert check(str(system_bin / "tool"), [system_bin / "tool"], cwd=root, path=[]).kind == A


def test_temp_directories_are_never_trusted(dirs):
    root, _, system_bin = dirs
    decision = check("tool", [system_bin / "tool"], cwd=root, path=[system_bin], tmp_dirs=temp_roots(str(root)))
    assert decision.kind == Q and "temporary directory" in decision.segments[0].miss_reason
    assert temp_location("/tmp/x/y", temp_roots()) and temp_location("/tmpfoo/x", temp_roots()) is None
    assert "/private/var/folders/t" in temp_roots("/var/folders/t")


def test_world_writable_directories_and_files_are_untrusted(dirs):
    root, _, system_bin = dirs
    open_dir = root / "open"
    make_tool(open_dir)
    open_dir.chmod(0o777)
    found = PathResolver()("tool", str(root), str(open_dir))
    assert found is not None and "world-writable" in (found.untrusted or "")
    assert check("tool", [open_dir / "tool"], cwd=root, path=[open_dir]).kind == Q
    (system_bin / "tool").chmod(0o757)
    assert "world-writable" in (PathResolver()("tool", str(root), str(system_bin)).untrusted or "")


def test_world_writable_ancestor_without_sticky_bit_is_untrusted(dirs):
    root, _, _ = dirs
    deep = root / "shared" / "x" / "bin"
    make_tool(deep)
    (root / "shared").chmod(0o777)
    assert "below the world-writable" in (PathResolver()("tool", str(root), str(deep)).untrusted or "")
    (root / "shared").chmod(0o777 | stat.S_ISVTX)
    assert PathResolver()("tool", str(root), str(deep)).untrusted is None


def test_symlink_into_an_untrusted_place_is_untrusted(dirs):
    root, _, system_bin = dirs
    open_dir = root / "open"
    target = make_tool(open_dir, "real")
    open_dir.chmod(0o777)
    (system_bin / "linked").symlink_to(target)
    found = PathResolver()("linked", str(root), str(system_bin))
    assert found is not None and found.real_path == str(target) and found.untrusted


def test_relative_path_entries_are_untrusted(dirs):
    root, _, _ = dirs
    make_tool(root / "rel")
    found = PathResolver()("tool", str(root), "rel")
    assert found is not None and "relative" in (found.untrusted or "")
    assert "relative" in (PathResolver()("tool", str(root / "rel"), "").untrusted or "")


def test_safe_bins_outside_bin_and_usr_bin_are_not_safe(dirs):
    root, _, _ = dirs
    fake_head = make_tool(root / "b", "head")
    decision = decide("head -n 1", EffectivePolicy(), cwd=str(root), path_env=str(fake_head.parent), tmp_dirs=())
    assert decision.kind == Q and not decision.segments[0].safe_bin


def test_real_system_binary_matches_its_path():
    ls = os.path.realpath("/usr/bin/ls")
    decision = decide("ls -la", EffectivePolicy(allowlist=(AllowlistEntry("/usr/bin/ls"),)), cwd="/",
                      path_env="/usr/bin:/bin")
    assert decision.kind == A and decision.segments[0].executable == ls
