"""Tray icons drawn at run time with QPainter, one per :class:`TrayState`.

A filled disc whose colour says the state at a glance, with a white glyph that says it
without colour (for colour-blind users and monochrome panels): three claw marks (idle),
a microphone (listening), three dots (thinking), a speaker with waves (speaking), an
exclamation mark (attention), pause bars (stopped) and a cross (error). Drawn in a
100×100 design space and rendered at every size a panel may ask for, so they stay crisp
at 16 px and on HiDPI. Needs a QGuiApplication; imports nothing of the app but the state.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from .tray_state import TrayState

SIZES = (16, 22, 24, 32, 48, 64, 128)

COLOURS: dict[TrayState, str] = {
    TrayState.IDLE: "#3b6fd8",
    TrayState.LISTENING: "#1f9d55",
    TrayState.THINKING: "#7c4dcc",
    TrayState.SPEAKING: "#0e8fa8",
    TrayState.ATTENTION: "#e8730c",
    TrayState.STOPPED: "#6b7280",
    TrayState.ERROR: "#c62828",
}
GLYPH = QColor("#ffffff")


def _pen(width: float) -> QPen:
    pen = QPen(GLYPH, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _claws(p: QPainter) -> None:
    p.setPen(_pen(9))
    for dx in (-19, 0, 19):  # three diagonal scratches, slightly curved like a claw's swipe
        path = QPointF(62 + dx, 24), QPointF(50 + dx, 54), QPointF(38 + dx, 76)
        curve = QPainterPath(path[0])
        curve.quadTo(QPointF(path[1].x() + 5, path[1].y()), path[2])
        p.drawPath(curve)


def _microphone(p: QPainter) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(GLYPH)
    p.drawRoundedRect(QRectF(39, 18, 22, 40), 11, 11)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(_pen(7))
    p.drawArc(QRectF(29, 30, 42, 40), 180 * 16, 180 * 16)
    p.drawLine(QPointF(50, 70), QPointF(50, 82))


def _dots(p: QPainter) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(GLYPH)
    for x in (28, 50, 72):
        p.drawEllipse(QPointF(x, 50), 8.5, 8.5)


def _speaker(p: QPainter) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(GLYPH)
    body = QPainterPath(QPointF(22, 40))
    for x, y in ((34, 40), (50, 26), (50, 74), (34, 60), (22, 60)):
        body.lineTo(QPointF(x, y))
    body.closeSubpath()
    p.drawPath(body)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(_pen(6.5))
    for radius in (12, 24):
        p.drawArc(QRectF(50 - radius, 50 - radius, 2 * radius, 2 * radius), -50 * 16, 100 * 16)


def _exclamation(p: QPainter) -> None:
    p.setPen(_pen(13))
    p.drawLine(QPointF(50, 22), QPointF(50, 56))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(GLYPH)
    p.drawEllipse(QPointF(50, 76), 7.5, 7.5)


def _pause(p: QPainter) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(GLYPH)
    p.drawRoundedRect(QRectF(31, 26, 13, 48), 4, 4)
    p.drawRoundedRect(QRectF(56, 26, 13, 48), 4, 4)


def _cross(p: QPainter) -> None:
    p.setPen(_pen(12))
    p.drawLine(QPointF(32, 32), QPointF(68, 68))
    p.drawLine(QPointF(68, 32), QPointF(32, 68))


GLYPHS: dict[TrayState, Callable[[QPainter], None]] = {
    TrayState.IDLE: _claws, TrayState.LISTENING: _microphone, TrayState.THINKING: _dots,
    TrayState.SPEAKING: _speaker, TrayState.ATTENTION: _exclamation, TrayState.STOPPED: _pause,
    TrayState.ERROR: _cross,
}


def render(state: TrayState, size: int) -> QPixmap:
    """One ``size``×``size`` pixmap (transparent outside the disc)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(size / 100, size / 100)
        p.setPen(QPen(QColor(0, 0, 0, 70), 2))  # a thin dark rim keeps the disc visible on any panel
        p.setBrush(QBrush(QColor(COLOURS[state])))
        p.drawEllipse(QRectF(3, 3, 94, 94))
        GLYPHS[state](p)
    finally:
        p.end()
    return pixmap


def state_icon(state: TrayState) -> QIcon:
    """The icon for ``state`` with a pixmap for every size in :data:`SIZES`."""
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(render(state, size))
    return icon


class IconCache:
    """Icons are drawn once per state and reused (state changes are frequent while talking)."""

    def __init__(self) -> None:
        self._icons: dict[TrayState, QIcon] = {}

    def __getitem__(self, state: TrayState) -> QIcon:
        if state not in self._icons:
            self._icons[state] = state_icon(state)
        return self._icons[state]
