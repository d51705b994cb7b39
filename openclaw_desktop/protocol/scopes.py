"""Roles, operator scopes and the single authorization rule for methods.

The dispatcher calls :func:`authorize` once per request; handlers never re-check.
"""

from __future__ import annotations

from collections.abc import Iterable

from openclaw_desktop.errors import DetailCode, ErrorCode, GatewayError, invalid_request

ROLE_OPERATOR = "operator"
ROLE_NODE = "node"
ROLES = (ROLE_OPERATOR, ROLE_NODE)

ADMIN = "operator.admin"
READ = "operator.read"
WRITE = "operator.write"
SESSIONS_READ = "operator.sessions.read"
SESSIONS_WRITE = "operator.sessions.write"
APPROVALS = "operator.approvals"
QUESTIONS = "operator.questions"
PAIRING = "operator.pairing"
TALK = "operator.talk"
TALK_SECRETS = "operator.talk.secrets"

KNOWN_OPERATOR_SCOPES = frozenset(
    {ADMIN, READ, WRITE, SESSIONS_READ, SESSIONS_WRITE, APPROVALS, QUESTIONS, PAIRING, TALK, TALK_SECRETS}
)

# Pseudo-scopes used in the method table.
NODE_ONLY = "node"
ANY_ROLE = "any"

# What a granted scope implies beyond itself (admin implies everything).
_IMPLIES: dict[str, frozenset[str]] = {
    WRITE: frozenset({READ, TALK, SESSIONS_READ, SESSIONS_WRITE}),
    READ: frozenset({SESSIONS_READ}),
    SESSIONS_WRITE: frozenset({SESSIONS_READ}),
}


def scope_satisfied(required: str, granted: Iterable[str]) -> bool:
    """True when ``granted`` satisfies ``required`` under OpenClaw's implication rules."""
    granted = set(granted)
    if ADMIN in granted or required in granted:
        return True
    return any(required in _IMPLIES.get(g, ()) for g in granted)


def scopes_cover(requested: Iterable[str], approved: Iterable[str]) -> bool:
    """True when every requested scope is satisfied by the approved set."""
    approved = list(approved)
    return all(scope_satisfied(s, approved) for s in requested)


def normalize_scopes(raw: object) -> list[str]:
    """Requested scopes as a de-duplicated list in the order sent (non-strings dropped)."""
    if not isinstance(raw, list):
        return []
    out: list[str] = []
    for item in raw:
        if isinstance(item, str) and item and item not in out:
            out.append(item)
    return out


def operator_scopes_only(scopes: Iterable[str]) -> list[str]:
    """Keep only known ``operator.*`` scopes (what device tokens may carry)."""
    return [s for s in scopes if s in KNOWN_OPERATOR_SCOPES]


def authorize(method: str, required: str, role: str, scopes: Iterable[str]) -> GatewayError | None:
    """Check one call against the method's required scope; ``None`` means allowed.

    ``required`` is an operator scope, ``NODE_ONLY`` or ``ANY_ROLE`` (``health``).
    The messages are verbatim what official clients parse.
    """
    if required == ANY_ROLE:
        return None
    if required == NODE_ONLY:
        return None if role == ROLE_NODE else invalid_request(f"unauthorized role: {role}")
    if role != ROLE_OPERATOR:
        return invalid_request(f"unauthorized role: {role}")
    if scope_satisfied(required, scopes):
        return None
    return GatewayError(
        ErrorCode.FORBIDDEN,
        f"missing scope: {required}",
        {"code": DetailCode.MISSING_SCOPE, "missingScope": required, "requiredScopes": [required]},
    )
