"""Run the desktop node on one Qt + asyncio loop (qasync) with the Qt adapters.

Builds the QGuiApplication (``offscreen`` platform when Linux has no display: location
and camera still work, screen capture reports ``UNAVAILABLE``), the ports, and runs
the node until SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication

from openclaw_desktop.nodes.desktop.headless import LogNotifier
from openclaw_desktop.nodes.desktop.launcher import (
    NodeLaunch,
    build_node,
    run_until_signalled,
)
from openclaw_desktop.nodes.desktop.ports import Camera, Location, NodePorts

from .screen import QtScreenCapture

log = logging.getLogger(__name__)


def qt_ports(launch: NodeLaunch) -> NodePorts:
    """The Qt adapters that this machine can load (a missing Qt module leaves its port None)."""
    camera: Camera | None = None
    location: Location | None = None
    try:
        from .camera import QtCamera

        camera = QtCamera()
    except ImportError as exc:  # PySide6-Addons not installed, or libpulse missing for QtMultimedia
        log.warning("camera unavailable: %s", exc)
    try:
        from .location import QtLocation

        location = QtLocation(launch.nmea)
    except ImportError as exc:
        log.warning("location unavailable: %s", exc)
    return NodePorts(notifier=LogNotifier(), screen=QtScreenCapture(), camera=camera, location=location)


def ensure_app() -> QGuiApplication:
    app = QGuiApplication.instance()
    if app is None:
        if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") \
                and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            log.warning("no display: using Qt's offscreen platform (screen commands will be unavailable)")
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        app = QGuiApplication([sys.argv[0] if sys.argv else "openclaw-desktop"])
        app.setDesktopFileName("openclaw-desktop")  # GeoClue identifies clients by it
    assert isinstance(app, QGuiApplication)
    return app


def run_with_qt(launch: NodeLaunch) -> int:
    import qasync  # type: ignore[import-untyped]

    app = ensure_app()
    node = build_node(launch, qt_ports(launch))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    # Python runs signal handlers only between bytecodes; while Qt waits in C++ nothing
    # runs, so a short timer lets SIGINT/SIGTERM through promptly.
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)
    try:
        with loop:
            loop.run_until_complete(run_until_signalled(node))
    finally:
        wake.stop()
        asyncio.set_event_loop(None)
    return 0
