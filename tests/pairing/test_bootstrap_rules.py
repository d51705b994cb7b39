"""Bootstrap profiles, redemption rules and the official-app check (pure, table-driven)."""

from __future__ import annotations

import pytest

from openclaw_desktop.pairing.bootstrap import (
    PENDING_GRACE_MS,
    PROFILES,
    BootstrapGrant,
    SetupCompletion,
    is_official_app,
    profile_from_row,
    redeem_problem,
    setup_status,
)

FULL, LIMITED, NODE, VOICE = PROFILES["full"], PROFILES["limited"], PROFILES["node"], PROFILES["voice-node"]
BASE = ("operator.approvals", "operator.questions", "operator.read", "operator.talk.secrets", "operator.write")


def test_profiles_match_the_reference():
    assert FULL.roles == LIMITED.roles == ("node", "operator") and NODE.roles == ("node",)
    assert set(FULL.scopes) == {"operator.admin", *BASE} and set(LIMITED.scopes) == set(BASE)
    assert NODE.scopes == ()
    assert VOICE.roles == ("node", "operator") and VOICE.scopes == ("operator.read", "operator.talk")
    # The access label only knows full/limited/node; a voice node reports "limited".
    assert [p.access for p in (FULL, LIMITED, NODE, VOICE)] == ["full", "limited", "node", "limited"]
    assert [p.name for p in (FULL, LIMITED, NODE, VOICE)] == ["full", "limited", "node", "voice-node"]


def test_profile_rebuilt_from_a_stored_row():
    assert profile_from_row("voice-node", ("node", "operator"), ("operator.read", "operator.talk")) == VOICE
    assert profile_from_row("full", FULL.roles, FULL.scopes) == FULL


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
    (VOICE, "node", (), True),
    (VOICE, "operator", ("operator.read", "operator.talk"), True),
    (VOICE, "operator", ("operator.talk",), True),
    (VOICE, "operator", ("operator.write",), False),
    (VOICE, "operator", ("operator.talk.secrets",), False),
    (VOICE, "operator", ("operator.admin",), False),
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
    # A voice-node code also hands off an operator token: only the embedded class pairs silently.
    ("node-host", "esp32", "esp32", VOICE, True),
    ("node-host", "ESP32 s3", "ESP32", VOICE, True),
    ("node-host", "linux", "Linux", VOICE, False),
    ("node-host", "esp32x", "esp32", VOICE, False),
    ("node-host", "esp32", "linux", VOICE, False),
    ("openclaw-android", "android", "Android", VOICE, False),
])
def test_official_app_class(client_id, platform, family, profile, official):
    assert is_official_app(client_id, platform, family, profile) is official


def completion(delivery: str, ts: int = 1000) -> SetupCompletion:
    return SetupCompletion("s1", "d1", "full", ts, "Pixel", delivery)


@pytest.mark.parametrize("done, now, expected_key", [
    (None, 2000, None),
    (completion("confirmed"), 2000, "completion"),
    (completion("uncertain"), 2000, "deliveryUncertain"),
    (completion("pending"), 2000, None),  # the ready hook has not run yet
    (completion("pending"), 1000 + PENDING_GRACE_MS, "deliveryUncertain"),  # it never will
])
def test_setup_status(done, now, expected_key):
    status = setup_status(done, now)
    if expected_key is None:
        assert status == {}
    else:
        assert status == {expected_key: {"setupId": "s1", "deviceId": "d1", "deviceName": "Pixel", "access": "full",
                                         "ts": 1000}}
