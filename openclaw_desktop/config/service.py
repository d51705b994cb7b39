"""The live configuration: the file snapshot plus command-line/env overrides, and
validated writes (``config.set``/``config.patch``) with the base-hash check."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import json5

from openclaw_desktop.errors import ConfigError, invalid_request

from . import store
from .paths import StatePaths
from .settings import Settings


@dataclass(frozen=True)
class Overrides:
    """Values from flags and environment that win over the file (not written back)."""

    port: int | None = None
    bind: str | None = None
    custom_host: str | None = None
    token: str | None = None
    password: str | None = None
    auth_mode: str | None = None


class ConfigService:
    """Holds the current snapshot; every write validates first and is atomic.

    ``on_changed(path, hash)`` is called after a successful write (wired to the
    ``config.changed`` broadcast by the composition root).
    """

    def __init__(self, paths: StatePaths, overrides: Overrides) -> None:
        self.paths = paths
        self.overrides = overrides
        self.snapshot = store.load(paths.config_path)
        self.generated_token: str | None = None
        self.on_changed: Callable[[str, str], None] = lambda _path, _hash: None
        self._lock = asyncio.Lock()

    @property
    def settings(self) -> Settings:
        """File settings with overrides applied."""
        s, o = self.snapshot.settings, self.overrides
        auth = s.gateway.auth
        auth = replace(auth, mode=o.auth_mode or auth.mode, token=o.token or auth.token or self.generated_token,
                       password=o.password or auth.password)
        gw = replace(s.gateway, auth=auth, port=s.gateway.port if o.port is None else o.port,
                     bind=o.bind or s.gateway.bind,
                     custom_bind_host=o.custom_host or s.gateway.custom_bind_host)
        return replace(s, gateway=gw)

    def ensure_token(self) -> str | None:
        """First run: make sure token auth has a token (generated and stored 0600).

        A config we create ourselves gets the token inline (so the official CLI on this
        machine finds it); an existing user file is never rewritten for this — the token
        then lives in ``credentials/gateway-token``.
        """
        s = self.settings.gateway.auth
        if s.mode != "token" or s.token:
            return s.token
        token_path = self.paths.token_path
        if token_path.exists():
            self.generated_token = token_path.read_text(encoding="utf-8").strip() or None
            if self.generated_token:
                return self.generated_token
        token = secrets.token_hex(24)
        if not self.snapshot.exists:
            doc = {"gateway": {"mode": "local", "auth": {"mode": "token", "token": token}}}
            store.atomic_write_text(self.paths.config_path, store.dump(doc))
            self.snapshot = store.load(self.paths.config_path)
        else:
            store.atomic_write_text(token_path, token + "\n")
            self.generated_token = token
        return token

    def view(self) -> dict[str, Any]:
        """The ``config.get`` result, secrets redacted."""
        snap = self.snapshot
        effective = _settings_doc(self.settings)
        return {
            "path": str(snap.path), "includedPaths": [], "exists": snap.exists, "valid": True,
            "raw": store.redact_raw(snap.raw, snap.parsed) if snap.raw is not None else None,
            "parsed": store.redact(snap.parsed), "resolved": store.redact(snap.parsed),
            "config": store.redact(effective), "runtimeConfig": store.redact(effective),
            "hash": snap.hash, "configRevisionHash": snap.hash, "appliedConfigHash": snap.hash,
            "issues": [], "warnings": [], "legacyIssues": [],
        }

    async def write_raw(self, raw: str, base_hash: str | None) -> dict[str, Any]:
        """``config.set``: replace the whole file after validation."""
        async with self._lock:
            self._check_base(base_hash)
            try:
                doc = json5.loads(raw)
            except ValueError as exc:
                raise invalid_request(f"invalid config.set params: raw is not valid JSON5 ({exc})") from None
            return self._commit(store.restore_sentinels(doc, self.snapshot.parsed))

    async def patch_raw(self, raw: str, base_hash: str | None) -> dict[str, Any]:
        """``config.patch``: JSON merge-patch of the current document."""
        async with self._lock:
            self._check_base(base_hash)
            try:
                patch = json5.loads(raw)
            except ValueError as exc:
                raise invalid_request(f"invalid config.patch params: raw is not valid JSON5 ({exc})") from None
            if not isinstance(patch, dict):
                raise invalid_request("invalid config.patch params: raw must be an object")
            patch = store.restore_sentinels(patch, self.snapshot.parsed)
            return self._commit(store.merge_patch(self.snapshot.parsed, patch))

    def _check_base(self, base_hash: str | None) -> None:
        if self.snapshot.exists and base_hash != self.snapshot.hash:
            raise invalid_request("config changed since last load; re-run config.get and retry",
                                  {"code": "CONFIG_BASE_HASH_MISMATCH", "currentHash": self.snapshot.hash})

    def _commit(self, doc: Any) -> dict[str, Any]:
        path = self.paths.config_path
        text = store.dump(doc) if isinstance(doc, dict) else json.dumps(doc)
        try:
            store.parse_text(path, text)
        except ConfigError as exc:
            raise invalid_request(f"invalid config: {exc.key or 'file'}: {exc.problem}",
                                  {"code": "CONFIG_INVALID", "key": exc.key, "problem": exc.problem}) from None
        store.atomic_write_text(path, text)
        self.snapshot = store.load(path)
        self.on_changed(str(path), self.snapshot.hash)
        return {"ok": True, "path": str(path), "hash": self.snapshot.hash,
                "config": store.redact(self.snapshot.parsed), "restartRequired": False}


def _settings_doc(s: Settings) -> dict[str, Any]:
    """The effective settings as a config-shaped document."""
    g = s.gateway
    auth: dict[str, Any] = {"mode": g.auth.mode}
    if g.auth.token:
        auth["token"] = g.auth.token
    if g.auth.password:
        auth["password"] = g.auth.password
    rl = g.auth.rate_limit
    auth["rateLimit"] = {"maxAttempts": rl.max_attempts, "windowMs": rl.window_ms, "lockoutMs": rl.lockout_ms,
                         "exemptLoopback": rl.exempt_loopback}
    gateway: dict[str, Any] = {"mode": "local", "port": g.port, "bind": g.bind, "auth": auth,
                               "nodes": {"pairing": {"autoApproveLocal": g.auto_approve_local}}}
    if g.custom_bind_host:
        gateway["customBindHost"] = g.custom_bind_host
    logging: dict[str, Any] = {"level": s.logging.level}
    if s.logging.file:
        logging["file"] = s.logging.file
    return {"gateway": gateway, "logging": logging}


def resolve_log_path(paths: StatePaths, settings: Settings) -> Path:
    return Path(settings.logging.file).expanduser() if settings.logging.file else paths.default_log_path
