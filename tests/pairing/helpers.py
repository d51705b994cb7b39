"""Shared bits of the setup-code tests: phone-like client options and minting codes."""

from __future__ import annotations

from openclaw_desktop.app import Gateway
from openclaw_desktop.client.gateway_client import (
    ClientOptions,
    GatewayClient,
    RpcError,
)
from openclaw_desktop.pairing.setup_code import decode_setup_code
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from tests.conftest import cli_opts

PHONE_OPERATOR_SCOPES = ["operator.read", "operator.write", "operator.talk.secrets"]


def android(ident: DeviceIdentity, bootstrap_token: str | None, **kw: object) -> ClientOptions:
    """What the Android app's node socket sends on first contact."""
    base: dict[str, object] = {
        "bootstrap_token": bootstrap_token, "identity": ident, "client_id": "openclaw-android", "client_mode": "node",
        "platform": "android", "device_family": "Android", "role": "node", "display_name": "Pixel 9",
        "commands": ["camera.snap"], "caps": ["camera"]}
    base.update(kw)
    return ClientOptions(**base)  # type: ignore[arg-type]


async def mint(gw: Gateway, fingerprint: str | None = None, **params: object) -> dict:
    """``device.pair.setupCode`` as the local admin CLI."""
    async with GatewayClient.connect(gw.url, cli_opts(tls_fingerprint=fingerprint)) as admin:
        return await admin.call("device.pair.setupCode", params)


def token_of(result: dict) -> str:
    return decode_setup_code(result["setupCode"]).bootstrap_token


async def refused(url: str, opts: ClientOptions) -> RpcError:
    try:
        async with GatewayClient.connect(url, opts):
            pass
    except RpcError as exc:
        return exc
    raise AssertionError("connect unexpectedly succeeded")
