"""Setup codes: the base64url JSON a phone scans to find and join this gateway.

Pure code (no I/O, no clock: ``now_ms`` is passed in). A setup code is base64url
without padding of ``{url, bootstrapToken, expiresAtMs, tlsFingerprint?, urls?}``.
Decoding accepts the bare code (what the QR encodes), ``oc-pair://<code>`` (any case)
and the Android scanner's ``{"setupCode": "<code>"}``; it raises ValueError otherwise.

URL rules match the official issuer and apps: plaintext ``ws://`` only for hosts that
cannot be reached from the internet (loopback, RFC 1918, link-local, ``fc00::/7``,
``.local`` names and the Android emulator's ``10.0.2.2``); anything else needs ``wss://``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PAIR_SCHEME = "oc-pair://"
MAX_URLS = 8

ACCESS_FULL = "full"
ACCESS_LIMITED = "limited"
ACCESS_NODE = "node"


@dataclass(frozen=True, slots=True)
class SetupPayload:
    """What a setup code carries."""

    url: str
    bootstrap_token: str
    expires_at_ms: int | None = None
    tls_fingerprint: str | None = None
    urls: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"url": self.url, "bootstrapToken": self.bootstrap_token}
        if self.expires_at_ms is not None:
            out["expiresAtMs"] = self.expires_at_ms
        if self.tls_fingerprint:
            out["tlsFingerprint"] = self.tls_fingerprint
        if self.urls:
            out["urls"] = list(self.urls)
        return out


def encode_setup_code(payload: SetupPayload) -> str:
    """base64url (no padding) of the compact UTF-8 JSON."""
    raw = json.dumps(payload.to_json(), separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def pair_link(code: str) -> str:
    """The ``oc-pair://`` form (``openclaw node run --pair``, the Control UI dialog)."""
    return PAIR_SCHEME + code


def _bare_code(text: str) -> str:
    text = text.strip()
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError:
            raise ValueError("setup code JSON is malformed") from None
        code = doc.get("setupCode") if isinstance(doc, dict) else None
        if not isinstance(code, str):
            raise ValueError('setup code JSON must be {"setupCode": "<code>"}')
        text = code.strip()
    if text.lower().startswith(PAIR_SCHEME):
        text = text[len(PAIR_SCHEME):]
    return text.strip().strip("/")


def decode_setup_code(text: str, now_ms: int | None = None) -> SetupPayload:
    """Parse any accepted form; with ``now_ms`` an expired code is refused."""
    code = _bare_code(text)
    if not code:
        raise ValueError("setup code is empty")
    try:
        raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
        doc = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError("setup code is not base64url JSON") from None
    if not isinstance(doc, dict):
        raise ValueError("setup code payload must be an object")
    url, token = doc.get("url"), doc.get("bootstrapToken")
    if not isinstance(url, str) or not isinstance(token, str) or not token:
        raise ValueError("setup code needs url and bootstrapToken")
    expires = doc.get("expiresAtMs")
    if expires is not None and (not isinstance(expires, int) or isinstance(expires, bool)):
        raise ValueError("expiresAtMs must be an integer")
    if now_ms is not None and expires is not None and now_ms >= expires:
        raise ValueError("setup code has expired")
    fingerprint = doc.get("tlsFingerprint")
    urls = doc.get("urls")
    return SetupPayload(
        url=normalize_gateway_url(url), bootstrap_token=token, expires_at_ms=expires,
        tls_fingerprint=fingerprint if isinstance(fingerprint, str) and fingerprint else None,
        urls=tuple(normalize_gateway_url(u) for u in urls[:MAX_URLS] if isinstance(u, str))
        if isinstance(urls, list) else (),
    )


def _host_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def is_loopback_host(host: str) -> bool:
    ip = _host_ip(host)
    return (ip is not None and ip.is_loopback) or host.lower().rstrip(".") == "localhost"


_FC00 = ipaddress.ip_network("fc00::/7")
_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def plaintext_allowed(host: str) -> bool:
    """May a client reach ``host`` over ``ws://``? (loopback, private LAN, ``.local``)."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".local"):
        return True
    ip = _host_ip(name)
    if ip is None:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        else:
            return ip.is_loopback or ip.is_link_local or ip in _FC00
    # 10.0.2.2 (Android emulator's host alias) is inside 10/8 already.
    return ip.is_loopback or ip.is_link_local or any(ip in net for net in _RFC1918)


def normalize_gateway_url(url: str) -> str:
    """``ws://host[:port][/path]`` or ``wss://…`` without credentials, query or fragment.

    Raises ValueError for another scheme, a missing host, credentials in the URL, or a
    plaintext ``ws://`` URL whose host is not private (see the module docstring).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("ws", "wss"):
        raise ValueError(f"gateway URL must start with ws:// or wss:// (got {url!r})")
    if parts.username is not None or parts.password is not None:
        raise ValueError("gateway URL must not contain credentials")
    host = parts.hostname
    if not host:
        raise ValueError(f"gateway URL has no host: {url!r}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"gateway URL has a bad port: {url!r}") from None
    if scheme == "ws" and not plaintext_allowed(host):
        raise ValueError(f"ws:// is only allowed for loopback, private LAN and .local hosts; use wss:// for {host}")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = "" if parts.path in ("", "/") else parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, "", ""))


def resolve_access(url: str, requested: str) -> tuple[str, bool]:
    """The profile actually handed out, and whether it was downgraded.

    "full" (admin) is only issued over ``wss://`` or loopback: on plaintext LAN anyone
    who can watch the network could replay the handed-off operator token.
    """
    parts = urlsplit(url)
    if requested == ACCESS_FULL and parts.scheme == "ws" and not is_loopback_host(parts.hostname or ""):
        return ACCESS_LIMITED, True
    return requested, False
