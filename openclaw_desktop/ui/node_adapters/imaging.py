"""QImage → PNG/JPEG bytes for node payloads (Qt only)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage

from openclaw_desktop.nodes.desktop.ports import CommandError, EncodedImage, ImageFormat


def encode_image(image: QImage, fmt: ImageFormat, max_width: int | None, quality: float,
                 *, error_code: str = "UNAVAILABLE") -> EncodedImage:
    """Scale down to ``max_width`` (keeping the aspect ratio, never up) and encode."""
    if image.isNull():
        raise CommandError(error_code, "captured image is empty")
    if max_width and image.width() > max_width:
        image = image.scaledToWidth(max_width, Qt.TransformationMode.SmoothTransformation)
    if fmt == "jpg" and image.hasAlphaChannel():
        image = image.convertToFormat(QImage.Format.Format_RGB888)  # JPEG has no alpha
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = image.save(buffer, "JPEG" if fmt == "jpg" else "PNG",  # type: ignore[call-overload]  # str works
                    round(quality * 100) if fmt == "jpg" else -1)
    buffer.close()
    if not ok:
        raise CommandError(error_code, f"could not encode the image as {fmt}")
    return EncodedImage(bytes(data.data()), fmt, image.width(), image.height())
