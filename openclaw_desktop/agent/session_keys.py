"""Session key normalisation (reference §7.1). Pure."""

from __future__ import annotations

from openclaw_desktop.errors import invalid_request

DEFAULT_AGENT_ID = "main"


def normalize_session_key(raw: object, default_agent: str = DEFAULT_AGENT_ID) -> str:
    """Empty or ``main`` → ``agent:<default>:main``; ``agent:<id>:<rest>`` keeps its rest
    (agent id lower-cased); anything else is prefixed with ``agent:<default>:``."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str) or len(raw) > 512 or "\x00" in raw:
        raise invalid_request("invalid sessionKey: must be a string of at most 512 characters")
    key = raw.strip()
    if not key or key.lower() == "main":
        return f"agent:{default_agent}:main"
    if key.startswith("agent:"):
        parts = key.split(":", 2)
        if len(parts) == 3 and parts[1] and parts[2]:
            return f"agent:{parts[1].lower()}:{parts[2]}"
        raise invalid_request(f"invalid sessionKey: {key}")
    return f"agent:{default_agent}:{key}"


def agent_of(session_key: str) -> str:
    """The agent id inside a normalised key."""
    return session_key.split(":", 2)[1]


def file_stem(session_key: str) -> str:
    """A filesystem-safe, stable name for a session key's files."""
    import hashlib

    readable = "".join(c if c.isalnum() or c in "-_" else "_" for c in session_key.split(":", 2)[2])[:48]
    return f"{readable}-{hashlib.sha256(session_key.encode()).hexdigest()[:10]}"
