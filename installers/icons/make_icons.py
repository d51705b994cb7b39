"""Render the application icons from the tray's idle icon (run by hand, output committed).

    QT_QPA_PLATFORM=offscreen python installers/icons/make_icons.py

Writes ``openclaw-desktop-<size>.png`` (the sizes the Linux package installs into the
hicolor theme), ``openclaw-desktop.png`` (512 px), ``openclaw-desktop.ico`` (Windows) and
``openclaw-desktop.icns`` (macOS) next to this file. The drawing itself lives in
``openclaw_desktop/ui/tray_icons.py`` so the app icon and the tray icon stay one design.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QImageWriter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from openclaw_desktop.ui.tray_icons import render
from openclaw_desktop.ui.tray_state import TrayState

PNG_SIZES = (16, 32, 64, 128, 256, 512)
NAME = "openclaw-desktop"


def _write(image, path: Path, fmt: bytes) -> None:
    writer = QImageWriter(str(path), fmt)
    if not writer.write(image):
        raise SystemExit(f"cannot write {path}: {writer.errorString()}")


def main() -> None:
    app = QGuiApplication(sys.argv)  # noqa: F841 - QPixmap needs a GUI application
    for size in PNG_SIZES:
        _write(render(TrayState.IDLE, size).toImage(), HERE / f"{NAME}-{size}.png", b"png")
    _write(render(TrayState.IDLE, 512).toImage(), HERE / f"{NAME}.png", b"png")
    _write(render(TrayState.IDLE, 256).toImage(), HERE / f"{NAME}.ico", b"ico")
    _write(render(TrayState.IDLE, 512).toImage(), HERE / f"{NAME}.icns", b"icns")


if __name__ == "__main__":
    main()
