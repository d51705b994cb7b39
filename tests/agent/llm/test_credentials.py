"""API key and base URL resolution: env over keyring, and a broken keyring is no key."""

from __future__ import annotations

import keyring.backends.fail
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from openclaw_desktop.agent.credentials import (
    KEYRING_USERNAME,
    SERVICE_NAME,
    KeyringUnavailable,
    delete_api_key,
    resolve_model_credentials,
    store_api_key,
)
from tests.support.keyrings import MemoryKeyring


class BrokenKeyring(KeyringBackend):
    """A keyring whose D-Bus service is gone: every call fails."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("org.freedesktop.secrets was not provided by any .service files")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("D-Bus is not running")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("D-Bus is not running")


@pytest.fixture
def ring() -> MemoryKeyring:
    return MemoryKeyring()


def test_env_key_wins_over_keyring(ring):
    store_api_key("sk-stored", ring)
    creds = resolve_model_credentials({"ANTHROPIC_API_KEY": "sk-env"}, None, ring)
    assert (creds.api_key, creds.source) == ("sk-env", "env")


def test_keyring_is_used_when_env_is_unset_or_blank(ring):
    store_api_key("  sk-stored\n", ring)
    assert ring.passwords[(SERVICE_NAME, KEYRING_USERNAME)] == "sk-stored"
    for env in ({}, {"ANTHROPIC_API_KEY": "   "}):
        creds = resolve_model_credentials(env, None, ring)
        assert (creds.api_key, creds.source) == ("sk-stored", "keyring")


def test_no_key_anywhere_says_so(ring):
    creds = resolve_model_credentials({}, None, ring)
    assert (creds.api_key, creds.source) == (None, None)
    assert "ANTHROPIC_API_KEY is not set" in creds.reason
    assert "no API key is stored" in creds.reason


def test_broken_keyring_is_no_key_with_a_reason():
    creds = resolve_model_credentials({}, "https://proxy.example", BrokenKeyring())
    assert (creds.api_key, creds.source) == (None, None)
    assert creds.base_url == "https://proxy.example"
    assert "keyring is unavailable" in creds.reason
    assert "org.freedesktop.secrets" in creds.reason


def test_headless_box_without_any_keyring():
    # keyring's own "no backend found" keyring raises NoKeyringError on every call.
    creds = resolve_model_credentials({}, None, keyring.backends.fail.Keyring())
    assert creds.api_key is None and "NoKeyringError" in creds.reason
    with pytest.raises(KeyringUnavailable, match="NoKeyringError"):
        store_api_key("sk-x", keyring.backends.fail.Keyring())


def test_broken_keyring_does_not_matter_when_env_has_the_key():
    creds = resolve_model_credentials({"ANTHROPIC_API_KEY": "sk-env"}, None, BrokenKeyring())
    assert creds.source == "env"


@pytest.mark.parametrize(
    ("env", "config", "expected"),
    [
        ({"ANTHROPIC_BASE_URL": "http://env:1"}, "http://config:2", "http://env:1"),
        ({}, "http://config:2", "http://config:2"),
        ({"ANTHROPIC_BASE_URL": " "}, "http://config:2", "http://config:2"),
        ({}, None, None),
        ({}, "", None),
    ],
)
def test_base_url_env_over_config(ring, env, config, expected):
    assert resolve_model_credentials(env, config, ring).base_url == expected


def test_store_and_delete_round_trip(ring):
    store_api_key("sk-1", ring)
    assert delete_api_key(ring) is True
    assert delete_api_key(ring) is False  # nothing left to delete
    assert resolve_model_credentials({}, None, ring).api_key is None


def test_store_and_delete_on_a_broken_keyring_raise_a_clear_error():
    with pytest.raises(KeyringUnavailable, match="cannot store the API key: RuntimeError"):
        store_api_key("sk-1", BrokenKeyring())
    with pytest.raises(KeyringUnavailable, match="cannot delete the API key"):
        delete_api_key(BrokenKeyring())


def test_empty_key_is_refused(ring):
    with pytest.raises(ValueError):
        store_api_key("  ", ring)


def test_the_key_never_shows_in_repr():
    creds = resolve_model_credentials({"ANTHROPIC_API_KEY": "sk-secret-123"}, None, None)
    assert "sk-secret-123" not in repr(creds)
