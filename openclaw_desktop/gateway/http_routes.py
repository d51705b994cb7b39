"""Plain HTTP on the gateway port: liveness/readiness probes; everything else that is
not a WebSocket upgrade gets a JSON 404."""

from __future__ import annotations

import json
from http import HTTPStatus

from websockets.datastructures import Headers
from websockets.http11 import Request, Response

_LIVE = {"ok": True, "status": "live"}


def json_response(status: HTTPStatus, body: object) -> Response:
    data = json.dumps(body, separators=(",", ":")).encode()
    headers = Headers([("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data))),
                       ("Cache-Control", "no-store"), ("Connection", "close")])
    return Response(status.value, status.phrase, headers, data)


def is_upgrade(request: Request) -> bool:
    return "websocket" in request.headers.get("Upgrade", "").lower()


def route(request: Request, ready: bool) -> Response | None:
    """Answer an HTTP request, or ``None`` to continue with the WebSocket handshake."""
    path = request.path.split("?", 1)[0]
    if is_upgrade(request):
        return None
    if path in ("/health", "/healthz"):
        return json_response(HTTPStatus.OK, _LIVE)
    if path in ("/readyz", "/ready"):
        if ready:
            return json_response(HTTPStatus.OK, {"ready": True})
        return json_response(HTTPStatus.SERVICE_UNAVAILABLE, {"ready": False})
    return json_response(HTTPStatus.NOT_FOUND, {"error": "not_found"})
