"""Screen port on Qt: ``QScreen.grabWindow(0)`` stills, QScreenCapture recordings.

Needs a real display (X11, or macOS/Windows). Under the ``offscreen``/``minimal`` Qt
platforms, and on Wayland where grabbing is refused, commands fail with ``UNAVAILABLE``
instead of returning a blank picture.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QScreen

from openclaw_desktop.nodes.desktop.ports import (
    CommandError,
    EncodedClip,
    EncodedImage,
    ImageFormat,
)

from .imaging import encode_image

_HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "vnc"})


class QtScreenCapture:
    """:class:`~openclaw_desktop.nodes.desktop.ports.ScreenCapture` over QtGui."""

    def _screen(self, index: int) -> QScreen:
        platform = QGuiApplication.platformName()
        if platform in _HEADLESS_PLATFORMS:
            raise CommandError("UNAVAILABLE", f"no display to capture (Qt platform {platform!r})")
        screens = QGuiApplication.screens()
        if not screens:
            raise CommandError("UNAVAILABLE", "no screens attached")
        if index >= len(screens):
            raise CommandError("INVALID_REQUEST", f"screenIndex {index} out of range ({len(screens)} screen(s))")
        return screens[index]

    async def snapshot(self, screen_index: int, fmt: ImageFormat, max_width: int | None,
                       quality: float) -> EncodedImage:
        pixmap = self._screen(screen_index).grabWindow(0)
        if pixmap.isNull():
            raise CommandError("UNAVAILABLE", f"screen capture refused by the {QGuiApplication.platformName()} "
                                              "session (Wayland needs the xcb platform or a portal)")
        return encode_image(pixmap.toImage(), fmt, max_width, quality)

    async def record(self, screen_index: int, duration_ms: int, fps: int) -> EncodedClip:
        screen = self._screen(screen_index)
        try:
            from PySide6.QtMultimedia import QMediaCaptureSession, QScreenCapture

            from .recording import record_session
        except ImportError as exc:  # PySide6-Addons or libpulse missing
            raise CommandError("UNAVAILABLE", f"screen recording needs QtMultimedia: {exc}") from None
        capture = QScreenCapture()
        capture.setScreen(screen)
        session = QMediaCaptureSession()
        session.setScreenCapture(capture)
        capture.start()
        try:
            if not capture.isActive():
                raise CommandError("UNAVAILABLE", f"screen capture did not start: {capture.errorString()}")
            return await record_session(session, duration_ms, fps)
        finally:
            capture.stop()
            session.setScreenCapture(None)  # type: ignore[arg-type]  # nullptr detaches
            capture.deleteLater()
            session.deleteLater()
