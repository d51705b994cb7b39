"""Sans-I/O rules of the node client: invoke parsing, results, reconnect plans, backoff."""

from __future__ import annotations

import json

import pytest

from openclaw_desktop.nodes.desktop.wire import (
    Backoff,
    InvokeRequest,
    Next,
    parse_invoke_request,
    plan_after_connect_error,
    result_error,
    result_ok,
)


@pytest.mark.parametrize(("payload", "expected"), [
    ({"id": "i1", "nodeId": "n", "command": "system.which", "paramsJSON": '{"bins":["sh"]}', "timeoutMs": 40000},
     InvokeRequest("i1", "n", "system.which", {"bins": ["sh"]}, 40000)),
    ({"id": "i2", "command": "location.get", "paramsJSON": None},  # no params, no deadline given
     InvokeRequest("i2", "", "location.get", None, 30000)),
    ({"id": "i3", "command": "camera.list", "params": {"a": 1}, "timeoutMs": 0},  # legacy params object
     InvokeRequest("i3", "", "camera.list", {"a": 1}, 0)),
    ({"id": "i4", "command": "x", "paramsJSON": "{not json", "timeoutMs": -5},
     InvokeRequest("i4", "", "x", None, 30000, "paramsJSON is not valid JSON")),
    ({"id": "i5", "command": "x", "timeoutMs": True}, InvokeRequest("i5", "", "x", None, 30000)),
    ({"command": "x"}, None), ({"id": "", "command": "x"}, None), ({"id": "i", "command": 3}, None),
    (None, None), ("text", None),
])
def test_parse_invoke_request(payload, expected):
    assert parse_invoke_request(payload) == expected


def test_result_params():
    req = InvokeRequest("i1", "n", "location.get", None, 1000)
    ok = result_ok(req, "node-1", {"lat": 1.5, "name": "Wien"})
    assert ok == {"id": "i1", "nodeId": "node-1", "ok": True, "payloadJSON": '{"lat":1.5,"name":"Wien"}'}
    assert json.loads(ok["payloadJSON"]) == {"lat": 1.5, "name": "Wien"}
    assert result_error(req, "node-1", "LOCATION_TIMEOUT", "slow") == {
        "id": "i1", "nodeId": "node-1", "ok": False, "error": {"code": "LOCATION_TIMEOUT", "message": "slow"}}


def err(code: str, top: str = "INVALID_REQUEST", **details):
    return {"code": top, "message": f"{code.lower()} happened", "details": {"code": code, **details}}


@pytest.mark.parametrize(("error", "kw", "want"), [
    (err("PAIRING_REQUIRED", "NOT_PAIRED", requestId="req-1"), {}, (Next.PAUSE, False, False, "req-1")),
    (err("PAIRING_REQUIRED", "NOT_PAIRED", requestId="r", pauseReconnect=False), {}, (Next.RETRY, False, False, "r")),
    (err("PAIRING_REQUIRED", "NOT_PAIRED", recommendedNextStep="wait_then_retry"), {},
     (Next.RETRY, False, False, None)),
    (err("AUTH_DEVICE_TOKEN_MISMATCH"), {"has_shared_secret": True}, (Next.RETRY_NOW, True, False, None)),
    (err("AUTH_DEVICE_TOKEN_MISMATCH"), {}, (Next.PAUSE, True, False, None)),
    (err("AUTH_TOKEN_MISMATCH", canRetryWithDeviceToken=True), {"has_device_token": True},
     (Next.RETRY_NOW, False, True, None)),
    (err("AUTH_TOKEN_MISMATCH", canRetryWithDeviceToken=True), {"has_device_token": True, "tried_device_token": True},
     (Next.PAUSE, False, False, None)),
    (err("AUTH_TOKEN_MISMATCH"), {"has_device_token": True}, (Next.PAUSE, False, False, None)),
    (err("PROTOCOL_MISMATCH"), {}, (Next.PAUSE, False, False, None)),
    (err("AUTH_TOKEN_MISSING"), {}, (Next.PAUSE, False, False, None)),
    (err("DEVICE_AUTH_SIGNATURE_EXPIRED"), {}, (Next.RETRY, False, False, None)),  # clock skew may pass
    ({"code": "UNAVAILABLE", "message": "gateway starting; retry shortly"}, {}, (Next.RETRY, False, False, None)),
    ({}, {}, (Next.RETRY, False, False, None)),
])
def test_plan_after_connect_error(error, kw, want):
    args = {"has_shared_secret": False, "has_device_token": False, "tried_device_token": False, **kw}
    plan = plan_after_connect_error(error, **args)
    assert (plan.next, plan.clear_device_token, plan.use_device_token, plan.request_id) == want


def test_rate_limited_waits_as_told():
    error = {**err("AUTH_RATE_LIMITED"), "retryAfterMs": 2500}
    plan = plan_after_connect_error(error, has_shared_secret=True, has_device_token=False, tried_device_token=False)
    assert plan.next is Next.RETRY and plan.delay_ms == 2500


def test_backoff_doubles_to_the_cap_and_resets():
    backoff = Backoff(1.0, 30.0)
    assert [backoff.next_delay() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    backoff.reset()
    assert backoff.next_delay() == 1
