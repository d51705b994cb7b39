"""Bootstrap tokens: profiles, the stored grant and the pure redemption rules.

A bootstrap token is the single-use bearer inside a setup code. It is valid for 10
minutes, bound to a profile (roles + operator scopes), bound to the first device that
presents it, and consumed by the first successful handshake. No I/O here; the
SQLite-backed store is :mod:`.bootstrap_store`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from openclaw_desktop.protocol import scopes as S

from .setup_code import ACCESS_FULL, ACCESS_LIMITED, ACCESS_NODE

BOOTSTRAP_TOKEN_TTL_MS = 10 * 60 * 1000

PROFILE_VOICE_NODE = "voice-node"
"""A room or embedded voice device: node role plus read and Talk as operator."""


@dataclass(frozen=True, slots=True)
class BootstrapProfile:
    """What a setup code hands off: roles, operator scopes and the ``access`` label.

    ``name`` is the ``bootstrapProfile`` value (stored with the token); ``access`` is
    the label reported by ``device.pair.setupCode`` and the completion events, which
    only knows ``full``/``limited``/``node`` (a voice node reports ``limited``).
    """

    name: str
    roles: tuple[str, ...]
    scopes: tuple[str, ...]
    access: str

    def allows(self, role: str, scopes: tuple[str, ...]) -> bool:
        """May a connect asking for ``role``/``scopes`` redeem a token of this profile?"""
        if role not in self.roles:
            return False
        return role != S.ROLE_OPERATOR or S.scopes_cover(scopes, self.scopes)


_LIMITED_SCOPES = (S.APPROVALS, S.QUESTIONS, S.READ, S.TALK_SECRETS, S.WRITE)
_BOTH_ROLES = (S.ROLE_NODE, S.ROLE_OPERATOR)
PROFILES: dict[str, BootstrapProfile] = {
    ACCESS_FULL: BootstrapProfile(ACCESS_FULL, _BOTH_ROLES, (S.ADMIN, *_LIMITED_SCOPES), ACCESS_FULL),
    ACCESS_LIMITED: BootstrapProfile(ACCESS_LIMITED, _BOTH_ROLES, _LIMITED_SCOPES, ACCESS_LIMITED),
    ACCESS_NODE: BootstrapProfile(ACCESS_NODE, (S.ROLE_NODE,), (), ACCESS_NODE),
    PROFILE_VOICE_NODE: BootstrapProfile(PROFILE_VOICE_NODE, _BOTH_ROLES, (S.READ, S.TALK), ACCESS_LIMITED),
}


def profile_from_row(name: str, roles: tuple[str, ...], scopes: tuple[str, ...]) -> BootstrapProfile:
    """Rebuild a stored token's profile (roles and scopes as they were minted)."""
    known = PROFILES.get(name)
    return BootstrapProfile(name, roles, scopes, known.access if known else ACCESS_LIMITED)


def token_hash(token: str) -> str:
    """Storage key: the SHA-256 of the bearer, so the database never holds a live token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class BootstrapGrant:
    """One minted bootstrap token as stored (without the bearer string)."""

    token_hash: str
    setup_id: str
    profile: BootstrapProfile
    issued_at_ms: int
    expires_at_ms: int
    device_id: str | None = None
    public_key: str | None = None
    consumed_at_ms: int | None = None


def redeem_problem(grant: BootstrapGrant | None, device_id: str, public_key: str, role: str,
                   scopes: tuple[str, ...], now_ms: int) -> str | None:
    """Why this connect may not use the token (None: it may). Reasons are for logs only;
    the wire error is always ``AUTH_BOOTSTRAP_TOKEN_INVALID``."""
    if grant is None:
        return "unknown"
    if grant.consumed_at_ms is not None:
        return "consumed"
    if now_ms >= grant.expires_at_ms:
        return "expired"
    if grant.device_id is not None and (grant.device_id != device_id or grant.public_key != public_key):
        return "bound to another device"
    if not grant.profile.allows(role, scopes):
        return "role or scopes outside the profile"
    return None


_IOS_PLATFORM = re.compile(r"^(ios|ipados)(\s|$)")
_ANDROID_PLATFORM = re.compile(r"^android(\s|$)")
_ESP32_PLATFORM = re.compile(r"^esp32(\s|$)")


def is_official_app(client_id: str, platform: str | None, device_family: str | None,
                    profile: BootstrapProfile) -> bool:
    """Does the client look like an official app that a setup code may pair silently?

    The iOS and Android apps must also report a matching platform and device family;
    the node host qualifies for any profile that includes the node role, except that a
    voice-node code (which also hands off an operator token) pairs silently only the
    embedded voice node class: ``node-host`` on platform ``esp32…``, family ``esp32``.
    """
    plat = (platform or "").strip().lower()
    family = (device_family or "").strip().lower()
    if profile.name == PROFILE_VOICE_NODE:
        return client_id == "node-host" and bool(_ESP32_PLATFORM.match(plat)) and family == "esp32"
    if client_id == "openclaw-ios":
        return bool(_IOS_PLATFORM.match(plat)) and family in ("iphone", "ipad", "ios")
    if client_id == "openclaw-android":
        return bool(_ANDROID_PLATFORM.match(plat)) and family == "android"
    if client_id == "node-host":
        return S.ROLE_NODE in profile.roles
    return False


DELIVERY_PENDING = "pending"
"""Recorded during the handshake; hello-ok not sent yet."""
DELIVERY_CONFIRMED = "confirmed"
"""hello-ok (with the handed-off tokens) was written to an open socket."""
DELIVERY_UNCERTAIN = "uncertain"
"""The socket was closing or closed when hello-ok went out: the device may lack its tokens."""

# A completion still pending after this long belongs to a handshake that never reached
# its ready hook (the gateway stopped mid-handoff): report it as uncertain.
PENDING_GRACE_MS = 30_000


@dataclass(frozen=True, slots=True)
class SetupCompletion:
    """A setup code that was used: what ``device.pair.setupStatus`` reports."""

    setup_id: str
    device_id: str
    access: str
    ts: int
    device_name: str | None = None
    delivery: str = DELIVERY_PENDING

    def to_wire(self) -> dict[str, object]:
        out: dict[str, object] = {"setupId": self.setup_id, "deviceId": self.device_id, "access": self.access,
                                  "ts": self.ts}
        if self.device_name:
            out["deviceName"] = self.device_name
        return out


def setup_status(completion: SetupCompletion | None, now_ms: int) -> dict[str, object]:
    """The ``device.pair.setupStatus`` result: ``{completion}`` once hello-ok was
    delivered, ``{deliveryUncertain}`` when it may not have been, ``{}`` while unknown."""
    if completion is None:
        return {}
    if completion.delivery == DELIVERY_CONFIRMED:
        return {"completion": completion.to_wire()}
    if completion.delivery == DELIVERY_UNCERTAIN or now_ms - completion.ts >= PENDING_GRACE_MS:
        return {"deliveryUncertain": completion.to_wire()}
    return {}
