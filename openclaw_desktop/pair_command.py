"""``openclaw-desktop pair``: mint a setup code for a phone or node host.

Works directly on the state directory (config + SQLite), whether or not the gateway is
running: the gateway looks bootstrap tokens up in SQLite on every connect, so a code
minted here is accepted at once by a running gateway, and by one started within the
code's 10 minutes. Prints the setup code, its ``oc-pair://`` form and a terminal QR.
The arguments are declared in ``cli.py`` (so ``--help`` stays fast).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import time
from typing import TextIO

import segno

from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import ConfigService, Overrides
from openclaw_desktop.errors import ConfigError
from openclaw_desktop.gateway.discovery import primary_lan_ipv4
from openclaw_desktop.gateway.tls import resolve_certificate
from openclaw_desktop.pairing.bootstrap import PROFILE_VOICE_NODE
from openclaw_desktop.pairing.bootstrap_store import BootstrapStore
from openclaw_desktop.pairing.setup import IssuedSetup, default_gateway_url, issue_setup
from openclaw_desktop.pairing.setup_code import pair_link
from openclaw_desktop.storage.sqlite import Database

_BIND_ADDRESSES = {"lan": "0.0.0.0"}


async def mint(paths: StatePaths, overrides: Overrides, profile: str, url: str | None) -> IssuedSetup:
    """Mint one setup code against the state dir. Raises ConfigError or ValueError."""
    config = ConfigService(paths, overrides)
    gw = config.settings.gateway
    lan_ip = primary_lan_ipv4()
    tls = resolve_certificate(config.settings, paths, lan_ip=lan_ip)
    if url is None:
        if gw.port == 0:
            raise ValueError("gateway.port is 0 (any free port); pass --url with the gateway's address")
        host = gw.custom_bind_host if gw.bind == "custom" and gw.custom_bind_host else \
            _BIND_ADDRESSES.get(gw.bind, "127.0.0.1")
        url, _source = default_gateway_url(host, gw.port, tls=tls is not None, lan_ip=lan_ip)
    db = Database(paths.db_path)
    await db.open()
    try:
        return await issue_setup(BootstrapStore(db), url, profile, time.time_ns() // 1_000_000,
                                 tls.fingerprint if tls else None)
    finally:
        await db.close()


def render(issued: IssuedSetup, *, qr: bool, out: TextIO) -> None:
    """Human output: the code, the pair link, where it points, and a terminal QR."""
    expires = dt.datetime.fromtimestamp(issued.expires_at_ms / 1000).strftime("%H:%M:%S")
    access = issued.access + (" (downgraded from full: plaintext ws:// on the LAN; enable gateway.tls "
                              "for full access)" if issued.access_downgraded else "")
    if issued.profile == PROFILE_VOICE_NODE:
        access = "voice node (node, plus operator.read and operator.talk)"
    print(f"Setup code (single use, valid until {expires}):\n{issued.setup_code}\n", file=out)
    print(f"Pair link:   {pair_link(issued.setup_code)}", file=out)
    print(f"Gateway URL: {issued.gateway_url}", file=out)
    print(f"Access:      {access}", file=out)
    if issued.tls_fingerprint:
        print(f"TLS SHA-256: {issued.tls_fingerprint}", file=out)
    if qr:
        print("\nScan with the OpenClaw app:", file=out)
        segno.make(issued.setup_code, error="m").terminal(out=out, compact=True)
    print(f"\nNode host: openclaw node run --pair '{pair_link(issued.setup_code)}'", file=out)


def run(args: argparse.Namespace, paths: StatePaths, overrides: Overrides) -> int:
    try:
        issued = asyncio.run(mint(paths, overrides, args.profile, args.url))
    except (ConfigError, ValueError) as exc:
        print(f"openclaw-desktop: {exc}", file=sys.stderr)
        return 1
    if args.json:
        doc = {**issued.to_wire(), "profile": issued.profile, "pairLink": pair_link(issued.setup_code)}
        if issued.tls_fingerprint:
            doc["tlsFingerprint"] = issued.tls_fingerprint
        print(json.dumps(doc, indent=2))
    else:
        render(issued, qr=not args.no_qr, out=sys.stdout)
    return 0
