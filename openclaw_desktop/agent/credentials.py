"""Where the Anthropic API key and base URL come from: the environment, then the OS keyring.

The key is looked up in ``ANTHROPIC_API_KEY`` first (explicit beats stored, and it is
how CI and servers configure us), then in the OS keyring under service
``openclaw-desktop``, user ``anthropic-api-key``. The base URL is ``ANTHROPIC_BASE_URL``
over the config file's value.

A headless Linux box often has no keyring, or one whose D-Bus backend throws anything
at all; that means "no key", with a :attr:`Credentials.reason` the UI can show, never
a crash. Keyring calls block (a D-Bus backend may even prompt the user), so async
callers run these functions in a thread. Must not import ``anthropic``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

try:  # the "agent" extra; without it there is simply no keyring
    import keyring
    import keyring.errors
except ImportError:  # pragma: no cover - exercised only on installs without the extra
    keyring = None  # type: ignore[assignment]

SERVICE_NAME = "openclaw-desktop"
KEYRING_USERNAME = "anthropic-api-key"
ENV_API_KEY = "ANTHROPIC_API_KEY"
ENV_BASE_URL = "ANTHROPIC_BASE_URL"


@dataclass(frozen=True, slots=True)
class Credentials:
    """The resolved key (``None`` when there is none) and where it came from.

    ``reason`` explains a missing key (or a keyring problem) in words fit for the UI.
    The key is left out of ``repr`` so it cannot leak into logs.
    """

    api_key: str | None = field(repr=False)
    base_url: str | None
    source: Literal["env", "keyring"] | None
    reason: str = ""


class KeyringUnavailable(Exception):
    """The OS keyring cannot store or delete the key; the message says why."""


def resolve_model_credentials(
    env: Mapping[str, str], config_base_url: str | None, keyring_backend: Any = None
) -> Credentials:
    """Resolve the API key and base URL. Never raises for a missing or broken keyring.

    ``keyring_backend`` is a ``keyring.backend.KeyringBackend``; None means the
    system default (``keyring.get_keyring()``). Blank values count as unset.
    """
    base_url = _clean(env.get(ENV_BASE_URL)) or _clean(config_base_url)
    env_key = _clean(env.get(ENV_API_KEY))
    if env_key:
        return Credentials(env_key, base_url, "env", f"from {ENV_API_KEY}")
    try:
        stored = _clean(_backend(keyring_backend).get_password(SERVICE_NAME, KEYRING_USERNAME))
    except Exception as exc:  # noqa: BLE001 - any backend failure means "no key"
        return Credentials(None, base_url, None,
                           f"{ENV_API_KEY} is not set and the OS keyring is unavailable: "
                           f"{_describe(exc)}")
    if stored:
        return Credentials(stored, base_url, "keyring", "from the OS keyring")
    return Credentials(None, base_url, None,
                       f"{ENV_API_KEY} is not set and no API key is stored in the OS keyring")


def store_api_key(key: str, keyring_backend: Any = None) -> None:
    """Save ``key`` in the OS keyring; raise :class:`KeyringUnavailable` if it cannot."""
    key = key.strip()
    if not key:
        raise ValueError("the API key is empty")
    try:
        _backend(keyring_backend).set_password(SERVICE_NAME, KEYRING_USERNAME, key)
    except Exception as exc:
        raise KeyringUnavailable(f"cannot store the API key: {_describe(exc)}") from exc


def delete_api_key(keyring_backend: Any = None) -> bool:
    """Remove the stored key. Returns False when none was stored; raises
    :class:`KeyringUnavailable` when the keyring itself fails."""
    backend = _backend_or_raise(keyring_backend)
    try:
        backend.delete_password(SERVICE_NAME, KEYRING_USERNAME)
    except Exception as exc:
        if keyring is not None and isinstance(exc, keyring.errors.PasswordDeleteError):
            return False  # the documented "nothing stored" answer
        raise KeyringUnavailable(f"cannot delete the API key: {_describe(exc)}") from exc
    return True


def _backend(explicit: Any) -> Any:
    if explicit is not None:
        return explicit
    if keyring is None:
        raise RuntimeError("the 'keyring' package is not installed")
    return keyring.get_keyring()


def _backend_or_raise(explicit: Any) -> Any:
    try:
        return _backend(explicit)
    except Exception as exc:
        raise KeyringUnavailable(f"cannot open the OS keyring: {_describe(exc)}") from exc


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _clean(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None
