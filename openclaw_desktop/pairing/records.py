"""Typed pairing records and their wire projections."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field, replace
from typing import Any


def new_token() -> str:
    """32 random bytes, base64url without padding (device and bootstrap tokens)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class DeviceToken:
    """A bearer token for one (device, role)."""

    token: str
    role: str
    scopes: tuple[str, ...]
    created_at_ms: int
    rotated_at_ms: int | None = None
    revoked_at_ms: int | None = None
    last_used_at_ms: int | None = None

    def summary(self) -> dict[str, Any]:
        """Wire view without the bearer string."""
        out: dict[str, Any] = {"role": self.role, "scopes": list(self.scopes), "createdAtMs": self.created_at_ms}
        for key, value in (("rotatedAtMs", self.rotated_at_ms), ("revokedAtMs", self.revoked_at_ms),
                           ("lastUsedAtMs", self.last_used_at_ms)):
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True)
class PendingRequest:
    """A device waiting for approval (expires after 5 minutes)."""

    request_id: str
    device_id: str
    public_key: str
    role: str
    roles: tuple[str, ...]
    scopes: tuple[str, ...]
    ts: int
    display_name: str | None = None
    platform: str | None = None
    device_family: str | None = None
    client_id: str | None = None
    client_mode: str | None = None
    remote_ip: str | None = None
    silent: bool = False
    is_repair: bool = False
    reason: str = "not-paired"
    refreshed_at_ms: int | None = None

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "requestId": self.request_id, "deviceId": self.device_id, "publicKey": self.public_key,
            "role": self.role, "roles": list(self.roles), "scopes": list(self.scopes),
            "silent": self.silent, "isRepair": self.is_repair, "ts": self.ts,
        }
        for key, value in (("displayName", self.display_name), ("platform", self.platform),
                           ("deviceFamily", self.device_family), ("clientId", self.client_id),
                           ("clientMode", self.client_mode), ("remoteIp", self.remote_ip),
                           ("refreshedAtMs", self.refreshed_at_ms)):
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True)
class PairedDevice:
    """An approved device with its roles, approved scopes and per-role tokens."""

    device_id: str
    public_key: str
    roles: tuple[str, ...]
    scopes: tuple[str, ...]
    created_at_ms: int
    approved_at_ms: int
    approved_via: str
    tokens: dict[str, DeviceToken] = field(default_factory=dict)
    display_name: str | None = None
    operator_label: str | None = None
    platform: str | None = None
    device_family: str | None = None
    client_id: str | None = None
    client_mode: str | None = None
    remote_ip: str | None = None
    last_seen_at_ms: int | None = None

    def with_changes(self, **changes: Any) -> PairedDevice:
        return replace(self, **changes)

    def live_token(self, role: str) -> DeviceToken | None:
        tok = self.tokens.get(role)
        return tok if tok is not None and tok.revoked_at_ms is None else None

    def to_wire(self, connected: bool) -> dict[str, Any]:
        """``PairedDeviceView``: no bearer strings, plus ``connected``."""
        out: dict[str, Any] = {
            "deviceId": self.device_id, "publicKey": self.public_key,
            "role": self.roles[0] if self.roles else None, "roles": list(self.roles), "scopes": list(self.scopes),
            "createdAtMs": self.created_at_ms, "approvedAtMs": self.approved_at_ms, "approvedVia": self.approved_via,
            "tokens": [t.summary() for t in self.tokens.values()], "connected": connected,
        }
        for key, value in (("displayName", self.display_name), ("operatorLabel", self.operator_label),
                           ("platform", self.platform), ("deviceFamily", self.device_family),
                           ("clientId", self.client_id), ("clientMode", self.client_mode),
                           ("remoteIp", self.remote_ip), ("lastSeenAtMs", self.last_seen_at_ms)):
            if value is not None:
                out[key] = value
        return out

    def to_json(self) -> dict[str, Any]:
        """Storage form (includes bearer tokens)."""
        data = asdict(self)
        data["tokens"] = {role: asdict(tok) for role, tok in self.tokens.items()}
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> PairedDevice:
        tokens = {role: DeviceToken(**{**tok, "scopes": tuple(tok["scopes"])})
                  for role, tok in data.get("tokens", {}).items()}
        return PairedDevice(**{**data, "roles": tuple(data["roles"]), "scopes": tuple(data["scopes"]),
                               "tokens": tokens})


def pending_from_json(data: dict[str, Any]) -> PendingRequest:
    return PendingRequest(**{**data, "roles": tuple(data["roles"]), "scopes": tuple(data["scopes"])})
