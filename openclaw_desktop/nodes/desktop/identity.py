"""This desktop's node identity and the device tokens gateways hand it.

* ``<state>/identity/desktop-node.pem``: the Ed25519 private key (PKCS#8 PEM, mode 0600).
  Created on first use; a file that exists but does not parse is an error, never
  silently replaced (a new key would be a new device that must be paired again).
* ``<state>/identity/desktop-node-tokens.json``: ``hello-ok.auth.deviceToken`` per
  (gateway URL, role), mode 0600, with the device id it was issued to so a token is
  never presented by another key.

File I/O only (no sockets, no Qt). Writes are atomic (temp file + fsync + rename).
"""

from __future__ import annotations

import json
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openclaw_desktop.config.store import atomic_write_text
from openclaw_desktop.protocol.device_auth import DeviceIdentity

log = logging.getLogger(__name__)
IDENTITY_FILE = Path("identity") / "desktop-node.pem"
TOKENS_FILE = Path("identity") / "desktop-node-tokens.json"


class IdentityError(Exception):
    """The identity file exists but cannot be used (names the file and the problem)."""


def _tighten(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s was readable by others (mode %o); setting 0600", path, mode)
        os.chmod(path, 0o600)


def load_or_create_identity(state_dir: Path) -> DeviceIdentity:
    """The node's Ed25519 identity, created (0600) on first use."""
    path = state_dir / IDENTITY_FILE
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        identity = DeviceIdentity.generate()
        text = identity.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()).decode("ascii")
        atomic_write_text(path, text, 0o600)
        log.info("created node identity %s (device id %s)", path, identity.device_id)
        return identity
    except OSError as exc:
        raise IdentityError(f"{path}: cannot read: {exc}") from None
    _tighten(path)
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise IdentityError(f"{path}: not a usable PEM private key ({exc}); move it away to create a new identity") \
            from None
    if not isinstance(key, Ed25519PrivateKey):
        raise IdentityError(f"{path}: not an Ed25519 key")
    return DeviceIdentity(key)


def gateway_key(url: str, role: str) -> str:
    """Normalised ``url|role`` (scheme and host lowercased, no trailing slash)."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc.lower()
    return f"{urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip('/'), parts.query, ''))}|{role}"


@dataclass(frozen=True)
class StoredToken:
    token: str
    device_id: str
    scopes: tuple[str, ...] = ()
    issued_at_ms: int | None = None


class DeviceTokenStore:
    """Device tokens per (gateway URL, role) in one 0600 JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def for_state(state_dir: Path) -> DeviceTokenStore:
        return DeviceTokenStore(state_dir / TOKENS_FILE)

    def _read(self) -> dict[str, Any]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            # Tokens can always be re-issued by pairing; a broken file must not stop the node.
            log.warning("ignoring unreadable device token file %s: %s", self.path, exc)
            return {}
        tokens = doc.get("tokens") if isinstance(doc, dict) else None
        return tokens if isinstance(tokens, dict) else {}

    def _write(self, tokens: dict[str, Any]) -> None:
        atomic_write_text(self.path, json.dumps({"version": 1, "tokens": tokens}, indent=2, sort_keys=True) + "\n",
                          0o600)

    def get(self, url: str, role: str, device_id: str) -> StoredToken | None:
        """The stored token for this gateway and role, if it was issued to ``device_id``."""
        entry = self._read().get(gateway_key(url, role))
        if not isinstance(entry, dict) or not isinstance(entry.get("token"), str) or not entry["token"]:
            return None
        if entry.get("deviceId") != device_id:
            return None
        scopes = entry.get("scopes")
        scopes = scopes if isinstance(scopes, list) else []
        issued = entry.get("issuedAtMs")
        return StoredToken(entry["token"], device_id, tuple(str(s) for s in scopes),
                           issued if isinstance(issued, int) else None)

    def put(self, url: str, role: str, token: StoredToken) -> None:
        tokens = self._read()
        key = gateway_key(url, role)
        entry = {"token": token.token, "deviceId": token.device_id, "scopes": list(token.scopes),
                 "issuedAtMs": token.issued_at_ms}
        if tokens.get(key) != entry:
            tokens[key] = entry
            self._write(tokens)

    def clear(self, url: str, role: str) -> bool:
        """Forget the token (after ``AUTH_DEVICE_TOKEN_MISMATCH``); True if one was stored."""
        tokens = self._read()
        if tokens.pop(gateway_key(url, role), None) is None:
            return False
        self._write(tokens)
        return True
