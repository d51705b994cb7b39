"""The node's key file and device-token store on disk (real files in tmp)."""

from __future__ import annotations

import json
import stat

import pytest

from openclaw_desktop.nodes.desktop.identity import (
    IDENTITY_FILE,
    DeviceTokenStore,
    IdentityError,
    StoredToken,
    gateway_key,
    load_or_create_identity,
)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_identity_is_created_once_with_0600_and_reloaded(tmp_path):
    first = load_or_create_identity(tmp_path)
    path = tmp_path / IDENTITY_FILE
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    again = load_or_create_identity(tmp_path)
    assert again.device_id == first.device_id and len(first.device_id) == 64


def test_loose_permissions_are_tightened(tmp_path):
    load_or_create_identity(tmp_path)
    path = tmp_path / IDENTITY_FILE
    path.chmod(0o644)
    load_or_create_identity(tmp_path)
    assert mode(path) == 0o600


@pytest.mark.parametrize("content", [b"garbage", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"])
def test_a_broken_key_file_is_an_error_and_is_kept(tmp_path, content):
    path = tmp_path / IDENTITY_FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(IdentityError, match="desktop-node.pem"):
        load_or_create_identity(tmp_path)
    assert path.read_bytes() == content  # never silently replaced by a new device


def test_tokens_per_gateway_and_role(tmp_path):
    store = DeviceTokenStore.for_state(tmp_path)
    assert store.get("ws://127.0.0.1:1", "node", "dev") is None
    store.put("ws://127.0.0.1:1/", "node", StoredToken("tok-a", "dev", (), 5))
    store.put("ws://OTHER:2", "node", StoredToken("tok-b", "dev"))
    assert store.get("WS://127.0.0.1:1", "node", "dev") == StoredToken("tok-a", "dev", (), 5)
    assert store.get("ws://127.0.0.1:1", "operator", "dev") is None
    assert store.get("ws://127.0.0.1:1", "node", "another-device") is None  # issued to a different key
    assert mode(store.path) == 0o600
    assert store.clear("ws://127.0.0.1:1", "node") is True
    assert store.clear("ws://127.0.0.1:1", "node") is False
    assert store.get("ws://127.0.0.1:1", "node", "dev") is None
    assert store.get("ws://other:2", "node", "dev").token == "tok-b"
    doc = json.loads(store.path.read_text())
    assert list(doc["tokens"]) == [gateway_key("ws://other:2", "node")]


def test_a_corrupt_token_file_is_ignored(tmp_path):
    store = DeviceTokenStore.for_state(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{not json")
    assert store.get("ws://h:1", "node", "dev") is None
    store.put("ws://h:1", "node", StoredToken("t", "dev"))
    assert store.get("ws://h:1", "node", "dev").token == "t"
