"""The session picker's choices, new keys, and which controls are enabled."""

from __future__ import annotations

import pytest

from openclaw_desktop.chat_view.sessions import (
    MAIN_KEY,
    Controls,
    SessionChoice,
    controls,
    new_session_key,
    session_choices,
    session_title,
)

NOW = 1_767_225_600_000  # 2026-01-01 00:00:00 UTC


def test_choices_put_main_first_then_newest_and_keep_local_keys():
    result = {"sessions": [
        {"key": "agent:main:old", "updatedAt": 1, "lastMessagePreview": "hello\nthere"},
        {"key": "agent:main:new", "updatedAt": 5, "label": "Trip planning", "hasActiveRun": True},
        {"key": MAIN_KEY, "updatedAt": 2},
        {"key": 7}, "junk",
    ]}
    choices = session_choices(result, current="agent:main:chat-x", made_here=["agent:main:chat-y"])
    assert [c.key for c in choices] == [MAIN_KEY, "agent:main:new", "agent:main:old", "agent:main:chat-x",
                                        "agent:main:chat-y"]
    assert choices[1] == SessionChoice("agent:main:new", "Trip planning", True, None, 5)
    assert choices[2].preview == "hello there"
    assert [c.key for c in session_choices(None, MAIN_KEY)] == [MAIN_KEY]


@pytest.mark.parametrize("key, label, title", [
    ("agent:main:main", None, "main"),
    ("agent:work:inbox", None, "inbox (work)"),
    ("agent:main:x", "  My label ", "My label"),
    ("weird", None, "weird"),
])
def test_titles(key, label, title):
    assert session_title(key, label) == title


def test_new_keys_are_dated_and_unique():
    assert new_session_key(NOW, []) == "agent:main:chat-20260101-000000"
    taken = ["agent:main:chat-20260101-000000", "agent:main:chat-20260101-000000-2"]
    assert new_session_key(NOW, taken) == "agent:main:chat-20260101-000000-3"


@pytest.mark.parametrize("state, error, running, text, expected", [
    ("connected", None, False, True, Controls(True, False, None)),
    ("connected", None, True, False, Controls(False, True, None)),
    ("connecting", None, False, True, Controls(False, False, "connecting to the gateway…")),
    ("connecting", "refused", True, True, Controls(False, False, "not connected — retrying (refused)")),
    ("disconnected", "cannot reach x", True, True, Controls(False, False, "not connected — retrying (cannot reach x)")),
    ("disconnected", None, False, True, Controls(False, False, "not connected — retrying")),
    ("stopped", None, False, True, Controls(False, False, "not connected — the connection was closed")),
])
def test_controls(state, error, running, text, expected):
    assert controls(state, error, running, text) == expected


def test_loading_banner():
    assert controls("connected", None, False, True, loading=True) == Controls(False, False, "loading…")
