"""Device signatures: the captured vector from the official node host, and every failure."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openclaw_desktop.errors import GatewayError
from openclaw_desktop.protocol.device_auth import (
    DeviceIdentity,
    DeviceProof,
    SignedFields,
    b64url_encode,
    device_id_for,
    public_key_raw,
    verify_device_proof,
)

NOW = 1_795_520_816_876


def fields(identity: DeviceIdentity, **kw) -> SignedFields:
    base = dict(device_id=identity.device_id, client_id="node-host", client_mode="node", role="node", scopes=(),
                signed_at_ms=NOW, token="testtoken", nonce="n-1", platform="linux", device_family="Linux")
    base.update(kw)
    return SignedFields(**base)


def test_payload_formats_match_reference_vectors():
    f = SignedFields("dev-2", "openclaw-ios", "ui", "operator", ("operator.read",), 1700000000001, "", "nonce-def")
    assert f.payload_v3() == "v3|dev-2|openclaw-ios|ui|operator|operator.read|1700000000001||nonce-def||"
    f = SignedFields("f1", "node-host", "node", "node", (), NOW, "testtoken", "46316ced", " Linux", "LINUX ")
    assert f.payload_v3() == f"v3|f1|node-host|node|node||{NOW}|testtoken|46316ced|linux|linux"
    assert f.payload_v2() == f"v2|f1|node-host|node|node||{NOW}|testtoken|46316ced"
    # Only ASCII A-Z is lowercased, like the reference.
    assert SignedFields("d", "c", "m", "r", (), 1, "", "n", "ÄB").payload_v3().endswith("|Äb|")


def test_device_id_is_sha256_of_raw_key():
    ident = DeviceIdentity.generate()
    assert ident.device_id == device_id_for(ident.public_raw) and len(ident.device_id) == 64
    assert public_key_raw(ident.public_key_b64url) == ident.public_raw
    # standard base64 with padding is accepted too
    import base64
    assert public_key_raw(base64.b64encode(ident.public_raw).decode()) == ident.public_raw


def proof_for(ident: DeviceIdentity, f: SignedFields) -> DeviceProof:
    return DeviceProof.parse(ident.sign_connect(f))


def test_valid_v3_and_v2_signatures_verify():
    ident = DeviceIdentity.generate()
    f = fields(ident)
    assert verify_device_proof(proof_for(ident, f), f, "n-1", NOW + 1000) == ident.public_raw
    v2 = ident.sign_connect(f)
    v2["signature"] = b64url_encode(ident.private_key.sign(f.payload_v2().encode()))
    assert verify_device_proof(DeviceProof.parse(v2), f, "n-1", NOW) == ident.public_raw


@pytest.mark.parametrize(("mutate", "now", "nonce", "code"), [
    (lambda d: d.update(id="0" * 64), NOW, "n-1", "DEVICE_AUTH_DEVICE_ID_MISMATCH"),
    (lambda d: None, NOW + 120_001, "n-1", "DEVICE_AUTH_SIGNATURE_EXPIRED"),
    (lambda d: None, NOW - 120_001, "n-1", "DEVICE_AUTH_SIGNATURE_EXPIRED"),
    (lambda d: d.update(nonce=""), NOW, "n-1", "DEVICE_AUTH_NONCE_REQUIRED"),
    (lambda d: None, NOW, "other-socket-nonce", "DEVICE_AUTH_NONCE_MISMATCH"),
    (lambda d: d.update(signature="AAAA"), NOW, "n-1", "DEVICE_AUTH_SIGNATURE_INVALID"),
    (lambda d: d.update(publicKey="abc"), NOW, "n-1", "DEVICE_AUTH_PUBLIC_KEY_INVALID"),
])
def test_bad_proofs_fail_with_reference_codes(mutate, now, nonce, code):
    ident = DeviceIdentity.generate()
    f = fields(ident)
    block = ident.sign_connect(f)
    mutate(block)
    with pytest.raises(GatewayError) as exc:
        verify_device_proof(DeviceProof.parse(block), f, nonce, now)
    assert exc.value.details["code"] == code
    assert exc.value.close_code == 1008


def test_signature_binds_role_scopes_and_token():
    ident = DeviceIdentity.generate()
    signed = fields(ident, role="operator", scopes=("operator.read",))
    proof = proof_for(ident, signed)
    for tampered in (fields(ident, role="operator", scopes=("operator.admin",)),
                     fields(ident, role="node"), fields(ident, role="operator", scopes=("operator.read",), token="x")):
        with pytest.raises(GatewayError):
            verify_device_proof(proof, tampered, "n-1", NOW)


def test_key_of_another_device_does_not_verify():
    ident, other = DeviceIdentity.generate(), DeviceIdentity(Ed25519PrivateKey.generate())
    f = fields(ident)
    block = ident.sign_connect(f)
    block["signature"] = b64url_encode(other.private_key.sign(f.payload_v3().encode()))
    with pytest.raises(GatewayError):
        verify_device_proof(DeviceProof.parse(block), f, "n-1", NOW)
