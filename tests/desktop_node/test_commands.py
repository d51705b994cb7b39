"""The command registry over hand-written fake ports (no sockets, no Qt)."""

from __future__ import annotations

import asyncio
import base64
import shutil

import pytest

from openclaw_desktop.nodes.desktop.commands import (
    DEFAULT_ON,
    SENSITIVE,
    CommandRegistry,
    enabled_commands,
    iso_ms,
)
from openclaw_desktop.nodes.desktop.ports import CameraDevice, CommandError, NodePorts

from .fakes import (
    VIENNA,
    FakeCamera,
    FakeLocation,
    FakeNotifier,
    FakeScreen,
    fake_ports,
)

ALL = enabled_commands(SENSITIVE)


async def fails(registry: CommandRegistry, command: str, params=None) -> tuple[str, str]:
    with pytest.raises(CommandError) as exc:
        await registry.invoke(command, params)
    return exc.value.code, exc.value.message


def test_sensitive_commands_are_off_by_default_and_not_declared():
    registry = CommandRegistry(fake_ports(), enabled_commands([]))
    assert registry.commands == sorted(DEFAULT_ON) == ["camera.list", "system.notify", "system.which"]
    assert registry.caps == ["camera", "system"]
    assert registry.permissions == {"camera": False, "location": False, "screenRecording": False}
    full = CommandRegistry(fake_ports(), ALL)
    assert set(full.commands) == DEFAULT_ON | SENSITIVE and full.caps == ["camera", "location", "screen", "system"]
    assert all(full.permissions.values())


def test_unknown_allow_entries_are_rejected_by_name():
    with pytest.raises(ValueError, match="unknown node command\\(s\\): screen.scrape"):
        enabled_commands(["screen.scrape"])


@pytest.mark.parametrize(("command", "code"), [
    ("camera.snap", "CAMERA_DISABLED"), ("camera.clip", "CAMERA_DISABLED"), ("location.get", "LOCATION_DISABLED"),
    ("screen.snapshot", "SCREEN_DISABLED"), ("screen.record", "SCREEN_DISABLED"),
])
async def test_disabled_sensitive_commands_fail_closed_without_touching_ports(command, code):
    ports = fake_ports()
    registry = CommandRegistry(ports, enabled_commands([]))
    got, message = await fails(registry, command)
    assert got == code and f"--allow {command}" in message
    assert ports.screen.calls == [] and ports.camera.calls == [] and ports.location.calls == []


async def test_unknown_command_and_bad_params():
    registry = CommandRegistry(fake_ports(), ALL)
    assert await fails(registry, "system.reboot", {}) == ("INVALID_REQUEST", "unknown command: system.reboot")
    assert await fails(registry, "system.run", {"command": ["ls"]}) == (
        "SYSTEM_RUN_DENIED", "SYSTEM_RUN_DENIED: companion-unavailable")  # the fake ports have no runner
    assert (await fails(registry, "system.which", [1, 2]))[0] == "INVALID_REQUEST"
    assert (await fails(registry, "system.which", {"bins": "sh"}))[0] == "INVALID_REQUEST"
    assert (await fails(registry, "screen.snapshot", {"format": "gif"}))[1] == "format must be one of png, jpg, jpeg"
    assert (await fails(registry, "screen.snapshot", {"maxWidth": "big"}))[1] == "maxWidth must be a number"
    assert (await fails(registry, "screen.snapshot", {"maxWidth": True}))[0] == "INVALID_REQUEST"
    assert (await fails(registry, "location.get", {"desiredAccuracy": "exact"}))[0] == "INVALID_REQUEST"
    assert (await fails(registry, "camera.clip", {"includeAudio": "yes"}))[0] == "INVALID_REQUEST"
    assert (await fails(registry, "system.notify", {}))[1] == "title or body is required"


async def test_system_which_finds_bare_names_only():
    registry = CommandRegistry(fake_ports(), ALL)
    result = await registry.invoke("system.which", {"bins": ["sh", "no-such-binary-xyz", "/bin/sh", "sh"]})
    assert result == {"bins": {"sh": shutil.which("sh")}}


async def test_system_notify_goes_to_the_notifier():
    notifier = FakeNotifier()
    registry = CommandRegistry(fake_ports(notifier=notifier), enabled_commands([]))
    assert await registry.invoke("system.notify", {"title": "Build", "body": "done", "priority": "passive"}) == {
        "ok": True, "delivery": "fake"}
    assert notifier.shown == [("Build", "done", "passive")]


async def test_screen_snapshot_defaults_clamps_and_payload():
    screen = FakeScreen()
    registry = CommandRegistry(fake_ports(screen=screen), ALL)
    result = await registry.invoke("screen.snapshot", None)
    assert result == {"format": "png", "base64": base64.b64encode(b"\x89PNG-fake").decode(), "width": 1024,
                      "height": 768, "screenIndex": 0}
    await registry.invoke("screen.snapshot", {"screenIndex": 1, "format": "jpeg", "maxWidth": 99999,
                                              "quality": 7})
    assert screen.calls == [("snapshot", 0, "png", None, 0.9), ("snapshot", 1, "jpg", 16384, 1.0)]


async def test_screen_record_caps_duration_at_30_seconds():
    screen = FakeScreen()
    registry = CommandRegistry(fake_ports(screen=screen), ALL)
    result = await registry.invoke("screen.record", {"durationMs": 120_000, "fps": 100})
    assert screen.calls == [("record", 0, 30_000, 30)]
    assert result == {"format": "mp4", "base64": base64.b64encode(b"mp4-bytes").decode(), "durationMs": 30_000,
                      "hasAudio": False, "fps": 30, "screenIndex": 0}


async def test_screen_without_a_backend_is_unavailable():
    registry = CommandRegistry(NodePorts(notifier=FakeNotifier()), ALL)
    code, message = await fails(registry, "screen.snapshot")
    assert code == "UNAVAILABLE" and "no Qt display backend" in message


async def test_camera_without_devices_fails_at_once():
    camera = FakeCamera()
    registry = CommandRegistry(fake_ports(camera=camera), ALL)
    assert await registry.invoke("camera.list", {}) == {"devices": []}
    async with asyncio.timeout(1):
        assert (await fails(registry, "camera.snap", {"facing": "front"}))[0] == "CAMERA_UNAVAILABLE"
        assert (await fails(registry, "camera.clip", {}))[0] == "CAMERA_UNAVAILABLE"
    assert camera.calls == [("snap", None, "front", 1600, 0.9, 0), ("clip", None, None, 3000, True)]
    no_backend = CommandRegistry(NodePorts(notifier=FakeNotifier()), ALL)
    assert await no_backend.invoke("camera.list", {}) == {"devices": []}
    assert (await fails(no_backend, "camera.snap"))[0] == "CAMERA_UNAVAILABLE"


async def test_camera_with_a_device():
    camera = FakeCamera([CameraDevice("/dev/video0", "USB Cam", "unknown", "external")])
    registry = CommandRegistry(fake_ports(camera=camera), ALL)
    assert await registry.invoke("camera.list", {}) == {"devices": [
        {"id": "/dev/video0", "name": "USB Cam", "position": "unknown", "deviceType": "external"}]}
    snap = await registry.invoke("camera.snap", {"maxWidth": 640, "quality": 0.01, "deviceId": "/dev/video0",
                                                 "delayMs": 50_000})
    assert (snap["format"], snap["width"], snap["height"]) == ("jpg", 640, 360)
    assert camera.calls[-1] == ("snap", "/dev/video0", None, 640, 0.05, 10_000)
    clip = await registry.invoke("camera.clip", {"durationMs": 999_999, "includeAudio": False})
    assert clip["durationMs"] == 60_000 and clip["hasAudio"] is False


async def test_location_payload_precise_and_coarse():
    location = FakeLocation()
    registry = CommandRegistry(fake_ports(location=location), ALL)
    assert await registry.invoke("location.get", {"desiredAccuracy": "precise", "maxAgeMs": 15000}) == {
        "lat": 48.20849, "lon": 16.37208, "accuracyMeters": 4.5, "altitudeMeters": 182.0, "speedMps": 0.0,
        "headingDeg": 270.0, "timestamp": "2026-01-03T12:34:56.000Z", "isPrecise": True, "source": "gps"}
    assert await registry.invoke("location.get", {"desiredAccuracy": "coarse"}) == {
        "lat": 48.21, "lon": 16.37, "accuracyMeters": 2000.0, "timestamp": "2026-01-03T12:34:56.000Z",
        "isPrecise": False, "source": "gps"}
    assert location.calls == [(15000, "precise"), (None, "coarse")]
    assert iso_ms(VIENNA.timestamp_ms + 7) == "2026-01-03T12:34:56.007Z"


async def test_location_timeout_and_unavailable():
    slow = FakeLocation(delay_s=10)
    registry = CommandRegistry(fake_ports(location=slow), ALL)
    async with asyncio.timeout(2):
        assert await fails(registry, "location.get", {"timeoutMs": 50}) == ("LOCATION_TIMEOUT",
                                                                            "no location fix within 50 ms")
    assert slow.cancelled == 1  # the port's wait was cancelled, not left running
    missing = CommandRegistry(fake_ports(location=FakeLocation(fix=None)), ALL)
    assert (await fails(missing, "location.get"))[0] == "LOCATION_UNAVAILABLE"
    none = CommandRegistry(NodePorts(notifier=FakeNotifier()), ALL)
    assert (await fails(none, "location.get"))[0] == "LOCATION_UNAVAILABLE"


async def test_cancellation_propagates_through_the_registry():
    slow = FakeLocation(delay_s=10)
    registry = CommandRegistry(fake_ports(location=slow), ALL)
    task = asyncio.create_task(registry.invoke("location.get", {"timeoutMs": 60_000}))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert slow.cancelled == 1


async def test_oversized_media_fail_with_payload_too_large():
    registry = CommandRegistry(fake_ports(camera=FakeCamera([CameraDevice("c", "Cam")])), ALL, max_base64_chars=4)
    for command in ("screen.snapshot", "screen.record", "camera.snap", "camera.clip"):
        assert (await fails(registry, command))[0] == "PAYLOAD_TOO_LARGE", command
