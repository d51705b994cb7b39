"""Bootstrap profiles, redemption rules and the official-app check (pure, table-driven)."""

from __future__ import annotations

import pytest

from openclaw_desktop.pairing.bootstrap import PROFILES, BootstrapGrant, is_official_app, redeem_problem

FULL, LIMITED, NODE = PROFILES["full"], PROFILES["limited"], PROFILES["node"]
BASE = ("operator.approvals", "operator.questions", "operator.read", "operator.talk.secrets", "operator.write")


def test_profiles_match_the_reference():
    assert FULL.roles == LIMITED.roles == ("node", "operator") and NODE.roles == ("node",)
    assert set(FULL.scopes) == {"operator.admin", *BASE} and set(LIMITED.scopes) == set(BASE)
    assert NODE.scopes == ()


@pytest.mark.parametrize("profile, role, scopes, allowed", [
    (FULL, "node", (), True),
    (FULL, "operator", ("operator.admin",), True),
    (FULL, "operator", ("operator.pairing",), True),  # admin satisfies every scope
    (LIMITED, "operator", ("operator.read", "operator.write", "operator.talk.secrets"), True),
    (LIMITED, "operator", ("operator.talk",), True),  # write implies talk
    (LIMITED, "operator", ("operator.admin",), False),
    (LIMITED, "operator", ("operator.pairing",), False),
    (NODE, "node", (), True),
    (NODE, "operator", (), False),
])
def test_profile_allows(profile, role, scopes, allowed):
    assert profile.allows(role, scopes) is allowed


def grant(**kw) -> BootstrapGrant:
    base = {"token_hash": "h", "setup_id": "s", "profile": LIMITED, "issued_at_ms": 1000, "expires_at_ms": 601_000}
    base.update(kw)
    return BootstrapGrant(**base)


@pytest.mark.parametrize("g, device, role, now, problem", [
    (None, "d1", "node", 2000, "unknown"),
    (grant(), "d1", "node", 2000, None),
    (grant(), "d1", "node", 600_999, None),
    (grant(), "d1", "node", 601_000, "expired"),
    (grant(consumed_at_ms=1500), "d1", "node", 2000, "consumed"),
    (grant(device_id="d1", public_key="k1"), "d1", "node", 2000, None),
    (grant(device_id="d2", public_key="k2"), "d1", "node", 2000, "bound to another device"),
    (grant(device_id="d1", public_key="other"), "d1", "node", 2000, "bound to another device"),
    (grant(profile=NODE), "d1", "operator", 2000, "role or scopes outside the profile"),
])
def test_redeem_problem(g, device, role, now, problem):
    assert redeem_problem(g, device, "k1", role, (), now) == problem


@pytest.mark.parametrize("client_id, platform, family, profile, official", [
    ("openclaw-ios", "iOS 18.4.0", "iPhone", FULL, True),
    ("openclaw-ios", "iPadOS 18.1", "iPad", LIMITED, True),
    ("openclaw-ios", "ios", "iOS", NODE, True),
    ("openclaw-ios", "iOSX 1", "iPhone", FULL, False),
    ("openclaw-ios", "iOS 18", "Mac", FULL, False),
    ("openclaw-ios", None, "iPhone", FULL, False),
    ("openclaw-android", "android", "Android", FULL, True),
    ("openclaw-android", "Android 15", "android", FULL, True),
    ("openclaw-android", "linux", "Android", FULL, False),
    ("openclaw-android", "android", "Linux", FULL, False),
    ("node-host", "linux", "Linux", NODE, True),
    ("node-host", "darwin", "Mac", FULL, True),
    ("openclaw-linux", "linux", "Linux", FULL, False),
    ("cli", "linux", "Linux", NODE, False),
])
def test_official_app_class(client_id, platform, family, profile, official):
    assert is_official_app(client_id, platform, family, profile) is official
