import pytest

from openclaw_desktop.errors import GatewayError
from openclaw_desktop.protocol.auth import (
    auth_failure,
    check_shared_secret,
    truncate_reason,
)
from openclaw_desktop.protocol.connect import AuthFields, check_protocol, parse_connect
from openclaw_desktop.protocol.ratelimit import AuthRateLimiter


def params(**kw):
    p = {"minProtocol": 4, "maxProtocol": 4, "client": {"id": "cli", "mode": "cli", "version": "1"}}
    p.update(kw)
    return p


def test_parse_is_lenient_on_unknown_fields():
    p = parse_connect(params(futureField=1, scopes=["operator.read", 5], role=None))
    assert p.role == "operator" and p.scopes == ("operator.read",) and p.device is None


@pytest.mark.parametrize("bad", [None, [], params(minProtocol="4"), params(client={"id": "cli"}),
                                 params(role="admin"), params(device={"id": "x"})])
def test_parse_rejects_bad_params(bad):
    with pytest.raises(GatewayError) as exc:
        parse_connect(bad)
    assert exc.value.code == "INVALID_REQUEST" and exc.value.close_code == 1008


@pytest.mark.parametrize(("lo", "hi", "role", "mode", "ok"), [
    (4, 4, "operator", "cli", True), (3, 4, "operator", "ui", True), (3, 3, "node", "node", True),
    (3, 3, "operator", "cli", False), (5, 6, "operator", "cli", False), (3, 3, "operator", "probe", True),
    (1, 2, "node", "node", False),
])
def test_protocol_range(lo, hi, role, mode, ok):
    p = parse_connect(params(minProtocol=lo, maxProtocol=hi, role=role, client={"id": "x", "mode": mode}))
    if ok:
        check_protocol(p)
        return
    with pytest.raises(GatewayError) as exc:
        check_protocol(p)
    assert exc.value.message == "protocol mismatch" and exc.value.close_code == 1002
    assert exc.value.details == {"code": "PROTOCOL_MISMATCH", "clientMinProtocol": lo, "clientMaxProtocol": hi,
                                 "expectedProtocol": 4, "minimumProbeProtocol": 3}


@pytest.mark.parametrize(("mode", "auth", "ok", "reason"), [
    ("token", AuthFields(token="s3cret"), True, None),
    ("token", AuthFields(password="s3cret"), True, None),  # either field may carry it
    ("token", AuthFields(token="nope"), False, "token_mismatch"),
    ("token", AuthFields(), False, "token_missing"),
    ("password", AuthFields(password="s3cret"), True, None),
    ("password", AuthFields(password="x"), False, "password_mismatch"),
    ("none", AuthFields(), True, None),
])
def test_shared_secret(mode, auth, ok, reason):
    result = check_shared_secret(mode, "s3cret", "s3cret", auth)
    assert (result.ok, result.reason) == (ok, reason)


def test_unconfigured_secret_is_reported():
    assert check_shared_secret("token", None, None, AuthFields(token="x")).reason == "token_missing_config"


def test_auth_failure_shapes():
    err = auth_failure("token_mismatch", has_device=True)
    assert err.details["recommendedNextStep"] == "retry_with_device_token"
    assert err.details["canRetryWithDeviceToken"] is True
    assert err.message.startswith("unauthorized: gateway token mismatch")
    err = auth_failure("rate_limited", retry_after_ms=5000)
    assert err.retryable and err.retry_after_ms == 5000 and err.details["code"] == "AUTH_RATE_LIMITED"
    assert err.close_code == 1008
    assert len(truncate_reason("é" * 100).encode()) <= 123


def test_rate_limiter_locks_out_and_recovers():
    rl = AuthRateLimiter(max_attempts=3, window_ms=1000, lockout_ms=5000)
    for t in (0, 10, 20):
        assert rl.retry_after_ms("1.2.3.4", t) is None
        rl.record_failure("1.2.3.4", t)
    assert rl.retry_after_ms("1.2.3.4", 100) == 4920
    assert rl.retry_after_ms("5.6.7.8", 100) is None
    assert rl.retry_after_ms("1.2.3.4", 5020) is None


def test_rate_limiter_window_slides_and_is_bounded():
    rl = AuthRateLimiter(max_attempts=3, window_ms=1000, lockout_ms=5000, max_tracked=2)
    rl.record_failure("a", 0)
    rl.record_failure("a", 500)
    rl.record_failure("a", 1600)  # the first fell out of the window
    assert rl.retry_after_ms("a", 1600) is None
    rl.record_failure("b", 0)
    rl.record_failure("c", 0)
    assert len(rl._failures) == 2
