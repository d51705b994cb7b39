"""Admission of one ``connect`` request: protocol, credentials, device proof, pairing.

Follows the reference's order (credential evaluation, missing-device rules, device
proof, unauthorized, pairing, device token) and returns the ``hello-ok`` payload, or
raises GatewayError carrying the wire error and the close code.

Credentials are tried in the reference's order: shared secret, then (only with a
verified device) a setup-code bootstrap token, then a device token. A bootstrap connect
from an official app is paired silently with the token's profile and receives every
role's device token in one hello (``auth.deviceTokens``); the token is then consumed.
"""

from __future__ import annotations

import logging
from typing import Any

from openclaw_desktop.errors import DetailCode, ErrorCode, GatewayError
from openclaw_desktop.pairing.bootstrap import (
    BootstrapGrant,
    SetupCompletion,
    is_official_app,
)
from openclaw_desktop.pairing.policy import REQUIREMENT_TEXT, decide_pairing
from openclaw_desktop.pairing.records import PairedDevice, PendingRequest
from openclaw_desktop.protocol import scopes as S
from openclaw_desktop.protocol.auth import (
    auth_failure,
    check_shared_secret,
    truncate_reason,
)
from openclaw_desktop.protocol.connect import ConnectParams, check_protocol
from openclaw_desktop.protocol.constants import (
    CLOSE_POLICY_VIOLATION,
    MAIN_KEY,
    MAIN_SESSION_KEY,
    MAX_BUFFERED_BYTES,
    MAX_PAYLOAD_BYTES,
    PROTOCOL_VERSION,
    TICK_INTERVAL_MS,
)
from openclaw_desktop.protocol.device_auth import (
    SignedFields,
    b64url_encode,
    verify_device_proof,
)

from .connection import Connection
from .services import GatewayServices

log = logging.getLogger("gateway.handshake")

# Device-less operators keep their requested scopes only for these local clients.
_TRUSTED_LOCAL_CLIENTS = {("cli", "cli"), ("gateway-client", "backend")}


async def admit(conn: Connection, p: ConnectParams, svc: GatewayServices) -> dict[str, Any]:
    """Authenticate and pair; on success fill ``conn`` and return the hello-ok auth block."""
    check_protocol(p)
    now = svc.clock_ms()
    gw = svc.config.settings.gateway
    limited = not (conn.local and gw.auth.rate_limit.exempt_loopback)
    if limited:
        wait = svc.rate_limiter.retry_after_ms(conn.remote_ip, now)
        if wait is not None:
            raise auth_failure("rate_limited", retry_after_ms=wait)

    secret = check_shared_secret(gw.auth.mode, gw.auth.token, gw.auth.password, p.auth)
    raw_key: bytes | None = None
    if p.device is not None:
        fields = SignedFields("", p.client.id, p.client.mode, p.role, p.scopes, 0, p.auth.signature_token(), "",
                              p.client.platform, p.client.device_family)
        raw_key = verify_device_proof(p.device, fields, conn.nonce, now)
    elif p.role == S.ROLE_NODE:
        err = GatewayError(ErrorCode.NOT_PAIRED, "device identity required",
                           {"code": DetailCode.DEVICE_IDENTITY_REQUIRED})
        err.close_code, err.close_reason = CLOSE_POLICY_VIOLATION, "device identity required"
        raise err

    method = secret.method if secret.ok else None
    pub = b64url_encode(raw_key or b"")
    bootstrap: BootstrapGrant | None = None
    if method is None and p.device is not None and p.auth.bootstrap_token:
        bootstrap, problem = await svc.pairing.bootstrap.redeem(
            p.auth.bootstrap_token, p.device.id, pub, p.role, p.scopes if p.role == S.ROLE_OPERATOR else (), now)
        if bootstrap is not None:
            method = "bootstrap-token"
        else:
            log.info("bootstrap token refused", extra={"fields": {"deviceId": p.device.id, "reason": problem}})
    device_token = None
    if method is None and p.device is not None:
        candidate = p.auth.device_token or p.auth.token
        if candidate:
            device_token = svc.pairing.check_device_token(p.device.id, pub, p.role, candidate)
            if device_token is not None:
                if p.role == S.ROLE_OPERATOR and not S.scopes_cover(p.scopes, device_token.scopes):
                    raise auth_failure("scope_mismatch")
                method = "device-token"
    if method is None:
        if p.auth.device_token and not p.auth.token:
            reason = "device_token_mismatch"
        elif p.auth.bootstrap_token and p.device is not None and not (p.auth.token or p.auth.password):
            reason = "bootstrap_token_invalid"
        else:
            reason = secret.reason or "token_missing"
        if limited and (p.auth.token or p.auth.password or p.auth.bootstrap_token):
            svc.rate_limiter.record_failure(conn.remote_ip, now)
        raise auth_failure(reason, has_device=p.device is not None)
    if limited:
        svc.rate_limiter.record_success(conn.remote_ip)

    scopes = tuple(p.scopes) if p.role == S.ROLE_OPERATOR else ()
    auth: dict[str, Any] = {"method": method, "role": p.role}
    if p.device is None:
        if not (conn.local and (p.client.id, p.client.mode) in _TRUSTED_LOCAL_CLIENTS):
            scopes = ()  # device-less shared-secret operators get no scopes
    elif bootstrap is not None:
        await _bootstrap_handoff(conn, p, pub, bootstrap, auth, svc, now)
    else:
        await _ensure_paired(conn, p, pub, secret.ok, svc, now)
        tok = await svc.pairing.ensure_token(p.device.id, p.role, now)
        auth["deviceToken"], auth["issuedAtMs"] = tok.token, tok.rotated_at_ms or tok.created_at_ms
        conn.device_id = p.device.id
    auth["scopes"] = list(scopes)

    conn.role, conn.scopes, conn.client, conn.auth_method = p.role, scopes, p.client, method
    conn.caps, conn.commands, conn.connected_at_ms = p.caps, p.commands, now
    return auth


async def _ensure_paired(conn: Connection, p: ConnectParams, pub: str, secret_ok: bool, svc: GatewayServices,
                         now: int) -> None:
    assert p.device is not None
    paired = svc.pairing.paired(p.device.id)
    gw = svc.config.settings.gateway
    decision = decide_pairing(paired, pub, p.role, p.scopes if p.role == S.ROLE_OPERATOR else (),
                              local=conn.local, auto_approve_local=gw.auto_approve_local, secret_proved=secret_ok)
    if decision.reason is None:
        return
    request = PendingRequest(
        request_id="", device_id=p.device.id, public_key=pub, role=p.role, roles=(p.role,),
        scopes=tuple(S.operator_scopes_only(p.scopes)) if p.role == S.ROLE_OPERATOR else (), ts=now,
        display_name=p.client.display_name, platform=p.client.platform, device_family=p.client.device_family,
        client_id=p.client.id, client_mode=p.client.mode, remote_ip=conn.remote_ip,
        silent=decision.silent, is_repair=paired is not None, reason=decision.reason,
    )
    if decision.silent:
        await svc.pairing.approve_silently(request, now)
        log.info("device paired silently", extra={"fields": {"deviceId": p.device.id, "role": p.role}})
        svc.hub.broadcast("device.pair.changed", {})
        return
    raise await _pairing_required(p, request, paired, svc, now)


async def _pairing_required(p: ConnectParams, request: PendingRequest, paired: PairedDevice | None,
                            svc: GatewayServices, now: int, *, wait_then_retry: bool = False) -> GatewayError:
    """Create or refresh the pending request, announce it, and build the NOT_PAIRED error."""
    assert p.device is not None
    pending, created, superseded = await svc.pairing.upsert_pending(request, now)
    for old in superseded:
        svc.hub.broadcast("device.pair.resolved", {"requestId": old.request_id, "deviceId": old.device_id,
                                                   "decision": "rejected", "ts": now})
    if created:
        svc.hub.broadcast("device.pair.requested", pending.to_wire())
    requirement = REQUIREMENT_TEXT[request.reason]
    details: dict[str, Any] = {
        "code": DetailCode.PAIRING_REQUIRED, "reason": request.reason, "requestId": pending.request_id,
        "remediationHint": f"approve this device on the gateway: openclaw devices approve {pending.request_id}",
        "deviceId": p.device.id, "requestedRole": p.role, "requestedScopes": list(p.scopes),
    }
    if paired is not None:
        details["approvedRoles"], details["approvedScopes"] = list(paired.roles), list(paired.scopes)
    if wait_then_retry:
        # The setup code stays valid for this device: once an owner approves, the
        # client's next retry completes the handoff, so it must keep retrying.
        details.update(recommendedNextStep="wait_then_retry", retryable=True, pauseReconnect=False)
    err = GatewayError(ErrorCode.NOT_PAIRED, f"pairing required: {requirement}", details)
    if wait_then_retry:
        err.retryable = True
    err.close_code = CLOSE_POLICY_VIOLATION
    err.close_reason = truncate_reason(f"pairing required: {requirement} (requestId: {pending.request_id})")
    return err


async def _bootstrap_handoff(conn: Connection, p: ConnectParams, pub: str, grant: BootstrapGrant,
                             auth: dict[str, Any], svc: GatewayServices, now: int) -> None:
    """Pair (silently for official apps), consume the token, hand off every role's token.

    Fills ``auth`` with ``deviceToken`` (the connecting role) and ``deviceTokens`` (the
    profile's other roles, typically the phone's operator token), and announces
    ``device.pair.setup.completed`` once the hello is on its way.
    """
    assert p.device is not None
    profile = grant.profile
    paired = svc.pairing.paired(p.device.id)
    covered = (paired is not None and paired.public_key == pub and set(profile.roles) <= set(paired.roles)
               and S.scopes_cover(profile.scopes, paired.scopes))
    request_scopes = tuple(S.operator_scopes_only(profile.scopes))
    if not covered and is_official_app(p.client.id, p.client.platform, p.client.device_family, profile):
        request = PendingRequest(
            request_id="", device_id=p.device.id, public_key=pub, role=p.role, roles=profile.roles,
            scopes=request_scopes, ts=now, display_name=p.client.display_name, platform=p.client.platform,
            device_family=p.client.device_family, client_id=p.client.id, client_mode=p.client.mode,
            remote_ip=conn.remote_ip, silent=True, is_repair=paired is not None, reason="not-paired")
        paired = await svc.pairing.approve_silently(request, now, via="bootstrap")
        log.info("device paired by setup code", extra={"fields": {"deviceId": p.device.id, "access": profile.access}})
        svc.hub.broadcast("device.pair.changed", {})
    elif not covered:
        decision = decide_pairing(paired, pub, p.role, p.scopes if p.role == S.ROLE_OPERATOR else (),
                                  local=False, auto_approve_local=False, secret_proved=False)
        if decision.reason is not None:
            # Not an official app: an owner approves (with the profile's grants) and the
            # client's retry with the same, still unconsumed, setup code completes.
            request = PendingRequest(
                request_id="", device_id=p.device.id, public_key=pub, role=p.role, roles=profile.roles,
                scopes=request_scopes, ts=now, display_name=p.client.display_name, platform=p.client.platform,
                device_family=p.client.device_family, client_id=p.client.id, client_mode=p.client.mode,
                remote_ip=conn.remote_ip, is_repair=paired is not None, reason=decision.reason)
            raise await _pairing_required(p, request, paired, svc, now, wait_then_retry=True)
    assert paired is not None
    if not await svc.pairing.bootstrap.consume(grant, now):
        raise auth_failure("bootstrap_token_invalid")
    tok = await svc.pairing.ensure_token(p.device.id, p.role, now)
    auth["deviceToken"], auth["issuedAtMs"] = tok.token, tok.rotated_at_ms or tok.created_at_ms
    handed: list[dict[str, Any]] = []
    for role in profile.roles:
        if role != p.role and role in paired.roles:
            extra = await svc.pairing.ensure_token(p.device.id, role, now)
            handed.append({"deviceToken": extra.token, "role": role, "scopes": list(extra.scopes),
                           "issuedAtMs": extra.rotated_at_ms or extra.created_at_ms})
    if handed:
        auth["deviceTokens"] = handed
    conn.device_id = p.device.id
    completion = SetupCompletion(grant.setup_id, p.device.id, profile.access, now,
                                 p.client.display_name or paired.display_name)
    await svc.pairing.bootstrap.record_completion(completion)
    # Announced by the setup handlers' ready hook, i.e. only after hello-ok was sent.
    svc.pairing.bootstrap.unannounced[conn.conn_id] = completion


def hello_ok(conn: Connection, auth: dict[str, Any], svc: GatewayServices, methods: list[str], events: list[str],
             presence: list[dict[str, Any]], health: dict[str, Any]) -> dict[str, Any]:
    """The ``hello-ok`` payload with every required field."""
    settings = svc.config.settings
    return {
        "type": "hello-ok",
        "protocol": PROTOCOL_VERSION,
        "server": {"version": svc.version, "connId": conn.conn_id, "bootId": svc.boot_id},
        "features": {"methods": methods, "events": events},
        "snapshot": {
            "presence": presence, "health": health, "stateVersion": svc.hub.state_version(),
            "uptimeMs": svc.uptime_ms(), "configPath": str(svc.config.paths.config_path),
            "stateDir": str(svc.config.paths.state_dir),
            "sessionDefaults": {"defaultAgentId": "main", "mainKey": MAIN_KEY, "mainSessionKey": MAIN_SESSION_KEY},
            "authMode": settings.gateway.auth.mode,
        },
        "auth": auth,
        "policy": {"maxPayload": MAX_PAYLOAD_BYTES, "maxBufferedBytes": MAX_BUFFERED_BYTES,
                   "tickIntervalMs": TICK_INTERVAL_MS},
    }
