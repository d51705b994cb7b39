"""Phone pairing RPCs: ``device.pair.setupCode`` and ``device.pair.setupStatus``.

Both need ``operator.admin`` and, as upstream, are not listed in
``hello-ok.features.methods``. The setup code points at this gateway's bound address
(the primary LAN address when bound to all interfaces), ``wss://`` with the certificate
fingerprint when TLS is on. ``joinUrl: true`` also parks the setup payload under a
shortcode served once at ``/j/<shortcode>`` (see :mod:`..join_http`); join URLs are for
node hosts, so they always carry the node-only profile.

After a bootstrap handshake, ``device.pair.setup.completed`` is broadcast once the
device's hello-ok went out on an open socket; when the socket was already closing (or
the connection ended before the ready hook ran) ``device.pair.setup.deliveryUncertain``
goes out instead: the device may not have received its tokens. Either outcome is
stored with the completion, for ``device.pair.setupStatus``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from websockets.protocol import State

from openclaw_desktop.errors import invalid_request
from openclaw_desktop.pairing.bootstrap import (
    DELIVERY_CONFIRMED,
    DELIVERY_UNCERTAIN,
    PROFILES,
    SetupCompletion,
    setup_status,
)
from openclaw_desktop.pairing.join_codes import join_base, join_url
from openclaw_desktop.pairing.setup import (
    default_gateway_url,
    issue_setup,
    qr_png_data_url,
)
from openclaw_desktop.pairing.setup_code import (
    ACCESS_FULL,
    ACCESS_NODE,
    normalize_gateway_url,
)
from openclaw_desktop.protocol import scopes as S

from ..connection import Connection
from ..discovery import primary_lan_ipv4
from ..dispatcher import MethodRegistry, require_object, require_str
from ..services import GatewayServices

log = logging.getLogger("gateway.setup")

_SETUP_CODE = "device.pair.setupCode"
_COMPLETED = "device.pair.setup.completed"
_UNCERTAIN = "device.pair.setup.deliveryUncertain"


def _requested_profile(p: dict[str, Any]) -> str:
    join = p.get("joinUrl")
    if join is not None and join is not True:
        raise invalid_request(f"invalid {_SETUP_CODE} params: joinUrl must be true when given")
    profile = p.get("bootstrapProfile")
    if join is True:
        if profile not in (None, ACCESS_NODE):
            raise invalid_request("Join URLs require bootstrapProfile=node.")
        return ACCESS_NODE
    if profile is None:
        return ACCESS_FULL
    if not isinstance(profile, str) or profile not in PROFILES:
        raise invalid_request(f"invalid {_SETUP_CODE} params: bootstrapProfile must be one of "
                              f"{', '.join(sorted(PROFILES))}")
    return profile


def register(reg: MethodRegistry, svc: GatewayServices, *, tls_fingerprint: str | None = None,
             lan_ip: Callable[[], str | None] = primary_lan_ipv4) -> None:
    """``tls_fingerprint`` is set when the gateway serves ``wss://``; ``lan_ip`` is
    injectable for tests."""

    tasks: set[asyncio.Task[None]] = set()  # outcome writes started from sync disconnect hooks

    async def setup_code(_conn: Connection, params: Any) -> dict[str, Any]:
        p = require_object(_SETUP_CODE, params)
        profile = _requested_profile(p)
        public_url = p.get("publicUrl")
        if public_url is not None:
            url, source = require_str(_SETUP_CODE, p, "publicUrl"), "publicUrl"
        else:
            bound = urlsplit(svc.url).hostname or "127.0.0.1"
            url, source = default_gateway_url(bound, svc.port, tls=tls_fingerprint is not None, lan_ip=lan_ip())
        hint = "" if public_url is not None else " (pass publicUrl, or enable gateway.tls)"
        try:
            if p.get("joinUrl") is True:
                join_base(normalize_gateway_url(url))  # refuse before minting a token nobody could fetch
            issued = await issue_setup(svc.pairing.bootstrap, url, profile, svc.clock_ms(), tls_fingerprint)
        except ValueError as exc:
            raise invalid_request(f"invalid {_SETUP_CODE} params: {exc}{hint}") from None
        out = issued.to_wire()
        if p.get("joinUrl") is True:
            try:
                code = svc.pairing.join_codes.register(issued.payload.to_json(), issued.expires_at_ms,
                                                       svc.clock_ms())
            except ValueError as exc:
                raise invalid_request(f"invalid {_SETUP_CODE} params: {exc}") from None
            out["joinUrl"] = join_url(issued.gateway_url, code)
        out["auth"] = svc.config.settings.gateway.auth.mode
        out["urlSource"] = source
        if p.get("includeQr") is True:
            out["qrDataUrl"] = qr_png_data_url(issued.setup_code)
        return out

    async def status(_conn: Connection, params: Any) -> dict[str, Any]:
        setup_id = require_str("device.pair.setupStatus", require_object("device.pair.setupStatus", params),
                               "setupId")
        return setup_status(await svc.pairing.bootstrap.completion(setup_id), svc.clock_ms())

    async def settle(completion: SetupCompletion, delivered: bool) -> None:
        # Stored before the event goes out, so a watcher that reacts to the event by
        # calling setupStatus reads the same outcome.
        await svc.pairing.bootstrap.set_delivery(completion.setup_id,
                                                 DELIVERY_CONFIRMED if delivered else DELIVERY_UNCERTAIN)
        svc.hub.broadcast(_COMPLETED if delivered else _UNCERTAIN, completion.to_wire())

    async def announce_completion(conn: Connection) -> None:
        # A ready hook: the bootstrap handshake recorded the completion; the outcome is
        # known only now that the device's hello-ok (with its tokens) has been written.
        completion = svc.pairing.bootstrap.unannounced.pop(conn.conn_id, None)
        if completion is None:
            return
        delivered = conn.ws.state is State.OPEN
        if not delivered:
            log.warning("setup completed but delivery of hello-ok is uncertain",
                        extra={"fields": {"setupId": completion.setup_id, "deviceId": completion.device_id}})
        await settle(completion, delivered)

    def forget_completion(conn: Connection) -> None:
        # The connection ended before the ready hook ran (an earlier hook failed or the
        # socket died): hello-ok may never have been sent.
        completion = svc.pairing.bootstrap.unannounced.pop(conn.conn_id, None)
        if completion is None:
            return
        log.warning("setup completed but the socket closed before hello-ok",
                    extra={"fields": {"connId": conn.conn_id, "setupId": completion.setup_id}})
        task = asyncio.get_running_loop().create_task(settle(completion, False))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    svc.ready_hooks.append(announce_completion)
    svc.disconnect_hooks.append(forget_completion)
    reg.add(_SETUP_CODE, S.ADMIN, setup_code, advertised=False)
    reg.add("device.pair.setupStatus", S.ADMIN, status, advertised=False)
