"""TLS for ``wss://``: the certificate, its SHA-256 pin and the server SSL context.

With ``gateway.tls.enabled`` and no ``certPath``/``keyPath`` a self-signed ECDSA P-256
certificate is generated once into ``<state>/gateway/tls/`` (key mode 0600) with the
host name, ``localhost``, 127.0.0.1, ::1 and the LAN address as SANs. It is kept across
restarts and address changes on purpose: phones pin its fingerprint (from the setup
code or mDNS), so a new certificate would break every paired phone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.settings import Settings
from openclaw_desktop.errors import ConfigError

CERT_VALID_DAYS = 3650


@dataclass(frozen=True, slots=True)
class TlsMaterial:
    cert_path: Path
    key_path: Path
    fingerprint: str
    """Lowercase hex SHA-256 of the leaf certificate (DER), as the apps pin it."""


def default_paths(paths: StatePaths) -> tuple[Path, Path]:
    folder = paths.state_dir / "gateway" / "tls"
    return folder / "gateway-cert.pem", folder / "gateway-key.pem"


def cert_fingerprint_sha256_hex(pem: bytes | str) -> str:
    """SHA-256 over the DER form of the first certificate in ``pem``, lowercase hex."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    cert = x509.load_pem_x509_certificate(data)
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _write_private(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def generate_self_signed(cert_path: Path, key_path: Path, host_name: str, lan_ip: str | None,
                         now: dt.datetime | None = None) -> None:
    """Write a fresh self-signed certificate and its key (0600)."""
    now = now or dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in dict.fromkeys((host_name, "localhost")) if n]
    ips = dict.fromkeys(("127.0.0.1", "::1", *((lan_ip,) if lan_ip else ())))
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"OpenClaw Desktop gateway ({host_name})"[:64])])
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=CERT_VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_private(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()), 0o600)
    _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _expired(cert_path: Path, now: dt.datetime) -> bool:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return cert.not_valid_after_utc <= now


def resolve_certificate(settings: Settings, paths: StatePaths, *, lan_ip: str | None = None,
                        host_name: str | None = None) -> TlsMaterial | None:
    """The certificate to serve (generated when needed), or None when TLS is off.

    Raises ConfigError naming ``gateway.tls`` when configured files cannot be used.
    """
    tls = settings.gateway.tls
    if not tls.enabled:
        return None
    try:
        if tls.cert_path and tls.key_path:
            cert_path, key_path = Path(tls.cert_path).expanduser(), Path(tls.key_path).expanduser()
        else:
            cert_path, key_path = default_paths(paths)
            now = dt.datetime.now(dt.UTC)
            if not (cert_path.exists() and key_path.exists()) or _expired(cert_path, now):
                generate_self_signed(cert_path, key_path, host_name or socket.gethostname(), lan_ip, now)
        return TlsMaterial(cert_path, key_path, cert_fingerprint_sha256_hex(cert_path.read_bytes()))
    except (OSError, ValueError) as exc:
        raise ConfigError(str(paths.config_path), "gateway.tls", f"cannot use the TLS certificate: {exc}") from None


def server_context(material: TlsMaterial, config_path: str = "") -> ssl.SSLContext:
    """A TLS 1.2+ server context for the certificate (ConfigError if the pair is unusable)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(material.cert_path, material.key_path)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise ConfigError(config_path, "gateway.tls", f"cannot load certificate and key: {exc}") from None
    return ctx


def build_ssl_context(settings: Settings, paths: StatePaths, *, lan_ip: str | None = None) -> ssl.SSLContext | None:
    """The server SSL context when ``gateway.tls.enabled``, else None."""
    material = resolve_certificate(settings, paths, lan_ip=lan_ip)
    return None if material is None else server_context(material, str(paths.config_path))
