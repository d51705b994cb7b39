"""Camera port on QtMultimedia: ``QMediaDevices.videoInputs()``, ``QCamera`` +
``QImageCapture`` for stills, ``QMediaRecorder`` for clips.

With no video input, ``snap``/``clip`` raise ``CAMERA_UNAVAILABLE`` before touching
any device (no waiting). Each capture opens the camera, waits (bounded) until it is
ready, captures and closes it again, also on cancellation.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from PySide6.QtGui import QImage
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QImageCapture,
    QMediaCaptureSession,
    QMediaDevices,
)

from openclaw_desktop.nodes.desktop.ports import (
    CameraDevice,
    CommandError,
    EncodedClip,
    EncodedImage,
)

from .imaging import encode_image
from .recording import record_session

READY_TIMEOUT_S = 10.0
CAPTURE_TIMEOUT_S = 10.0
_POSITION: dict[QCameraDevice.Position, Literal["front", "back", "unknown"]] = {
    QCameraDevice.Position.FrontFace: "front", QCameraDevice.Position.BackFace: "back"}


def _device_id(device: QCameraDevice) -> str:
    return bytes(device.id().data()).decode("utf-8", "replace")


class QtCamera:
    """:class:`~openclaw_desktop.nodes.desktop.ports.Camera` over QtMultimedia."""

    async def list_devices(self) -> list[CameraDevice]:
        out = []
        for device in QMediaDevices.videoInputs():
            position = _POSITION.get(device.position(), "unknown")
            out.append(CameraDevice(_device_id(device), device.description(), position,
                                    "builtIn" if position != "unknown" else "external"))
        return out

    def _pick(self, device_id: str | None, facing: str | None) -> QCameraDevice:
        devices = QMediaDevices.videoInputs()
        if not devices:
            raise CommandError("CAMERA_UNAVAILABLE", "no camera found on this computer")
        if device_id is not None:
            for device in devices:
                if _device_id(device) == device_id:
                    return device
            raise CommandError("INVALID_REQUEST", f"unknown camera deviceId: {device_id}")
        if facing is not None:
            for device in devices:
                if _POSITION.get(device.position()) == facing:
                    return device
        default = QMediaDevices.defaultVideoInput()
        return devices[0] if default.isNull() else default

    async def _open(self, device: QCameraDevice) -> tuple[QCamera, QMediaCaptureSession]:
        camera = QCamera(device)
        session = QMediaCaptureSession()
        session.setCamera(camera)
        active: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def on_active(is_active: bool) -> None:
            if is_active and not active.done():
                active.set_result(None)

        def on_error(_error: QCamera.Error, text: str) -> None:
            if not active.done():
                active.set_exception(CommandError("CAMERA_UNAVAILABLE", text or "camera error"))

        camera.activeChanged.connect(on_active)
        camera.errorOccurred.connect(on_error)
        camera.start()
        try:
            if camera.error() != QCamera.Error.NoError:
                raise CommandError("CAMERA_UNAVAILABLE", camera.errorString() or "camera error")
            async with asyncio.timeout(READY_TIMEOUT_S):
                await active
        except BaseException:
            self._close(camera, session)
            raise
        return camera, session

    @staticmethod
    def _close(camera: QCamera, session: QMediaCaptureSession) -> None:
        camera.stop()
        session.setCamera(None)  # type: ignore[arg-type]  # nullptr detaches
        camera.deleteLater()
        session.deleteLater()

    async def snap(self, device_id: str | None, facing: str | None, max_width: int, quality: float,
                   delay_ms: int) -> EncodedImage:
        device = self._pick(device_id, facing)
        try:
            camera, session = await self._open(device)
        except TimeoutError:
            raise CommandError("CAMERA_UNAVAILABLE", "camera did not start in time") from None
        capture = QImageCapture()
        session.setImageCapture(capture)
        loop = asyncio.get_running_loop()
        image: asyncio.Future[QImage] = loop.create_future()

        def on_captured(_id: int, img: QImage) -> None:
            if not image.done():
                image.set_result(QImage(img))  # copy: Qt may reuse the buffer after the signal

        def on_capture_error(_id: int, _error: QImageCapture.Error, text: str) -> None:
            if not image.done():
                image.set_exception(CommandError("CAMERA_UNAVAILABLE", text or "capture failed"))

        capture.imageCaptured.connect(on_captured)
        capture.errorOccurred.connect(on_capture_error)
        try:
            if delay_ms:
                await asyncio.sleep(delay_ms / 1000)
            async with asyncio.timeout(READY_TIMEOUT_S):
                while not capture.isReadyForCapture():
                    await asyncio.sleep(0.05)
            capture.capture()
            async with asyncio.timeout(CAPTURE_TIMEOUT_S):
                frame = await image
        except TimeoutError:
            raise CommandError("CAMERA_UNAVAILABLE", "camera did not deliver a picture in time") from None
        finally:
            session.setImageCapture(None)  # type: ignore[arg-type]  # nullptr detaches
            capture.deleteLater()
            self._close(camera, session)
        return encode_image(frame, "jpg", max_width, quality, error_code="CAMERA_UNAVAILABLE")

    async def clip(self, device_id: str | None, facing: str | None, duration_ms: int,
                   include_audio: bool) -> EncodedClip:
        # Audio is not recorded yet (needs a QAudioInput and microphone consent): hasAudio false.
        device = self._pick(device_id, facing)
        try:
            camera, session = await self._open(device)
        except TimeoutError:
            raise CommandError("CAMERA_UNAVAILABLE", "camera did not start in time") from None
        try:
            return await record_session(session, duration_ms, None, error_code="CAMERA_UNAVAILABLE")
        finally:
            self._close(camera, session)
