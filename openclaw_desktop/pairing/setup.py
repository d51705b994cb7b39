"""Issuing a setup code: pick the URL, apply the plaintext downgrade, mint the token.

Shared by the ``device.pair.setupCode`` RPC and the ``openclaw-desktop pair`` command.
The QR image is a PNG data URL of the bare setup code (what the apps scan).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import segno

from .bootstrap import PROFILES
from .bootstrap_store import BootstrapStore
from .setup_code import (
    SetupPayload,
    encode_setup_code,
    is_loopback_host,
    normalize_gateway_url,
    resolve_access,
)

WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def default_gateway_url(bind_host: str, port: int, *, tls: bool, lan_ip: str | None) -> tuple[str, str]:
    """The URL phones should use for a gateway bound to ``bind_host``, and its source.

    A wildcard bind (``gateway.bind: "lan"``) is announced with the machine's primary
    LAN address; otherwise the bound address itself.
    """
    scheme = "wss" if tls else "ws"
    if bind_host in WILDCARD_HOSTS:
        host, source = (lan_ip or "127.0.0.1"), ("lan" if lan_ip else "loopback")
    else:
        host, source = bind_host, ("loopback" if is_loopback_host(bind_host) else "bind")
    netloc = f"[{host}]" if ":" in host else host
    return f"{scheme}://{netloc}:{port}", source


@dataclass(frozen=True, slots=True)
class IssuedSetup:
    """A freshly minted setup code and what it grants.

    ``profile`` is the bootstrap profile minted (after any plaintext downgrade),
    ``access`` its reported label, ``payload`` what the code encodes (join URLs serve it).
    """

    setup_id: str
    expires_at_ms: int
    setup_code: str
    gateway_url: str
    access: str
    access_downgraded: bool
    profile: str
    payload: SetupPayload
    tls_fingerprint: str | None = None

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"setupId": self.setup_id, "expiresAtMs": self.expires_at_ms,
                               "setupCode": self.setup_code, "gatewayUrl": self.gateway_url, "access": self.access}
        if self.access_downgraded:
            out["accessDowngraded"] = True
        return out


async def issue_setup(store: BootstrapStore, url: str, requested_profile: str, now_ms: int,
                      tls_fingerprint: str | None = None) -> IssuedSetup:
    """Mint a bootstrap token and encode the setup code. ValueError for a bad URL.

    ``requested_profile`` is a key of :data:`~.bootstrap.PROFILES` (``full`` may be
    downgraded to ``limited`` on plaintext LAN).
    """
    url = normalize_gateway_url(url)
    profile, downgraded = resolve_access(url, requested_profile)
    token, grant = await store.mint(profile, now_ms)
    fingerprint = tls_fingerprint if url.startswith("wss://") else None
    payload = SetupPayload(url, token, grant.expires_at_ms, fingerprint)
    return IssuedSetup(grant.setup_id, grant.expires_at_ms, encode_setup_code(payload), url,
                       PROFILES[profile].access, downgraded, profile, payload, fingerprint)


def qr_png_data_url(setup_code: str) -> str:
    """``data:image/png;base64,…`` of a QR code holding the bare setup code."""
    return segno.make(setup_code, error="m").png_data_uri(scale=6, border=2)
