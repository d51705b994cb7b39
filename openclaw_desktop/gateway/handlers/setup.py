"""Phone pairing RPCs: ``device.pair.setupCode`` and ``device.pair.setupStatus``.

Both need ``operator.admin`` and, as upstream, are not listed in
``hello-ok.features.methods``. The setup code points at this gateway's bound address
(the primary LAN address when bound to all interfaces), ``wss://`` with the certificate
fingerprint when TLS is on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from websockets.protocol import State

from openclaw_desktop.errors import invalid_request
from openclaw_desktop.pairing.bootstrap import PROFILES
from openclaw_desktop.pairing.setup import (
    default_gateway_url,
    issue_setup,
    qr_png_data_url,
)
from openclaw_desktop.pairing.setup_code import ACCESS_FULL
from openclaw_desktop.protocol import scopes as S

from ..connection import Connection
from ..discovery import primary_lan_ipv4
from ..dispatcher import MethodRegistry, require_object, require_str
from ..services import GatewayServices

log = logging.getLogger("gateway.setup")

_SETUP_CODE = "device.pair.setupCode"


def register(reg: MethodRegistry, svc: GatewayServices, *, tls_fingerprint: str | None = None,
             lan_ip: Callable[[], str | None] = primary_lan_ipv4) -> None:
    """``tls_fingerprint`` is set when the gateway serves ``wss://``; ``lan_ip`` is
    injectable for tests."""

    async def setup_code(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object(_SETUP_CODE, params)
        access = p.get("bootstrapProfile", ACCESS_FULL)
        if access not in PROFILES:
            raise invalid_request(f"invalid {_SETUP_CODE} params: bootstrapProfile must be one of "
                                  f"{', '.join(sorted(PROFILES))}")
        public_url = p.get("publicUrl")
        if public_url is not None:
            url, source = require_str(_SETUP_CODE, p, "publicUrl"), "publicUrl"
        else:
            bound = urlsplit(svc.url).hostname or "127.0.0.1"
            url, source = default_gateway_url(bound, svc.port, tls=tls_fingerprint is not None, lan_ip=lan_ip())
        try:
            issued = await issue_setup(svc.pairing.bootstrap, url, access, svc.clock_ms(), tls_fingerprint)
        except ValueError as exc:
            hint = "" if public_url is not None else " (pass publicUrl, or enable gateway.tls)"
            raise invalid_request(f"invalid {_SETUP_CODE} params: {exc}{hint}") from None
        out = issued.to_wire()
        out["auth"] = svc.config.settings.gateway.auth.mode
        out["urlSource"] = source
        if p.get("includeQr") is True:
            out["qrDataUrl"] = qr_png_data_url(issued.setup_code)
        return out

    async def setup_status(_conn: Connection, params: Any) -> dict[str, Any]:
        setup_id = require_str("device.pair.setupStatus", require_object("device.pair.setupStatus", params),
                               "setupId")
        completion = await svc.pairing.bootstrap.completion(setup_id)
        return {} if completion is None else {"completion": completion.to_wire()}

    async def announce_completion(conn: Connection) -> None:
        # A ready hook: the bootstrap handshake recorded the completion; the event goes
        # out only now that the phone's hello-ok (with its tokens) has been sent.
        completion = svc.pairing.bootstrap.unannounced.pop(conn.conn_id, None)
        if completion is None:
            return
        if conn.ws.state is State.OPEN:
            svc.hub.broadcast("device.pair.setup.completed", completion.to_wire())
        else:
            log.warning("setup completed but delivery of hello-ok is uncertain",
                        extra={"fields": {"setupId": completion.setup_id, "deviceId": completion.device_id}})

    def forget_completion(conn: Connection) -> None:
        if svc.pairing.bootstrap.unannounced.pop(conn.conn_id, None) is not None:
            log.warning("setup completed but the socket closed before hello-ok",
                        extra={"fields": {"connId": conn.conn_id}})

    svc.ready_hooks.append(announce_completion)
    svc.disconnect_hooks.append(forget_completion)
    reg.add(_SETUP_CODE, S.ADMIN, setup_code, advertised=False)
    reg.add("device.pair.setupStatus", S.ADMIN, setup_status, advertised=False)
