"""The desktop node's command registry: command name → handler over the ports.

Each handler validates its params (reference §5.7 names; numbers are clamped to the
documented ranges, wrong types are ``INVALID_REQUEST``), calls a port and shapes the
result payload. Sensitive commands (camera capture, screen capture, location) are off
unless listed in the *enabled* set given at construction; a disabled command is not
declared in ``connect.commands`` and, if invoked anyway, fails closed with the family's
``*_DISABLED`` code. Imports no Qt and no sockets; ``asyncio`` only for deadlines.
"""

from __future__ import annotations

import asyncio
import base64
import math
import shutil
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from openclaw_desktop.protocol.frames import iso_ms

from .ports import CommandError, EncodedClip, EncodedImage, NodePorts, PositionFix

SENSITIVE = frozenset({"camera.snap", "camera.clip", "screen.record", "screen.snapshot", "location.get",
                       "system.run"})
DEFAULT_ON = frozenset({"system.which", "system.notify", "camera.list"})
KNOWN = SENSITIVE | DEFAULT_ON
# Both `payload` and `payloadJSON` travel back to the operator in one frame (25 MiB limit),
# so one result stays well below half of it.
MAX_BASE64_CHARS = 12 * 1024 * 1024
SCREEN_RECORD_MAX_MS = 30_000
CAMERA_CLIP_MAX_MS = 60_000
LOCATION_TIMEOUT_DEFAULT_MS = 10_000
LOCATION_TIMEOUT_MAX_MS = 60_000
COARSE_ACCURACY_M = 2_000.0
_DISABLED_CODE = {"camera": "CAMERA_DISABLED", "location": "LOCATION_DISABLED", "screen": "SCREEN_DISABLED"}
_CAP_OF = {"system": "system", "screen": "screen", "camera": "camera", "location": "location"}

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def invalid(message: str) -> CommandError:
    return CommandError("INVALID_REQUEST", message)


def _number(params: dict[str, Any], key: str, default: float | None, lo: float, hi: float) -> float | None:
    value = params.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise invalid(f"{key} must be a number")
    return min(max(float(value), lo), hi)


def _int(params: dict[str, Any], key: str, default: int | None, lo: int, hi: int) -> int | None:
    value = _number(params, key, default, lo, hi)
    return None if value is None else int(value)


def _str(params: dict[str, Any], key: str, choices: Iterable[str] | None = None, max_len: int = 1024) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_len:
        raise invalid(f"{key} must be a string")
    if choices is not None and value not in choices:
        raise invalid(f"{key} must be one of {', '.join(choices)}")
    return value


def image_payload(image: EncodedImage, budget: int = MAX_BASE64_CHARS, **extra: Any) -> dict[str, Any]:
    """``{format, base64, width, height}``; PAYLOAD_TOO_LARGE above ``budget`` characters."""
    encoded = base64.b64encode(image.data).decode("ascii")
    if len(encoded) > budget:
        raise CommandError("PAYLOAD_TOO_LARGE", f"image is {len(encoded)} base64 characters; lower maxWidth/quality")
    return {"format": image.format, "base64": encoded, "width": image.width, "height": image.height, **extra}


def clip_payload(clip: EncodedClip, budget: int = MAX_BASE64_CHARS, **extra: Any) -> dict[str, Any]:
    encoded = base64.b64encode(clip.data).decode("ascii")
    if len(encoded) > budget:
        raise CommandError("PAYLOAD_TOO_LARGE", f"clip is {len(encoded)} base64 characters; record less")
    return {"format": clip.format, "base64": encoded, "durationMs": clip.duration_ms, "hasAudio": clip.has_audio,
            **extra}


def location_payload(fix: PositionFix, desired_accuracy: str) -> dict[str, Any]:
    """Shape a fix; ``coarse`` snaps to a ~1 km grid, drops altitude/speed/heading and
    reports at least 2 km uncertainty (never more precise than asked for)."""
    if desired_accuracy == "coarse":
        return {"lat": round(fix.lat, 2), "lon": round(fix.lon, 2),
                "accuracyMeters": max(fix.accuracy_m, COARSE_ACCURACY_M), "timestamp": iso_ms(fix.timestamp_ms),
                "isPrecise": False, "source": fix.source}
    out: dict[str, Any] = {"lat": fix.lat, "lon": fix.lon, "accuracyMeters": fix.accuracy_m}
    for key, value in (("altitudeMeters", fix.altitude_m), ("speedMps", fix.speed_mps),
                       ("headingDeg", fix.heading_deg)):
        if value is not None and math.isfinite(value):
            out[key] = value
    out.update(timestamp=iso_ms(fix.timestamp_ms), isPrecise=fix.accuracy_m <= 100.0, source=fix.source)
    return out


class CommandRegistry:
    """Runs node commands against the ports. ``enabled`` is the full set of commands this
    node offers (use :func:`enabled_commands` to add the defaults)."""

    def __init__(self, ports: NodePorts, enabled: Iterable[str], *, max_base64_chars: int = MAX_BASE64_CHARS) -> None:
        self.ports = ports
        self.budget = max_base64_chars
        self.enabled = frozenset(enabled) & KNOWN
        self._handlers: dict[str, Handler] = {
            "system.which": self._system_which, "system.notify": self._system_notify,
            "screen.snapshot": self._screen_snapshot, "screen.record": self._screen_record,
            "camera.list": self._camera_list, "camera.snap": self._camera_snap, "camera.clip": self._camera_clip,
            "location.get": self._location_get, "system.run": self._system_run,
        }

    @property
    def commands(self) -> list[str]:
        """What to declare in ``connect.commands`` (sorted, stable)."""
        return sorted(self.enabled)

    @property
    def caps(self) -> list[str]:
        return sorted({_CAP_OF[c.split(".")[0]] for c in self.enabled})

    @property
    def permissions(self) -> dict[str, bool]:
        """OS-permission style flags: what this node lets operators use."""
        return {"camera": bool(self.enabled & {"camera.snap", "camera.clip"}),
                "location": "location.get" in self.enabled,
                "screenRecording": bool(self.enabled & {"screen.snapshot", "screen.record"})}

    async def invoke(self, command: str, params: Any) -> dict[str, Any]:
        """Run one command; raises CommandError (never returns an error payload)."""
        handler = self._handlers.get(command)
        if handler is None:
            raise invalid(f"unknown command: {command}")
        if command not in self.enabled:
            family = command.split(".")[0]
            code = _DISABLED_CODE.get(family, "UNAVAILABLE")
            raise CommandError(code, f"{command} is disabled on this node (enable it with --allow {command} "
                                     "or node.commands.enabled)")
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise invalid("params must be an object")
        return await handler(params)

    # -- system ---------------------------------------------------------------------------

    async def _system_which(self, params: dict[str, Any]) -> dict[str, Any]:
        bins = params.get("bins")
        if not isinstance(bins, list) or len(bins) > 512 or not all(isinstance(b, str) for b in bins):
            raise invalid("bins must be a list of strings (at most 512)")
        # Bare names only: a path would turn this into a file-existence probe.
        names = [b for b in dict.fromkeys(bins) if b and "/" not in b and "\\" not in b and len(b) <= 255]
        found = await asyncio.to_thread(lambda: {n: shutil.which(n) for n in names})
        return {"bins": {name: path for name, path in found.items() if path}}

    async def _system_notify(self, params: dict[str, Any]) -> dict[str, Any]:
        title = _str(params, "title", max_len=512) or ""
        body = _str(params, "body", max_len=8192) or ""
        if not title and not body:
            raise invalid("title or body is required")
        priority = _str(params, "priority", ("passive", "active", "timeSensitive")) or "active"
        delivered = await self.ports.notifier.notify(title, body, priority)
        return {"ok": True, "delivery": delivered}

    async def _system_run(self, params: dict[str, Any]) -> dict[str, Any]:
        argv = params.get("command")
        if not isinstance(argv, list) or not argv or len(argv) > 4096 or not all(isinstance(a, str) for a in argv):
            raise invalid("command must be a non-empty array of strings (argv)")
        cwd = _str(params, "cwd", max_len=4096)
        timeout_ms = _int(params, "timeoutMs", 120_000, 1, 1_800_000) or 120_000
        if self.ports.runner is None:
            raise CommandError("SYSTEM_RUN_DENIED", "SYSTEM_RUN_DENIED: companion-unavailable")
        return await self.ports.runner.run(list(argv), cwd, timeout_ms)

    # -- screen ---------------------------------------------------------------------------

    def _screen(self):  # type: ignore[no-untyped-def]
        if self.ports.screen is None:
            raise CommandError("UNAVAILABLE", "screen capture is not available on this node (no Qt display backend)")
        return self.ports.screen

    async def _screen_snapshot(self, params: dict[str, Any]) -> dict[str, Any]:
        index = _int(params, "screenIndex", 0, 0, 64) or 0
        fmt = _str(params, "format", ("png", "jpg", "jpeg")) or "png"
        fmt = "jpg" if fmt == "jpeg" else fmt
        max_width = _int(params, "maxWidth", None, 1, 16384)
        quality = _number(params, "quality", 0.9, 0.05, 1.0) or 0.9
        image = await self._screen().snapshot(index, fmt, max_width, quality)  # type: ignore[arg-type]
        return image_payload(image, self.budget, screenIndex=index)

    async def _screen_record(self, params: dict[str, Any]) -> dict[str, Any]:
        index = _int(params, "screenIndex", 0, 0, 64) or 0
        duration = _int(params, "durationMs", 10_000, 200, SCREEN_RECORD_MAX_MS) or 10_000
        fps = _int(params, "fps", 10, 1, 30) or 10
        _str(params, "format", ("mp4",))
        clip = await self._screen().record(index, duration, fps)
        return clip_payload(clip, self.budget, fps=fps, screenIndex=index)

    # -- camera ---------------------------------------------------------------------------

    def _camera(self):  # type: ignore[no-untyped-def]
        if self.ports.camera is None:
            raise CommandError("CAMERA_UNAVAILABLE", "no camera backend on this node (Qt Multimedia not available)")
        return self.ports.camera

    async def _camera_list(self, _params: dict[str, Any]) -> dict[str, Any]:
        devices = [] if self.ports.camera is None else await self.ports.camera.list_devices()
        return {"devices": [{"id": d.id, "name": d.name, "position": d.position, "deviceType": d.device_type}
                            for d in devices]}

    async def _camera_snap(self, params: dict[str, Any]) -> dict[str, Any]:
        facing = _str(params, "facing", ("front", "back"))
        max_width = _int(params, "maxWidth", 1600, 1, 8192) or 1600
        quality = _number(params, "quality", 0.9, 0.05, 1.0) or 0.9
        delay = _int(params, "delayMs", 0, 0, 10_000) or 0
        _str(params, "format", ("jpg", "jpeg"))
        image = await self._camera().snap(_str(params, "deviceId"), facing, max_width, quality, delay)
        return image_payload(image, self.budget)

    async def _camera_clip(self, params: dict[str, Any]) -> dict[str, Any]:
        facing = _str(params, "facing", ("front", "back"))
        duration = _int(params, "durationMs", 3000, 200, CAMERA_CLIP_MAX_MS) or 3000
        include_audio = params.get("includeAudio", True)
        if not isinstance(include_audio, bool):
            raise invalid("includeAudio must be a boolean")
        _str(params, "format", ("mp4",))
        clip = await self._camera().clip(_str(params, "deviceId"), facing, duration, include_audio)
        return clip_payload(clip, self.budget)

    # -- location -------------------------------------------------------------------------

    async def _location_get(self, params: dict[str, Any]) -> dict[str, Any]:
        timeout_ms = _int(params, "timeoutMs", LOCATION_TIMEOUT_DEFAULT_MS, 1, LOCATION_TIMEOUT_MAX_MS)
        max_age = _int(params, "maxAgeMs", None, 0, 86_400_000)
        accuracy = _str(params, "desiredAccuracy", ("coarse", "balanced", "precise")) or "balanced"
        if self.ports.location is None:
            raise CommandError("LOCATION_UNAVAILABLE", "no location provider on this node")
        try:
            async with asyncio.timeout((timeout_ms or LOCATION_TIMEOUT_DEFAULT_MS) / 1000):
                fix = await self.ports.location.get(max_age, accuracy)
        except TimeoutError:
            raise CommandError("LOCATION_TIMEOUT", f"no location fix within {timeout_ms} ms") from None
        return location_payload(fix, accuracy)


def enabled_commands(extra: Iterable[str]) -> frozenset[str]:
    """The default-on commands plus ``extra``; ValueError names any unknown command."""
    extra = set(extra)
    unknown = sorted(extra - KNOWN)
    if unknown:
        raise ValueError(f"unknown node command(s): {', '.join(unknown)} (known: {', '.join(sorted(KNOWN))})")
    return DEFAULT_ON | extra
