"""Screenshots of real windows under Xvfb, for the screenshot tests and their scenes.

Two ways in, same folder (``artifacts/screenshots/``, git-ignored, created on demand):

* ``save_screenshot(widget_or_none, name)`` inside a Qt scene process running on the
  Xvfb display (``QT_QPA_PLATFORM=xcb``): a widget's own pixels (``QWidget.grab()``), or
  with ``None`` the whole composited screen, tray and menus included.
* ``grab_root(display, name)`` from the test process (no Qt needed): the X root window via
  ImageMagick's ``import``, i.e. exactly what a user would see.

This module imports no test package (scenes run it as a plain script import, before the
offscreen platform that ``tests/ui/__init__.py`` forces could take effect).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
SCREENSHOTS = Path(os.environ.get("OPENCLAW_SCREENSHOTS", REPO / "artifacts" / "screenshots"))


def screenshot_path(name: str) -> Path:
    """``artifacts/screenshots/<name>.png`` (the folder is created)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / (name if name.endswith(".png") else f"{name}.png")


def save_screenshot(widget_or_none: Any, name: str, crop: tuple[int, int, int, int] | None = None) -> Path:
    """Save ``widget.grab()`` (or the whole screen for None, optionally cropped to
    ``(x, y, w, h)``) as a PNG; returns its path. Call from a Qt process on the display."""
    from PySide6.QtGui import (
        QGuiApplication,  # only scenes call this: they have Qt and a display
    )

    if widget_or_none is None:
        screen = QGuiApplication.primaryScreen()
        pixmap = screen.grabWindow(0)
        if crop is not None:
            pixmap = pixmap.copy(*crop)
    else:
        pixmap = widget_or_none.grab()
    path = screenshot_path(name)
    if not pixmap.save(str(path), "PNG"):
        raise RuntimeError(f"could not save {path}")
    return path


def grab_root(display: str, name: str, crop: tuple[int, int, int, int] | None = None) -> Path:
    """The X root window of ``display`` (what the user sees), via ImageMagick ``import``."""
    path = screenshot_path(name)
    argv = ["import", "-display", display, "-window", "root"]
    if crop is not None:
        x, y, w, h = crop
        argv += ["-crop", f"{w}x{h}+{x}+{y}", "+repage"]
    subprocess.run([*argv, str(path)], check=True, timeout=30, capture_output=True)
    return path


def run_scene(scene: Any, timeout_s: float = 120.0) -> int:
    """A scene script's ``main``: ``scene(Path(argv[1]))`` on a qasync loop over a fresh
    QApplication, its facts printed as one JSON line for the test to read."""
    import asyncio
    import json
    import sys

    import qasync  # type: ignore[import-untyped]
    from PySide6.QtWidgets import QApplication

    qapp = QApplication(sys.argv[:1])
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    with loop:
        facts = loop.run_until_complete(asyncio.wait_for(scene(Path(sys.argv[1])), timeout_s))
    print(json.dumps(facts), flush=True)
    return 0
