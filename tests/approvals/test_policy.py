"""Policy rules: the document, pattern kinds, argPattern, safe bins, ask and askFallback."""

from __future__ import annotations

import pytest

from openclaw_desktop.approvals.allowlist import AllowlistEntry, glob_regex, record_hit
from openclaw_desktop.approvals.document import (
    FAIL_CLOSED,
    Ask,
    AskFallback,
    DocumentError,
    EffectivePolicy,
    Security,
    document_to_json,
    effective_policy,
    parse_document,
    stricter,
)
from openclaw_desktop.approvals.hazards import HazardCode as H
from openclaw_desktop.approvals.policy import DecisionKind, decide, fallback_decision
from openclaw_desktop.approvals.resolution import ResolvedExecutable, temp_roots

from .fakes import CWD, HOME, FakeResolver, system_resolver

A, Q, D = DecisionKind.ALLOW, DecisionKind.ASK, DecisionKind.DENY


def run(command, entries=(), *, resolver=None, security=Security.ALLOWLIST, ask=Ask.ON_MISS, **kw):
    policy = EffectivePolicy(security=security, ask=ask, allowlist=tuple(
        e if isinstance(e, AllowlistEntry) else AllowlistEntry(e) for e in entries))
    kw.setdefault("tmp_dirs", temp_roots(None))
    return decide(command, policy, cwd=kw.pop("cwd", CWD), path_env="/usr/bin:/bin",
                  resolver=resolver or system_resolver(), home=HOME, **kw)


# --- the document ---------------------------------------------------------------------

DOC = {
    "version": 1, "socket": {"path": "/x.sock", "token": "secret"},
    "defaults": {"security": "allowlist", "ask": "on-miss", "askFallback": "deny"},
    "agents": {
        "main": {"ask": "always", "allowlist": [
            {"id": "1", "pattern": "/usr/bin/git", "lastUsedAt": None, "commandText": "legacy"},
            {"pattern": "python3", "argPattern": "^safe\\.py$", "futureField": 1}]},
        "ops": {"security": "full", "ask": "off", "askFallback": "full", "safeBins": ["wc"]},
    },
    "grants": [], "someFutureKey": {},
}


def test_document_parses_leniently_and_serialises_strictly():
    doc = parse_document(DOC)
    main = effective_policy(doc, "main")
    assert (main.security, main.ask, main.ask_fallback) == (Security.ALLOWLIST, Ask.ALWAYS, AskFallback.DENY)
    assert [e.pattern for e in main.allowlist] == ["/usr/bin/git", "python3"]
    assert main.allowlist[1].arg_pattern == "^safe\\.py$"
    out = document_to_json(doc)
    assert "token" not in out["socket"] and "commandText" not in str(out) and "futureField" not in str(out)
    assert out["agents"]["ops"] == {"security": "full", "ask": "off", "askFallback": "full", "safeBins": ["wc"]}
    assert document_to_json(doc, redact=False)["socket"]["token"] == "secret"
    assert parse_document(document_to_json(doc, redact=False)) == doc


def test_defaults_are_ours_and_unknown_agents_inherit():
    policy = effective_policy(parse_document({"version": 1}), "nobody")
    assert (policy.security, policy.ask, policy.ask_fallback) == (Security.ALLOWLIST, Ask.ON_MISS, AskFallback.DENY)
    assert policy.safe_bins == ("cut", "uniq", "head", "tail", "tr", "wc")
    assert effective_policy(parse_document(DOC), "ops").safe_bins == ("wc",)


def test_legacy_default_agent_becomes_main():
    doc = parse_document({"version": 1, "agents": {"default": {"security": "deny"}}})
    assert effective_policy(doc, "main").security == Security.DENY


@pytest.mark.parametrize(("raw", "key"), [
    ({"version": 2}, "version"), ([], "version"),
    ({"version": 1, "defaults": {"security": "yolo"}}, "defaults.security"),
    ({"version": 1, "agents": {"main": {"ask": "sometimes"}}}, "agents.main.ask"),
    ({"version": 1, "agents": {"main": {"allowlist": [{"pattern": " "}]}}}, "agents.main.allowlist[0]"),
    ({"version": 1, "agents": []}, "agents"),
    ({"version": 1, "defaults": {"safeBins": "wc"}}, "defaults.safeBins"),
])
def test_bad_documents_name_the_key(raw, key):
    with pytest.raises(DocumentError) as info:
        parse_document(raw)
    assert info.value.key == key


def test_a_bad_raw_document_fails_closed():
    decision = decide("ls", {"version": 1, "defaults": {"security": "everything"}}, cwd=CWD, path_env="/usr/bin",
                      resolver=system_resolver())
    assert decision.kind == D and "unusable" in decision.reasons[0]
    assert decision.policy == FAIL_CLOSED


def test_raw_document_is_accepted_per_agent():
    doc = {"version": 1, "agents": {"main": {"allowlist": [{"pattern": "/usr/bin/ls"}]}}}
    assert decide("ls", doc, "main", cwd=CWD, path_env="", resolver=system_resolver(), tmp_dirs=()).kind == A
    assert decide("ls", doc, "other", cwd=CWD, path_env="", resolver=system_resolver(), tmp_dirs=()).kind == Q


def test_stricter_takes_lower_security_and_higher_ask():
    host = EffectivePolicy(Security.FULL, Ask.ON_MISS)
    combined = stricter(host, security=Security.ALLOWLIST, ask=Ask.OFF)
    assert (combined.security, combined.ask) == (Security.ALLOWLIST, Ask.ON_MISS)
    assert stricter(host, ask=Ask.ALWAYS).ask == Ask.ALWAYS


def test_relative_working_directory_is_denied():
    assert run("ls", ["/usr/bin/ls"], cwd="proj").kind == D


# --- pattern kinds ----------------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "path", "hit"), [
    ("/usr/bin/*", "/usr/bin/ls", True), ("/usr/*", "/usr/bin/ls", False), ("/usr/**", "/usr/bin/ls", True),
    ("/usr/bin/l?", "/usr/bin/ls", True), ("/usr/bin/l?", "/usr/bin/l/s", False),
    ("/usr/bin/[l]s", "/usr/bin/ls", False), ("/opt/**/bin/rg", "/opt/a/b/bin/rg", True),
])
def test_glob_semantics(pattern, path, hit):
    assert bool(glob_regex(pattern).fullmatch(path)) is hit


def test_home_patterns_expand_tilde():
    resolver = FakeResolver({"x": "/home/user/bin/x"})
    assert run("x", ["~/bin/*"], resolver=resolver).kind == A
    assert run("x", ["~other/bin/x"], resolver=resolver).kind == Q


def test_bare_name_entries_need_path_lookup_and_the_trusted_file():
    assert run("git status", ["git"]).kind == A
    assert run("/usr/bin/git status", ["git"]).kind == Q  # not invoked through PATH
    # The user's PATH finds another git first: the trusted PATH would find /usr/bin/git.
    class Shadowed(FakeResolver):
        def __call__(self, argv0, cwd, path_env):
            if argv0 == "git" and not path_env.startswith("/usr/bin"):
                return ResolvedExecutable("/home/user/bin/git", "/home/user/bin/git")
            return super().__call__(argv0, cwd, path_env)
    shadowed = Shadowed({"git": "/usr/bin/git"})
    assert decide("git status", EffectivePolicy(allowlist=(AllowlistEntry("git"),)), cwd=CWD,
                  path_env="/home/user/bin:/usr/bin", resolver=shadowed, tmp_dirs=()).kind == Q


def test_star_matches_any_resolved_trusted_command_only():
    assert run("rm -rf build", ["*"]).kind == A
    assert run("./rm x", ["*"]).kind == Q
    assert run("/tmp/ls", ["*"]).kind == Q
    assert run("nosuchcmd", ["*"]).kind == Q
    assert run("ls > x", ["*"]).kind == Q  # hazards always need approval


def test_relative_and_temp_executables_never_match_their_own_path():
    assert run("./rm x", ["/work/proj/rm"]).kind == Q
    assert run("bin/ls", ["/work/proj/bin/ls"]).kind == Q
    assert run("/tmp/ls", ["/tmp/ls"]).kind == Q
    assert run("/dev/shm/cat", ["/dev/shm/**"]).kind == Q
    assert run("ls", ["/tmp/ls"], tmp_dirs=("/tmp",),
               resolver=FakeResolver({"ls": "/tmp/ls"})).kind == Q
    assert run("ls", ["/usr/bin/ls"], resolver=FakeResolver({"ls": "/usr/bin/ls"}, untrusted={"/usr/bin/ls"})).kind == Q


def test_tmpdir_from_the_environment_is_distrusted(monkeypatch):
    monkeypatch.setenv("TMPDIR", "/scratch/t")
    resolver = FakeResolver({"tool": "/scratch/t/tool"})
    policy = EffectivePolicy(allowlist=(AllowlistEntry("/scratch/t/tool"),))
    assert decide("tool", policy, cwd=CWD, path_env="", resolver=resolver).kind == Q
    assert decide("tool", policy, cwd=CWD, path_env="", resolver=resolver, tmp_dirs=()).kind == A


def test_symlinked_executables_match_either_path():
    class Linked(FakeResolver):
        def __call__(self, argv0, cwd, path_env):
            return ResolvedExecutable("/usr/bin/python3", "/usr/bin/python3.12") if argv0 == "python3" else None
    assert run("python3 x.py", ["/usr/bin/python3"], resolver=Linked({})).kind == A
    assert run("python3 x.py", ["/usr/bin/python3.12"], resolver=Linked({})).kind == A
    assert run("python3 x.py", ["/usr/bin/python3"], resolver=Linked({})).segments[0].executable == "/usr/bin/python3.12"


# --- argPattern -----------------------------------------------------------------------------

def test_arg_pattern_is_a_regex_over_the_joined_arguments():
    entry = AllowlistEntry("/usr/bin/python3", arg_pattern="^safe\\.py$")
    assert run("python3 safe.py", [entry]).kind == A
    assert run("python3 safe.py --evil", [entry]).kind == Q
    assert run("python3 'safe.py'", [entry]).kind == A  # matched after unquoting
    unanchored = AllowlistEntry("/usr/bin/git", arg_pattern="status")
    assert run("git status --short", [unanchored]).kind == A


def test_broken_regex_allows_nothing_but_path_only_entries_still_apply():
    broken = AllowlistEntry("/usr/bin/git", arg_pattern="([")
    assert run("git status", [broken]).kind == Q
    assert run("git status", [broken, AllowlistEntry("/usr/bin/git")]).kind == A


def test_generated_entries_need_our_token():
    assert run("ls", [AllowlistEntry("/usr/bin/ls", source="allow-always")]).kind == Q
    assert run("ls", [AllowlistEntry("/usr/bin/ls", arg_pattern="openclaw-hash", source="allow-always")]).kind == Q


def test_record_hit_updates_usage():
    entry = AllowlistEntry("/usr/bin/ls")
    hit = record_hit(entry, resolved_path="/usr/bin/ls", command="ls -la", now_ms=5)
    assert (hit.last_used_at, hit.last_used_command, hit.last_resolved_path) == (5, "ls -la", "/usr/bin/ls")
    generated = record_hit(AllowlistEntry("/usr/bin/ls", "t", source="allow-always"), resolved_path="/usr/bin/ls",
                           command="ls", now_ms=1)
    assert generated.last_used_command is None


def test_matched_entry_prefers_arg_pattern_entries():
    specific = AllowlistEntry("/usr/bin/git", arg_pattern="^status$", id="specific")
    general = AllowlistEntry("/usr/bin/git", id="general")
    assert run("git status", [general, specific]).segments[0].matched_entry.id == "specific"
    assert run("git log", [general, specific]).segments[0].matched_entry.id == "general"


# --- safe bins ------------------------------------------------------------------------------

def test_safe_bins_need_a_trusted_directory_and_the_list():
    assert run("wc -l").kind == A and run("wc -l").segments[0].safe_bin
    assert run("/usr/bin/wc -l").kind == Q  # not invoked through PATH
    assert run("wc -l", resolver=FakeResolver({"wc": "/usr/local/bin/wc"})).kind == Q
    no_bins = EffectivePolicy(safe_bins=())
    assert decide("wc -l", no_bins, cwd=CWD, path_env="", resolver=system_resolver()).kind == Q
    with_grep = EffectivePolicy(safe_bins=("grep", "sed", "jq"))
    for command, kind in (("grep -e x", A), ("grep x", Q), ("grep -r -e x", Q), ("sed -n p", Q), ("jq .", Q)):
        assert decide(command, with_grep, cwd=CWD, path_env="", resolver=system_resolver()).kind == kind, command


@pytest.mark.parametrize("command", [
    "head -n", "head --lines", "head -x", "head --follow", "tail -F", "tr / _", "tr a b c", "cut -f1 ../x",
    "sort -o out", "wc ~/x", "uniq in out", "head --bytes=1 -",
])
def test_unsafe_safe_bin_uses_fall_through(command):
    assert run(command).kind == Q


# --- ask and askFallback ---------------------------------------------------------------------

@pytest.mark.parametrize(("command", "fallback", "expected"), [
    ("rm x", AskFallback.DENY, D), ("rm x", AskFallback.ALLOWLIST, D), ("rm x", AskFallback.FULL, A),
    ("ls > x", AskFallback.DENY, D), ("ls > x", AskFallback.ALLOWLIST, D), ("ls > x", AskFallback.FULL, D),
    ("bash -c ls", AskFallback.FULL, D),
])
def test_fallback_on_a_miss(command, fallback, expected):
    decision = run(command, ["/usr/bin/ls"])
    assert decision.kind == Q
    final = fallback_decision(decision, fallback)
    assert final.kind == expected and final.via_fallback and final.reasons[0].startswith("askFallback")


def test_fallback_with_ask_always_allows_allowlisted_commands_only():
    decision = run("ls", ["/usr/bin/ls"], ask=Ask.ALWAYS)
    assert decision.kind == Q and decision.allowlist_satisfied
    assert fallback_decision(decision, AskFallback.ALLOWLIST).kind == A
    assert fallback_decision(decision, AskFallback.DENY).kind == D
    assert fallback_decision(run("rm x", ["/usr/bin/ls"], ask=Ask.ALWAYS), AskFallback.ALLOWLIST).kind == D


def test_fallback_defaults_to_the_policy_and_leaves_final_decisions_alone():
    policy = EffectivePolicy(ask_fallback=AskFallback.FULL)
    decision = decide("rm x", policy, cwd=CWD, path_env="", resolver=system_resolver())
    assert fallback_decision(decision).kind == A
    allowed = run("ls", ["/usr/bin/ls"])
    assert fallback_decision(allowed, AskFallback.DENY) is allowed


def test_full_off_allows_but_reports_hazards():
    decision = run("ls | rm -rf x", security=Security.FULL, ask=Ask.OFF)
    assert decision.kind == A and any(r.startswith("pipe:") for r in decision.reasons)
    assert {h.code for h in decision.hazards} == {H.PIPE}
