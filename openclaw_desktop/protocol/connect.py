"""The ``connect`` request: lenient parsing and the protocol-range check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openclaw_desktop.errors import DetailCode, GatewayError, invalid_request

from .constants import (
    CLOSE_POLICY_VIOLATION,
    CLOSE_PROTOCOL_ERROR,
    MIN_NODE_PROTOCOL_VERSION,
    MIN_PROBE_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
)
from .device_auth import DeviceProof
from .scopes import ROLES, normalize_scopes


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """``connect.client``: who is connecting (any client id is accepted)."""

    id: str
    mode: str
    version: str = ""
    platform: str | None = None
    device_family: str | None = None
    display_name: str | None = None
    instance_id: str | None = None
    model_identifier: str | None = None


@dataclass(frozen=True, slots=True)
class AuthFields:
    """``connect.auth``: every credential is optional."""

    token: str | None = None
    password: str | None = None
    device_token: str | None = None
    bootstrap_token: str | None = None

    def signature_token(self) -> str:
        """The token a device signs: first of token, deviceToken, bootstrapToken."""
        return self.token or self.device_token or self.bootstrap_token or ""


@dataclass(frozen=True, slots=True)
class ConnectParams:
    """Parsed ``connect`` params. Unknown keys are ignored."""

    min_protocol: int
    max_protocol: int
    client: ClientInfo
    role: str
    scopes: tuple[str, ...]
    auth: AuthFields
    device: DeviceProof | None
    caps: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    permissions: dict[str, bool] = field(default_factory=dict)
    path_env: str | None = None


def _closing(err: GatewayError, code: int = CLOSE_POLICY_VIOLATION) -> GatewayError:
    err.close_code, err.close_reason = code, err.message
    return err


def parse_connect(params: Any) -> ConnectParams:
    """Parse ``connect`` params; raises ``invalid connect params: …`` (close 1008)."""
    if not isinstance(params, dict):
        raise _closing(invalid_request("invalid connect params: must be an object"))
    lo, hi = params.get("minProtocol"), params.get("maxProtocol")
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in (lo, hi)):
        raise _closing(invalid_request("invalid connect params: minProtocol and maxProtocol must be integers >= 1"))
    client = params.get("client")
    if not isinstance(client, dict) or not _str(client.get("id")) or not _str(client.get("mode")):
        raise _closing(invalid_request("invalid connect params: client.id and client.mode are required"))
    role = params.get("role", "operator")
    if role is None:
        role = "operator"
    if role not in ROLES:
        raise _closing(invalid_request("invalid role"))
    auth = params.get("auth") if isinstance(params.get("auth"), dict) else {}
    try:
        device = DeviceProof.parse(params.get("device"))
    except GatewayError as err:
        raise _closing(err) from None
    permissions = params.get("permissions")
    return ConnectParams(
        min_protocol=lo,
        max_protocol=hi,
        client=ClientInfo(
            id=client["id"], mode=client["mode"], version=_str(client.get("version")) or "",
            platform=_str(client.get("platform")), device_family=_str(client.get("deviceFamily")),
            display_name=_str(client.get("displayName")), instance_id=_str(client.get("instanceId")),
            model_identifier=_str(client.get("modelIdentifier")),
        ),
        role=role,
        scopes=tuple(normalize_scopes(params.get("scopes"))),
        auth=AuthFields(_str(auth.get("token")), _str(auth.get("password")),
                        _str(auth.get("deviceToken")), _str(auth.get("bootstrapToken"))),
        device=device,
        caps=tuple(normalize_scopes(params.get("caps"))),
        commands=tuple(normalize_scopes(params.get("commands"))),
        permissions={k: v for k, v in permissions.items() if isinstance(v, bool)} if isinstance(permissions, dict) else {},
        path_env=_str(params.get("pathEnv")),
    )


def check_protocol(p: ConnectParams) -> None:
    """Accept v4, probes down to v3, and v3 node connects; else PROTOCOL_MISMATCH (close 1002)."""
    lo, hi = p.min_protocol, p.max_protocol
    if lo <= PROTOCOL_VERSION <= hi:
        return
    if p.client.mode == "probe" and hi >= MIN_PROBE_PROTOCOL_VERSION and lo <= PROTOCOL_VERSION:
        return
    if p.role == "node" and p.client.mode == "node" and lo <= MIN_NODE_PROTOCOL_VERSION <= hi:
        return
    err = invalid_request("protocol mismatch", {
        "code": DetailCode.PROTOCOL_MISMATCH, "clientMinProtocol": lo, "clientMaxProtocol": hi,
        "expectedProtocol": PROTOCOL_VERSION, "minimumProbeProtocol": MIN_PROBE_PROTOCOL_VERSION,
    })
    raise _closing(err, CLOSE_PROTOCOL_ERROR)
