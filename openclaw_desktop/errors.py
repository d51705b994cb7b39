"""Root error type with OpenClaw's stable wire codes.

Imports nothing of ours; every layer (protocol, gateway, domain packages) raises
:class:`GatewayError` and the dispatcher turns it into a wire ``ErrorShape``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ErrorCode:
    """Top-level ``error.code`` values of the wire protocol."""

    INVALID_REQUEST = "INVALID_REQUEST"
    FORBIDDEN = "FORBIDDEN"
    UNAVAILABLE = "UNAVAILABLE"
    NOT_PAIRED = "NOT_PAIRED"
    NOT_LINKED = "NOT_LINKED"
    AGENT_TIMEOUT = "AGENT_TIMEOUT"
    APPROVAL_NOT_FOUND = "APPROVAL_NOT_FOUND"


class DetailCode:
    """``error.details.code`` values for connect failures (clients branch on them)."""

    AUTH_REQUIRED = "AUTH_REQUIRED"
    AUTH_UNAUTHORIZED = "AUTH_UNAUTHORIZED"
    AUTH_TOKEN_MISSING = "AUTH_TOKEN_MISSING"
    AUTH_TOKEN_MISMATCH = "AUTH_TOKEN_MISMATCH"
    AUTH_TOKEN_NOT_CONFIGURED = "AUTH_TOKEN_NOT_CONFIGURED"
    AUTH_PASSWORD_MISSING = "AUTH_PASSWORD_MISSING"
    AUTH_PASSWORD_MISMATCH = "AUTH_PASSWORD_MISMATCH"
    AUTH_PASSWORD_NOT_CONFIGURED = "AUTH_PASSWORD_NOT_CONFIGURED"
    AUTH_BOOTSTRAP_TOKEN_INVALID = "AUTH_BOOTSTRAP_TOKEN_INVALID"
    AUTH_DEVICE_TOKEN_MISMATCH = "AUTH_DEVICE_TOKEN_MISMATCH"
    AUTH_SCOPE_MISMATCH = "AUTH_SCOPE_MISMATCH"
    AUTH_RATE_LIMITED = "AUTH_RATE_LIMITED"
    PROTOCOL_MISMATCH = "PROTOCOL_MISMATCH"
    DEVICE_IDENTITY_REQUIRED = "DEVICE_IDENTITY_REQUIRED"
    DEVICE_AUTH_INVALID = "DEVICE_AUTH_INVALID"
    DEVICE_AUTH_DEVICE_ID_MISMATCH = "DEVICE_AUTH_DEVICE_ID_MISMATCH"
    DEVICE_AUTH_SIGNATURE_EXPIRED = "DEVICE_AUTH_SIGNATURE_EXPIRED"
    DEVICE_AUTH_NONCE_REQUIRED = "DEVICE_AUTH_NONCE_REQUIRED"
    DEVICE_AUTH_NONCE_MISMATCH = "DEVICE_AUTH_NONCE_MISMATCH"
    DEVICE_AUTH_SIGNATURE_INVALID = "DEVICE_AUTH_SIGNATURE_INVALID"
    DEVICE_AUTH_PUBLIC_KEY_INVALID = "DEVICE_AUTH_PUBLIC_KEY_INVALID"
    PAIRING_REQUIRED = "PAIRING_REQUIRED"
    MISSING_SCOPE = "MISSING_SCOPE"


@dataclass
class GatewayError(Exception):
    """An error that maps 1:1 onto the wire ``ErrorShape``.

    ``close_code``/``close_reason`` are set for handshake failures after which the
    socket must be closed (1008 for auth/pairing, 1002 for protocol mismatch).
    """

    code: str
    message: str
    details: dict[str, Any] | None = None
    retryable: bool | None = None
    retry_after_ms: int | None = None
    close_code: int | None = None
    close_reason: str | None = field(default=None)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def to_shape(self) -> dict[str, Any]:
        """The wire ``ErrorShape`` (closed schema: only known keys)."""
        shape: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            shape["details"] = self.details
        if self.retryable is not None:
            shape["retryable"] = self.retryable
        if self.retry_after_ms is not None:
            shape["retryAfterMs"] = self.retry_after_ms
        return shape


def invalid_request(message: str, details: dict[str, Any] | None = None) -> GatewayError:
    """Shorthand for the most common client error."""
    return GatewayError(ErrorCode.INVALID_REQUEST, message, details)


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names file, key and problem."""

    def __init__(self, path: str, key: str, problem: str) -> None:
        self.path, self.key, self.problem = path, key, problem
        where = f" at key '{key}'" if key else ""
        super().__init__(f"config error in {path}{where}: {problem}")
