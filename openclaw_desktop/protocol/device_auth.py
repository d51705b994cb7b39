"""Ed25519 device identities and the connect signature payloads (v3, then v2).

Pure functions over bytes and strings; the clock comes in as ``now_ms``. Used by the
gateway to verify ``connect.device`` and by our own clients to sign it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from openclaw_desktop.errors import DetailCode, GatewayError, invalid_request

from .constants import CLOSE_POLICY_VIOLATION, DEVICE_SIGNATURE_SKEW_MS


def b64url_encode(data: bytes) -> str:
    """base64url without padding (the wire encoding of keys, signatures and tokens)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url or standard base64, padded or not (lenient on input)."""
    cleaned = text.strip().replace("+", "-").replace("/", "_").rstrip("=")
    return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))


def public_key_raw(public_key: str) -> bytes:
    """The raw 32-byte key from base64url/base64 or a PEM SPKI string; ValueError if bad."""
    text = public_key.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 key")
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    try:
        raw = b64url_decode(text)
    except (binascii.Error, ValueError):
        raise ValueError("public key is not base64") from None
    if len(raw) != 32:
        raise ValueError("public key must be 32 bytes")
    return raw


def device_id_for(raw_public_key: bytes) -> str:
    """Device id = lowercase hex SHA-256 of the raw public key."""
    return hashlib.sha256(raw_public_key).hexdigest()


def _norm_meta(value: Any) -> str:
    # Trim and lowercase ASCII A-Z only, exactly like the reference (no Unicode folding).
    if not isinstance(value, str):
        return ""
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in value.strip())


@dataclass(frozen=True, slots=True)
class SignedFields:
    """Everything that goes into a connect signature payload."""

    device_id: str
    client_id: str
    client_mode: str
    role: str
    scopes: tuple[str, ...]
    signed_at_ms: int
    token: str
    nonce: str
    platform: str | None = None
    device_family: str | None = None

    def payload_v3(self) -> str:
        return "|".join(["v3", *self._base(), _norm_meta(self.platform), _norm_meta(self.device_family)])

    def payload_v2(self) -> str:
        return "|".join(["v2", *self._base()])

    def _base(self) -> list[str]:
        return [self.device_id, self.client_id, self.client_mode, self.role, ",".join(self.scopes),
                str(self.signed_at_ms), self.token, self.nonce]


def _device_error(detail: str, message: str, reason: str) -> GatewayError:
    err = invalid_request(message, {"code": detail, "reason": reason})
    err.close_code, err.close_reason = CLOSE_POLICY_VIOLATION, message
    return err


@dataclass(frozen=True, slots=True)
class DeviceProof:
    """The ``connect.device`` block, parsed."""

    id: str
    public_key: str
    signature: str
    signed_at_ms: int
    nonce: str

    @staticmethod
    def parse(raw: Any) -> DeviceProof | None:
        """Parse the block; ``None`` if absent, GatewayError if present but malformed."""
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise invalid_request("invalid connect params: device must be an object")
        signed_at = raw.get("signedAt")
        fields = (raw.get("id"), raw.get("publicKey"), raw.get("signature"))
        if not all(isinstance(f, str) and f for f in fields) or isinstance(signed_at, bool) \
                or not isinstance(signed_at, (int, float)):
            raise invalid_request("invalid connect params: device requires id, publicKey, signature, signedAt, nonce")
        nonce = raw.get("nonce")
        return DeviceProof(raw["id"], raw["publicKey"], raw["signature"], int(signed_at),
                           nonce.strip() if isinstance(nonce, str) else "")


def verify_device_proof(proof: DeviceProof, fields_without_device: SignedFields, challenge_nonce: str,
                        now_ms: int) -> bytes:
    """Verify a device proof against this socket's nonce; return the raw public key.

    ``fields_without_device`` carries the connect's client/role/scope/token values; its
    device id, signedAt and nonce are replaced by the proof's. Raises GatewayError with
    the reference's detail codes (close 1008) on any failure.
    """
    try:
        raw = public_key_raw(proof.public_key)
    except ValueError:
        raise _device_error(DetailCode.DEVICE_AUTH_PUBLIC_KEY_INVALID, "device public key invalid",
                            "device-public-key") from None
    if device_id_for(raw) != proof.id:
        raise _device_error(DetailCode.DEVICE_AUTH_DEVICE_ID_MISMATCH, "device identity mismatch",
                            "device-id-mismatch")
    if abs(now_ms - proof.signed_at_ms) > DEVICE_SIGNATURE_SKEW_MS:
        raise _device_error(DetailCode.DEVICE_AUTH_SIGNATURE_EXPIRED, "device signature expired",
                            "device-signature-stale")
    if not proof.nonce:
        raise _device_error(DetailCode.DEVICE_AUTH_NONCE_REQUIRED, "device nonce required", "device-nonce-missing")
    if proof.nonce != challenge_nonce:
        raise _device_error(DetailCode.DEVICE_AUTH_NONCE_MISMATCH, "device nonce mismatch", "device-nonce-mismatch")
    f = fields_without_device
    signed = SignedFields(proof.id, f.client_id, f.client_mode, f.role, f.scopes, proof.signed_at_ms,
                          f.token, proof.nonce, f.platform, f.device_family)
    try:
        signature = b64url_decode(proof.signature)
    except (binascii.Error, ValueError):
        signature = b""
    key = Ed25519PublicKey.from_public_bytes(raw)
    for payload in (signed.payload_v3(), signed.payload_v2()):
        try:
            key.verify(signature, payload.encode("utf-8"))
            return raw
        except InvalidSignature:
            continue
    raise _device_error(DetailCode.DEVICE_AUTH_SIGNATURE_INVALID, "device signature invalid", "device-signature")


@dataclass(frozen=True)
class DeviceIdentity:
    """An Ed25519 keypair with its derived device id (used by our own clients and tests)."""

    private_key: Ed25519PrivateKey

    @staticmethod
    def generate() -> DeviceIdentity:
        return DeviceIdentity(Ed25519PrivateKey.generate())

    @property
    def public_raw(self) -> bytes:
        return self.private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def device_id(self) -> str:
        return device_id_for(self.public_raw)

    @property
    def public_key_b64url(self) -> str:
        return b64url_encode(self.public_raw)

    def sign_connect(self, fields: SignedFields) -> dict[str, Any]:
        """The ``connect.device`` block for these fields, signed with the v3 payload."""
        signature = self.private_key.sign(fields.payload_v3().encode("utf-8"))
        return {"id": self.device_id, "publicKey": self.public_key_b64url, "signature": b64url_encode(signature),
                "signedAt": fields.signed_at_ms, "nonce": fields.nonce}
