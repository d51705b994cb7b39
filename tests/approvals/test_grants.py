"""Allow-always grants: scopes, expiry, persistence as allowlist entries."""

from __future__ import annotations

import pytest

from openclaw_desktop.approvals.allowlist import AllowlistEntry
from openclaw_desktop.approvals.document import EffectivePolicy
from openclaw_desktop.approvals.grants import (
    Grant,
    GrantScope,
    grant_for,
    grant_matches,
    grant_to_entry,
    grants_cover,
)
from openclaw_desktop.approvals.policy import DecisionKind, decide

from .fakes import CWD, system_resolver

OTHER = "/work/other"


def seg(command: str, cwd: str = CWD, entries=()):
    decision = decide(command, EffectivePolicy(allowlist=tuple(entries)), cwd=cwd, path_env="",
                      resolver=system_resolver(), tmp_dirs=("/tmp",))
    return decision


def first(command: str, cwd: str = CWD):
    return seg(command, cwd).segments[0]


def test_exact_grant_needs_same_arguments_and_folder():
    grant = grant_for("exact", first("rm -rf build"), cwd=CWD)
    assert grant == Grant(GrantScope.EXACT, "/usr/bin/rm", CWD, ("-rf", "build"))
    assert grant_matches(grant, first("rm -rf build"), CWD, None, 0)
    assert grant_matches(grant, first("/usr/bin/rm -rf 'build'"), CWD, None, 0)  # same file, same argv
    assert not grant_matches(grant, first("rm -rf build2"), CWD, None, 0)
    assert not grant_matches(grant, first("rm -rf build"), OTHER, None, 0)
    assert not grant_matches(grant, first("curl -rf build"), CWD, None, 0)


def test_folder_grant_allows_any_arguments_in_that_folder_only():
    grant = grant_for(GrantScope.EXECUTABLE_IN_FOLDER, first("rm x"), cwd=CWD)
    assert grant_matches(grant, first("rm -rf anything"), CWD, None, 0)
    assert grant_matches(grant, first("rm y"), CWD + "/", None, 0)  # normalised
    assert not grant_matches(grant, first("rm y"), OTHER, None, 0)


def test_session_grant_is_bound_to_its_session_key():
    assert grant_for("session", first("rm x"), cwd=CWD) is None  # no session key, no grant
    grant = grant_for("session", first("rm x"), cwd=CWD, session_key="agent:main:main")
    assert grant_matches(grant, first("rm other", OTHER), OTHER, "agent:main:main", 0)
    assert not grant_matches(grant, first("rm x"), CWD, "agent:main:other", 0)
    assert not grant_matches(grant, first("rm x"), CWD, None, 0)


def test_timed_grant_expires_exactly_at_its_deadline():
    grant = grant_for("timed", first("rm x"), cwd=CWD, now_ms=1_000, minutes=5)
    assert grant.expires_at_ms == 1_000 + 5 * 60_000
    assert grant_matches(grant, first("rm y"), OTHER, None, grant.expires_at_ms - 1)
    assert not grant_matches(grant, first("rm y"), OTHER, None, grant.expires_at_ms)
    assert grant_for("timed", first("rm x"), cwd=CWD, now_ms=0, minutes=0) is None
    assert not grant_matches(Grant(GrantScope.TIMED, "/usr/bin/rm"), first("rm x"), CWD, None, 0)


def test_expiry_applies_to_every_scope():
    grant = Grant(GrantScope.EXECUTABLE_IN_FOLDER, "/usr/bin/rm", CWD, expires_at_ms=10)
    assert grant_matches(grant, first("rm x"), CWD, None, 9) and not grant_matches(grant, first("rm x"), CWD, None, 10)


@pytest.mark.parametrize("command", ["./rm x", "/tmp/ls", "bash -c ls", "sudo rm x", "rm *.o", "rm $X", "nosuch"])
def test_unsafe_segments_are_never_granted(command):
    segment = first(command)
    assert not segment.grantable
    for scope in GrantScope:
        assert grant_for(scope, segment, cwd=CWD, session_key="s", now_ms=0, minutes=5) is None
    assert not grant_matches(Grant(GrantScope.TIMED, "/usr/bin/rm", expires_at_ms=10**15), segment, CWD, "s", 0)


def test_grants_cover_whole_hazard_free_commands_only():
    grants = [Grant.in_folder("/usr/bin/rm", CWD)]
    ls = AllowlistEntry("/usr/bin/ls")
    assert grants_cover(grants, seg("ls && rm x", entries=[ls]), CWD, None, 0)
    assert not grants_cover(grants, seg("rm x && curl y", entries=[ls]), CWD, None, 0)
    assert not grants_cover(grants, seg("rm x > log", entries=[ls]), CWD, None, 0)
    assert not grants_cover(grants, seg("rm x", OTHER), OTHER, None, 0)


def test_persisted_grants_become_cwd_bound_allowlist_entries():
    exact = grant_to_entry(Grant.exact("/usr/bin/rm", ["-rf", "build"], CWD), entry_id="e1")
    folder = grant_to_entry(Grant.in_folder("/usr/bin/rm", CWD))
    assert exact.source == "allow-always" and exact.pattern == "/usr/bin/rm" and exact.id == "e1"
    assert exact.arg_pattern.startswith("ocd-v1:argv:") and folder.arg_pattern.startswith("ocd-v1:cwd:")
    assert seg("rm -rf build", entries=[exact]).kind == DecisionKind.ALLOW
    assert seg("rm -rf build2", entries=[exact]).kind == DecisionKind.ASK
    assert seg("rm -rf build", OTHER, entries=[exact]).kind == DecisionKind.ASK
    assert seg("rm anything", entries=[folder]).kind == DecisionKind.ALLOW
    assert seg("rm anything", OTHER, entries=[folder]).kind == DecisionKind.ASK
    assert grant_to_entry(Grant.session("/usr/bin/rm", "s")) is None
    assert grant_to_entry(Grant.timed("/usr/bin/rm", now_ms=0, minutes=1)) is None
    assert grant_to_entry(Grant.in_folder("/opt/we*rd/rm", CWD)) is None


def test_grant_json_round_trip_and_validation():
    for grant in (Grant.exact("/usr/bin/rm", ["x"], CWD), Grant.in_folder("/usr/bin/rm", CWD),
                  Grant.session("/usr/bin/rm", "s"), Grant.timed("/usr/bin/rm", now_ms=5, minutes=2)):
        assert Grant.from_json(grant.to_json()) == grant
    for bad in ({"scope": "forever", "executable": "/x"}, {"scope": "exact", "executable": "rm"},
                {"scope": "exact", "executable": "/x", "args": "a"}, {"scope": "timed", "executable": "/x",
                                                                       "expiresAtMs": True}):
        with pytest.raises(ValueError):
            Grant.from_json(bad)
