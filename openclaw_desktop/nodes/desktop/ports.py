"""Ports for the desktop node's engines: screen, camera, location, notifications.

Small ``typing.Protocol``s plus the value types they return. The real adapters live in
``openclaw_desktop/ui/node_adapters/`` (Qt) and ``headless.py`` (no Qt); unit tests pass
hand-written fakes. This module imports nothing but the standard library.

Error contract: an adapter that cannot do the job raises :class:`CommandError` with the
reference's node error code (``CAMERA_UNAVAILABLE``, ``LOCATION_UNAVAILABLE``, ...)
*promptly* (no hang when the device is missing). Deadlines are applied by the command
registry, so adapters may simply await; they must clean up and re-raise on cancellation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

ImageFormat = Literal["png", "jpg"]


class CommandError(Exception):
    """A node command failed with a stable code (sent as ``node.invoke.result.error``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class EncodedImage:
    """An encoded still image (PNG or JPEG bytes) with its pixel size."""

    data: bytes
    format: ImageFormat
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class EncodedClip:
    """An encoded video (a whole file's bytes, e.g. MP4)."""

    data: bytes
    format: str
    duration_ms: int
    has_audio: bool = False


@dataclass(frozen=True, slots=True)
class CameraDevice:
    """One video input as ``camera.list`` reports it."""

    id: str
    name: str
    position: Literal["front", "back", "external", "unknown"] = "unknown"
    device_type: str = "external"


@dataclass(frozen=True, slots=True)
class PositionFix:
    """One position fix; ``timestamp_ms`` is the fix time (Unix ms, UTC)."""

    lat: float
    lon: float
    accuracy_m: float
    timestamp_ms: int
    altitude_m: float | None = None
    speed_mps: float | None = None
    heading_deg: float | None = None
    source: Literal["gps", "wifi", "cell", "unknown"] = "unknown"


class ScreenCapture(Protocol):
    """Grabs the desktop. Raises CommandError (``INVALID_REQUEST`` for a bad screen index,
    ``UNAVAILABLE`` when there is no capturable display)."""

    async def snapshot(self, screen_index: int, fmt: ImageFormat, max_width: int | None,
                       quality: float) -> EncodedImage: ...

    async def record(self, screen_index: int, duration_ms: int, fps: int) -> EncodedClip: ...


class Camera(Protocol):
    """Video inputs. With no camera: ``list_devices() == []`` and snap/clip raise
    ``CAMERA_UNAVAILABLE`` at once."""

    async def list_devices(self) -> list[CameraDevice]: ...

    async def snap(self, device_id: str | None, facing: str | None, max_width: int, quality: float,
                   delay_ms: int) -> EncodedImage: ...

    async def clip(self, device_id: str | None, facing: str | None, duration_ms: int,
                   include_audio: bool) -> EncodedClip: ...


class Location(Protocol):
    """Position source. Waits for one fix; the registry bounds the wait with ``timeoutMs``
    (raising ``LOCATION_TIMEOUT``). No provider → ``LOCATION_UNAVAILABLE``."""

    async def get(self, max_age_ms: int | None, desired_accuracy: str) -> PositionFix: ...


class Notifier(Protocol):
    """Shows a desktop notification; returns how it was delivered (e.g. ``"log"``)."""

    async def notify(self, title: str, body: str, priority: str) -> str: ...


@dataclass(frozen=True)
class SystemRunner(Protocol):
    """``system.run``: decide with the command-safety policy, then run (or raise CommandError)."""

    async def run(self, argv: list[str], cwd: str | None, timeout_ms: int) -> dict[str, Any]: ...


@dataclass(frozen=True)
class NodePorts:
    """The engines a desktop node was built with (None = not available on this host)."""

    notifier: Notifier
    screen: ScreenCapture | None = None
    camera: Camera | None = None
    location: Location | None = None
    runner: SystemRunner | None = None
