"""Shared fixtures: a real gateway on 127.0.0.1 port 0 with a state dir in tmp."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from openclaw_desktop.app import Gateway, build_gateway
from openclaw_desktop.client.gateway_client import ClientOptions, GatewayClient
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import Overrides

TOKEN = "testtoken"


def state_paths(tmp_path: Path) -> StatePaths:
    return StatePaths(tmp_path / "state", tmp_path / "state" / "openclaw.json")


@pytest.fixture
def paths(tmp_path: Path) -> StatePaths:
    return state_paths(tmp_path)


@pytest.fixture
async def gateway(paths: StatePaths) -> AsyncIterator[Gateway]:
    gw = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=True)
    try:
        yield gw
    finally:
        await gw.close()


def cli_opts(**kw: object) -> ClientOptions:
    """Options that look like the official CLI (device-less, shared token)."""
    base: dict[str, object] = {"token": TOKEN, "client_id": "cli", "client_mode": "cli",
                               "scopes": ["operator.admin"]}
    base.update(kw)
    return ClientOptions(**base)  # type: ignore[arg-type]


def connect(gw: Gateway, opts: ClientOptions | None = None, **kw: object):  # type: ignore[no-untyped-def]
    return GatewayClient.connect(gw.url, opts or cli_opts(**kw))


@pytest.fixture(autouse=True)
def _no_ambient_model_credentials(monkeypatch):
    """Tests never pick up a developer's real API key (env or OS keyring)."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
