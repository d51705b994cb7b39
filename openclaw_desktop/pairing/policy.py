"""Pure pairing decisions: is this device paired for what it asks, and may we approve
it silently? No I/O; the gateway feeds in the stored record and the connect's facts."""

from __future__ import annotations

from dataclasses import dataclass

from openclaw_desktop.protocol.scopes import ROLE_OPERATOR, scopes_cover

from .records import PairedDevice

REQUIREMENT_TEXT = {
    "not-paired": "device is not approved yet",
    "role-upgrade": "device is asking for a higher role than currently approved",
    "scope-upgrade": "device is asking for more scopes than currently approved",
    "metadata-upgrade": "device identity changed and must be re-approved",
}


@dataclass(frozen=True, slots=True)
class PairingDecision:
    """``reason`` is None when the device is already paired for the request."""

    reason: str | None
    silent: bool = False


def decide_pairing(paired: PairedDevice | None, public_key_raw_b64: str, role: str, scopes: tuple[str, ...],
                   *, local: bool, auto_approve_local: bool, secret_proved: bool) -> PairingDecision:
    """Decide whether a verified device needs (and may silently get) an approval.

    Silent local approval covers first pairing and role upgrades; scope upgrades only
    when the connect also proved the shared secret (or auth mode is ``none``).
    """
    if paired is None or paired.public_key != public_key_raw_b64:
        reason = "not-paired"
    elif role not in paired.roles:
        reason = "role-upgrade"
    elif role == ROLE_OPERATOR and not scopes_cover(scopes, paired.scopes):
        reason = "scope-upgrade"
    else:
        return PairingDecision(None)
    silent = local and auto_approve_local and (reason != "scope-upgrade" or secret_proved)
    return PairingDecision(reason, silent)
