"""TLS: the generated certificate, wss:// with pinning by fingerprint, and setup codes
that carry the pin."""

from __future__ import annotations

import stat

import pytest
from cryptography import x509
from websockets.exceptions import InvalidHandshake

from openclaw_desktop.app import build_gateway
from openclaw_desktop.client.gateway_client import GatewayClient, TlsPinMismatch
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.config.settings import parse_settings
from openclaw_desktop.config.store import atomic_write_text
from openclaw_desktop.errors import ConfigError
from openclaw_desktop.gateway.tls import (
    cert_fingerprint_sha256_hex,
    default_paths,
    resolve_certificate,
)
from openclaw_desktop.pairing.setup_code import decode_setup_code
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from tests.conftest import TOKEN, cli_opts

from .helpers import android, mint, token_of


@pytest.fixture
async def tls_gateway(paths):
    atomic_write_text(paths.config_path, "{gateway: {tls: {enabled: true}}}\n")
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN))
    yield gw
    await gw.close()


def test_self_signed_certificate_is_generated_once(paths):
    settings = parse_settings("x", {"gateway": {"tls": {"enabled": True}}})
    first = resolve_certificate(settings, paths, lan_ip="192.168.1.10", host_name="laptop")
    cert_path, key_path = default_paths(paths)
    assert first is not None and (first.cert_path, first.key_path) == (cert_path, key_path)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(san.get_values_for_type(x509.DNSName)) == {"laptop", "localhost"}
    assert {str(ip) for ip in san.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1", "192.168.1.10"}
    assert first.fingerprint == cert_fingerprint_sha256_hex(cert_path.read_text())
    assert len(first.fingerprint) == 64 and first.fingerprint == first.fingerprint.lower()
    # Kept across restarts (and address changes): phones pinned it.
    again = resolve_certificate(settings, paths, lan_ip="10.0.0.9", host_name="laptop")
    assert again is not None and again.fingerprint == first.fingerprint
    assert resolve_certificate(parse_settings("x", {}), paths) is None


def test_configured_certificate_must_be_usable(paths, tmp_path):
    settings = parse_settings("x", {"gateway": {"tls": {"enabled": True, "certPath": str(tmp_path / "none.pem"),
                                                        "keyPath": str(tmp_path / "none.key")}}})
    with pytest.raises(ConfigError, match="gateway.tls"):
        resolve_certificate(settings, paths)


async def test_wss_with_pinned_fingerprint(tls_gateway, paths):
    gw = tls_gateway
    assert gw.url.startswith("wss://127.0.0.1:")
    fingerprint = cert_fingerprint_sha256_hex(default_paths(paths)[0].read_bytes())
    res = await mint(gw, fingerprint)
    payload = decode_setup_code(res["setupCode"])
    assert (payload.url, payload.tls_fingerprint, res["access"]) == (gw.url, fingerprint, "full")
    ident = DeviceIdentity.generate()
    opts = android(ident, payload.bootstrap_token, tls_fingerprint=payload.tls_fingerprint)
    async with GatewayClient.connect(gw.url, opts) as node:
        assert node.hello["auth"]["method"] == "bootstrap-token"
        assert node.hello["auth"]["deviceTokens"][0]["role"] == "operator"
    # Colon-separated upper-case pins are the same pin.
    pretty = ":".join(fingerprint[i:i + 2] for i in range(0, 64, 2)).upper()
    async with GatewayClient.connect(gw.url, cli_opts(tls_fingerprint=pretty, scopes=["operator.read"])) as c:
        assert (await c.call("health"))["ok"] is True


async def test_wrong_pin_sends_nothing(tls_gateway):
    token = token_of(await mint(tls_gateway, cert_fingerprint_sha256_hex(
        default_paths(tls_gateway.services.config.paths)[0].read_bytes())))
    with pytest.raises(TlsPinMismatch):
        async with GatewayClient.connect(tls_gateway.url, android(DeviceIdentity.generate(), token,
                                                                  tls_fingerprint="00" * 32)):
            pass
    # The code was never presented, so the right device can still use it.
    pin = cert_fingerprint_sha256_hex(default_paths(tls_gateway.services.config.paths)[0].read_bytes())
    async with GatewayClient.connect(tls_gateway.url, android(DeviceIdentity.generate(), token,
                                                              tls_fingerprint=pin)) as node:
        assert node.hello["auth"]["method"] == "bootstrap-token"


async def test_plain_ws_client_cannot_talk_to_a_tls_gateway(tls_gateway):
    plain = tls_gateway.url.replace("wss://", "ws://")
    with pytest.raises(InvalidHandshake):
        async with GatewayClient.connect(plain, cli_opts(), timeout=3):
            pass

