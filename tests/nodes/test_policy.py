import pytest

from openclaw_desktop.nodes.policy import (
    check_invoke,
    platform_id,
    required_approve_scopes,
)


@pytest.mark.parametrize(("platform", "family", "expected"), [
    ("linux", "Linux", "linux"), ("iOS 18.4.0", "iPhone", "ios"), ("android", "Android", "android"),
    ("macOS 15.3", "Mac", "macos"), ("darwin", "Mac", "macos"), ("win32", "Windows", "windows"),
    ("Android 15 (SDK 35)", "Android", "android"), ("plan9", None, "unknown"), ("", "iPad", "ios"),
])
def test_platform_ids(platform, family, expected):
    assert platform_id(platform, family) == expected


def test_required_approve_scopes():
    assert required_approve_scopes([]) == ["operator.pairing"]
    assert required_approve_scopes(["camera.list"]) == ["operator.pairing", "operator.write"]
    assert required_approve_scopes(["camera.list", "system.which"]) == ["operator.pairing", "operator.admin"]


@pytest.mark.parametrize(("command", "kw", "fragment"), [
    ("system.which", {}, None),
    ("screen.snapshot", {}, None),
    ("camera.snap", {}, "requires explicit gateway.nodes.commands.allow opt-in"),
    ("camera.snap", {"allow": ["camera.snap"]}, None),
    ("system.which", {"deny": ["system.which"]}, "blocked by gateway.nodes.commands.deny"),
    ("location.get", {"declared": ["system.which"]}, 'does not support "location.get"'),
    ("system.which", {"approved": None}, "pending approval"),
    ("contacts.search", {"declared": ["contacts.search"], "approved": ["contacts.search"]}, "not in the allowlist"),
    ("system.run", {"declared": ["system.run"], "approved": ["system.run"]}, "cannot be invoked"),
    ("worker.x.v1", {"declared": ["worker.x.v1"], "approved": ["worker.x.v1"]}, "cannot be invoked"),
])
def test_check_invoke(command, kw, fragment):
    args = {"platform": "linux", "declared": ["system.which", "screen.snapshot", "camera.snap"],
            "approved": ["system.which", "screen.snapshot", "camera.snap"], **kw}
    problem = check_invoke(command, **args)
    assert (problem is None) if fragment is None else (fragment in problem)
