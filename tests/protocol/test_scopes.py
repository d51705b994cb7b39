import pytest

from openclaw_desktop.protocol import scopes as S


@pytest.mark.parametrize(("required", "granted", "ok"), [
    (S.READ, [S.ADMIN], True),
    (S.PAIRING, [S.ADMIN], True),
    (S.READ, [S.WRITE], True),
    (S.TALK, [S.WRITE], True),
    (S.SESSIONS_READ, [S.READ], True),
    (S.SESSIONS_READ, [S.SESSIONS_WRITE], True),
    (S.WRITE, [S.READ], False),
    (S.ADMIN, [S.WRITE, S.READ, S.PAIRING], False),
    (S.PAIRING, [S.READ], False),
    (S.APPROVALS, [], False),
    (S.READ, ["operator.unknown"], False),
])
def test_scope_satisfaction(required, granted, ok):
    assert S.scope_satisfied(required, granted) is ok


def test_authorize_messages_are_verbatim():
    assert S.authorize("health", S.ANY_ROLE, "node", []) is None
    err = S.authorize("chat.send", S.WRITE, "node", [])
    assert (err.code, err.message) == ("INVALID_REQUEST", "unauthorized role: node")
    err = S.authorize("node.event", S.NODE_ONLY, "operator", [S.ADMIN])
    assert err.message == "unauthorized role: operator"
    err = S.authorize("config.set", S.ADMIN, "operator", [S.READ])
    assert err.code == "FORBIDDEN" and err.message == "missing scope: operator.admin"
    assert err.details == {"code": "MISSING_SCOPE", "missingScope": S.ADMIN, "requiredScopes": [S.ADMIN]}


def test_normalize_keeps_order_and_drops_junk():
    assert S.normalize_scopes(["b", "a", "b", 3, "", None]) == ["b", "a"]
    assert S.normalize_scopes("operator.admin") == []
    assert S.operator_scopes_only([S.READ, "custom", "operator.bogus"]) == [S.READ]
