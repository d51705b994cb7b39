import json

import pytest

from openclaw_desktop.errors import GatewayError
from openclaw_desktop.protocol.frames import (
    encode_error,
    encode_event,
    encode_ok,
    error_request_id,
    parse_frame,
)


def test_parses_request_and_defaults_params():
    frame = parse_frame('{"type":"req","id":"1:a","method":"health"}')
    assert (frame.id, frame.method, frame.params) == ("1:a", "health", {})
    frame = parse_frame('{"type":"req","id":"x","method":"m","params":null,"extra":1}')
    assert frame.params == {}


@pytest.mark.parametrize(("text", "message", "rid"), [
    ("not json", "invalid request frame: malformed JSON", None),
    ("[1,2]", "invalid request frame: must be an object", None),
    ('{"type":"event","id":"7","method":"x"}', 'invalid request frame: type must be "req"', "7"),
    ('{"type":"req","id":"","method":"x"}', "invalid request frame: id must be a non-empty string", None),
    ('{"type":"req","id":"9","method":""}', "invalid request frame: method must be a non-empty string", "9"),
    ('{"type":"req","id":"9","method":"m","traceparent":"' + "x" * 129 + '"}', "traceparent", "9"),
    (b"\x00\x01", "binary frames", None),
    ("[" * 100000, "malformed JSON", None),
])
def test_rejects_bad_frames(text, message, rid):
    with pytest.raises(GatewayError) as exc:
        parse_frame(text)
    assert exc.value.code == "INVALID_REQUEST"
    assert message in exc.value.message
    assert error_request_id(exc.value) == rid


def test_encoders_emit_exact_shapes():
    assert json.loads(encode_ok("1", {"a": 1})) == {"type": "res", "id": "1", "ok": True, "payload": {"a": 1}}
    err = GatewayError("FORBIDDEN", "missing scope: operator.admin", {"code": "MISSING_SCOPE"})
    assert json.loads(encode_error("2", err)) == {"type": "res", "id": "2", "ok": False, "error": {
        "code": "FORBIDDEN", "message": "missing scope: operator.admin", "details": {"code": "MISSING_SCOPE"}}}
    assert json.loads(encode_event("tick", {"ts": 5}, seq=3)) == {
        "type": "event", "event": "tick", "payload": {"ts": 5}, "seq": 3}
    assert "seq" not in json.loads(encode_event("connect.challenge", {}))
