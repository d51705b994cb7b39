"""Shared-secret evaluation and the auth-failure error shapes clients branch on."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from openclaw_desktop.errors import DetailCode, GatewayError, invalid_request

from .connect import AuthFields
from .constants import CLOSE_POLICY_VIOLATION

AUTH_MODES = ("token", "password", "none")

_NEXT_STEP = {
    "token_missing": "update_auth_configuration",
    "token_missing_config": "update_auth_configuration",
    "password_missing": "update_auth_configuration",
    "password_missing_config": "update_auth_configuration",
    "token_mismatch": "update_auth_credentials",
    "password_mismatch": "update_auth_credentials",
    "device_token_mismatch": "update_auth_credentials",
    "bootstrap_token_invalid": "update_auth_credentials",
    "scope_mismatch": "review_auth_configuration",
    "rate_limited": "wait_then_retry",
}

_FAILURES = {
    # reason: (detail code, message)
    "token_missing": (DetailCode.AUTH_TOKEN_MISSING,
                      "unauthorized: gateway token missing (set gateway.auth.token or pass --token)"),
    "token_missing_config": (DetailCode.AUTH_TOKEN_NOT_CONFIGURED,
                             "unauthorized: gateway token not configured on the gateway"),
    "token_mismatch": (DetailCode.AUTH_TOKEN_MISMATCH,
                       "unauthorized: gateway token mismatch (check the token in your client config)"),
    "password_missing": (DetailCode.AUTH_PASSWORD_MISSING, "unauthorized: gateway password missing"),
    "password_missing_config": (DetailCode.AUTH_PASSWORD_NOT_CONFIGURED,
                                "unauthorized: gateway password not configured on the gateway"),
    "password_mismatch": (DetailCode.AUTH_PASSWORD_MISMATCH, "unauthorized: gateway password mismatch"),
    "device_token_mismatch": (DetailCode.AUTH_DEVICE_TOKEN_MISMATCH,
                              "unauthorized: device token mismatch (rotate/reissue device token)"),
    "bootstrap_token_invalid": (DetailCode.AUTH_BOOTSTRAP_TOKEN_INVALID,
                                "unauthorized: bootstrap token invalid or expired"),
    "scope_mismatch": (DetailCode.AUTH_SCOPE_MISMATCH,
                       "unauthorized: requested scopes exceed the device token's scopes"),
    "rate_limited": (DetailCode.AUTH_RATE_LIMITED, "unauthorized: too many failed attempts; try again later"),
}


def secrets_equal(presented: str, expected: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class SecretCheck:
    """Outcome of the shared-secret step: ``ok``; or the failure ``reason``; or not attempted."""

    ok: bool
    reason: str | None  # None with ok=False: no shared secret was presented
    method: str = "none"


def check_shared_secret(mode: str, token: str | None, password: str | None, auth: AuthFields) -> SecretCheck:
    """Evaluate ``auth.token``/``auth.password`` against the configured secret.

    Either field may carry the secret; the mode decides which configured secret counts.
    """
    if mode == "none":
        return SecretCheck(True, None, "none")
    expected = token if mode == "token" else password
    presented = [v for v in (auth.token, auth.password) if v]
    if not presented:
        missing = "token_missing" if mode == "token" else "password_missing"
        return SecretCheck(False, missing)
    if not expected:
        return SecretCheck(False, f"{mode}_missing_config")
    if any(secrets_equal(v, expected) for v in presented):
        return SecretCheck(True, None, mode)
    return SecretCheck(False, f"{mode}_mismatch")


def auth_failure(reason: str, *, has_device: bool = False, retry_after_ms: int | None = None) -> GatewayError:
    """The wire error for an auth failure (INVALID_REQUEST, then close 1008)."""
    detail_code, message = _FAILURES.get(reason, (DetailCode.AUTH_UNAUTHORIZED, "unauthorized"))
    details: dict[str, object] = {"code": detail_code, "authReason": reason, "canRetryWithDeviceToken": False}
    step = _NEXT_STEP.get(reason)
    if reason == "token_mismatch" and has_device:
        step = "retry_with_device_token"
        details["canRetryWithDeviceToken"] = True
    if step:
        details["recommendedNextStep"] = step
    err = invalid_request(message, details)
    if reason == "rate_limited":
        err.retryable, err.retry_after_ms = True, retry_after_ms
    err.close_code, err.close_reason = CLOSE_POLICY_VIOLATION, truncate_reason(message)
    return err


def truncate_reason(text: str, limit: int = 123) -> str:
    """WebSocket close reasons are limited to 123 bytes of UTF-8."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")
