"""Typed frames: parse inbound JSON text once, encode outbound frames strictly.

Inbound parsing is lenient about unknown keys (clients differ by version) and strict
about the three fields the protocol needs (``type``, ``id``, ``method``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openclaw_desktop.errors import GatewayError, invalid_request


@dataclass(frozen=True, slots=True)
class RequestFrame:
    """A ``req`` frame. ``params`` is ``{}`` when the client sent none or ``null``."""

    id: str
    method: str
    params: Any


def parse_frame(text: str | bytes) -> RequestFrame:
    """Parse one inbound text frame into a :class:`RequestFrame`.

    Raises :class:`GatewayError` (``INVALID_REQUEST``) for binary frames, malformed JSON,
    non-request frames and requests missing ``id``/``method``. The error carries the
    request id in ``details['id']`` when one could be read, so the caller can answer it.
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        raise invalid_request("invalid request frame: binary frames are not supported")
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise invalid_request(f"invalid request frame: malformed JSON ({exc.__class__.__name__})") from None
    if not isinstance(obj, dict):
        raise invalid_request("invalid request frame: must be an object")
    frame_id = obj.get("id")
    if obj.get("type") != "req":
        raise invalid_request("invalid request frame: type must be \"req\"", _id_details(frame_id))
    if not isinstance(frame_id, str) or not frame_id:
        raise invalid_request("invalid request frame: id must be a non-empty string")
    method = obj.get("method")
    if not isinstance(method, str) or not method:
        raise invalid_request("invalid request frame: method must be a non-empty string", {"id": frame_id})
    traceparent = obj.get("traceparent")
    if isinstance(traceparent, str) and len(traceparent) > 128:
        raise invalid_request("invalid request frame: traceparent longer than 128", {"id": frame_id})
    params = obj.get("params")
    return RequestFrame(frame_id, method, {} if params is None else params)


def _id_details(frame_id: Any) -> dict[str, Any] | None:
    return {"id": frame_id} if isinstance(frame_id, str) and frame_id else None


def _dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def encode_ok(frame_id: str, payload: Any) -> str:
    """A successful ``res`` frame."""
    return _dumps({"type": "res", "id": frame_id, "ok": True, "payload": payload})


def encode_error(frame_id: str, error: GatewayError) -> str:
    """A failed ``res`` frame carrying the error's wire shape."""
    return _dumps({"type": "res", "id": frame_id, "ok": False, "error": error.to_shape()})


def encode_event(event: str, payload: Any, seq: int | None = None,
                 state_version: dict[str, int] | None = None) -> str:
    """An ``event`` frame; ``seq`` only on broadcast events (not challenge or node-directed)."""
    frame: dict[str, Any] = {"type": "event", "event": event, "payload": payload}
    if seq is not None:
        frame["seq"] = seq
    if state_version is not None:
        frame["stateVersion"] = state_version
    return _dumps(frame)


def event_frame_parts(event: str, payload: Any, state_version: dict[str, int] | None = None) -> tuple[str, str]:
    """A broadcast frame split around its ``seq`` value: ``head + str(seq) + tail``.

    The payload is encoded once per broadcast instead of once per recipient; only the
    per-connection sequence number differs between the copies.
    """
    frame: dict[str, Any] = {"type": "event", "event": event, "payload": payload}
    if state_version is not None:
        frame["stateVersion"] = state_version
    body = _dumps(frame)
    return body[:-1] + ',"seq":', "}"


def error_request_id(err: GatewayError) -> str | None:
    """The request id a frame-parse error could still recover (or ``None``)."""
    if err.details and isinstance(err.details.get("id"), str):
        return err.details["id"]
    return None


def strip_id_detail(err: GatewayError) -> GatewayError:
    """Remove the internal ``id`` helper detail before the error goes on the wire."""
    if err.details and "id" in err.details:
        rest = {k: v for k, v in err.details.items() if k != "id"}
        return GatewayError(err.code, err.message, rest or None, err.retryable, err.retry_after_ms)
    return err


def iso_ms(timestamp_ms: int) -> str:
    """``2026-01-03T12:34:56.000Z``: the reference's timestamp form (UTC, milliseconds)."""
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
