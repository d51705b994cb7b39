"""Hand-written fakes for the desktop node's ports: they record what they were asked."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from openclaw_desktop.nodes.desktop.ports import (
    CameraDevice,
    CommandError,
    EncodedClip,
    EncodedImage,
    NodePorts,
    PositionFix,
)

VIENNA = PositionFix(lat=48.20849, lon=16.37208, accuracy_m=4.5, timestamp_ms=1767443696000, altitude_m=182.0,
                     speed_mps=0.0, heading_deg=270.0, source="gps")


@dataclass
class FakeNotifier:
    shown: list[tuple[str, str, str]] = field(default_factory=list)

    async def notify(self, title: str, body: str, priority: str) -> str:
        self.shown.append((title, body, priority))
        return "fake"


@dataclass
class FakeScreen:
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    hang: bool = False

    async def snapshot(self, screen_index, fmt, max_width, quality) -> EncodedImage:
        self.calls.append(("snapshot", screen_index, fmt, max_width, quality))
        if self.hang:
            await asyncio.Event().wait()
        width = min(max_width or 1024, 1024)
        return EncodedImage(b"\x89PNG-fake", fmt, width, width * 3 // 4)

    async def record(self, screen_index, duration_ms, fps) -> EncodedClip:
        self.calls.append(("record", screen_index, duration_ms, fps))
        return EncodedClip(b"mp4-bytes", "mp4", duration_ms)


@dataclass
class FakeCamera:
    devices: list[CameraDevice] = field(default_factory=list)
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    async def list_devices(self) -> list[CameraDevice]:
        return list(self.devices)

    async def snap(self, device_id, facing, max_width, quality, delay_ms) -> EncodedImage:
        self.calls.append(("snap", device_id, facing, max_width, quality, delay_ms))
        if not self.devices:
            raise CommandError("CAMERA_UNAVAILABLE", "no camera found on this computer")
        return EncodedImage(b"\xff\xd8jpeg", "jpg", max_width, max_width * 9 // 16)

    async def clip(self, device_id, facing, duration_ms, include_audio) -> EncodedClip:
        self.calls.append(("clip", device_id, facing, duration_ms, include_audio))
        if not self.devices:
            raise CommandError("CAMERA_UNAVAILABLE", "no camera found on this computer")
        return EncodedClip(b"clip", "mp4", duration_ms)


@dataclass
class FakeLocation:
    fix: PositionFix | None = VIENNA
    delay_s: float = 0.0
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    cancelled: int = 0

    async def get(self, max_age_ms, desired_accuracy) -> PositionFix:
        self.calls.append((max_age_ms, desired_accuracy))
        try:
            await asyncio.sleep(self.delay_s)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        if self.fix is None:
            raise CommandError("LOCATION_UNAVAILABLE", "no provider")
        return self.fix


def fake_ports(**kw: Any) -> NodePorts:
    base: dict[str, Any] = {"notifier": FakeNotifier(), "screen": FakeScreen(), "camera": FakeCamera(),
                            "location": FakeLocation()}
    base.update(kw)
    return NodePorts(**base)
