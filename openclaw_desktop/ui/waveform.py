"""The talk overlay's waveform: mirrored bars of recent audio levels.

:class:`Waveform` draws the bar heights (0..1, oldest first, newest at the right edge)
that :class:`~openclaw_desktop.voice.overlay_model.OverlayModel` keeps — the microphone
level while listening, the playback envelope while speaking — in the feed's colour; while
the pipeline transcribes or thinks it "breathes" (a slow travelling swell, no audio);
otherwise it is a flat dim line. It never repaints by itself: the overlay calls
``set_levels`` / ``set_breath`` from its frame timer, so redraws are coalesced to the
frame rate however fast levels arrive. Qt only; imports nothing of the voice engines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

FEED_COLOURS = {
    "mic": QColor(92, 205, 255),
    "playback": QColor(186, 146, 255),
}
BREATH_COLOUR = QColor(255, 196, 92)
IDLE_COLOUR = QColor(255, 255, 255, 70)
MIN_BAR = 0.04
"""Height (fraction of the widget) of a silent bar, so the line never disappears."""


def breathing_levels(bars: int, phase: float) -> list[float]:
    """Bar heights for the waiting animation: a low swell travelling left to right.

    ``phase`` is the animation time in cycles (any float; the pattern repeats every 1.0).
    """
    return [0.12 + 0.16 * (1 + math.sin(2 * math.pi * (phase - i / max(bars, 1) * 1.5))) / 2
            for i in range(bars)]


class Waveform(QWidget):
    """Mirrored level bars; ``bars`` is how many slots the width is divided into."""

    def __init__(self, bars: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars = bars
        self.levels: tuple[float, ...] = ()
        self.source: str | None = None
        self.breath: float | None = None
        self.repaints_requested = 0
        """How many redraws were asked for (tests check that levels are coalesced)."""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # clicks go to the overlay
        self.setAccessibleName("Audio level")

    def set_levels(self, levels: Sequence[float], source: str | None) -> None:
        """Show these heights (0..1, oldest first) of ``source`` ("mic", "playback", None)."""
        self.levels, self.source, self.breath = tuple(levels), source, None
        self._repaint()

    def set_breath(self, phase: float | None) -> None:
        """Breathe at ``phase`` (cycles), or stop breathing with None."""
        self.breath = phase
        self._repaint()

    def _repaint(self) -> None:
        self.repaints_requested += 1
        self.update()

    def bar_heights(self) -> list[float]:
        """The height of every slot, left to right (what ``paintEvent`` draws)."""
        if self.breath is not None:
            return breathing_levels(self.bars, self.breath)
        recent = list(self.levels[-self.bars:])
        return [MIN_BAR] * (self.bars - len(recent)) + [max(MIN_BAR, v) for v in recent]

    def colour(self) -> QColor:
        """The feed's colour, amber while breathing, dim white when idle."""
        if self.breath is not None:
            return BREATH_COLOUR
        if self.source is None:
            return IDLE_COLOUR
        return FEED_COLOURS.get(self.source, IDLE_COLOUR)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colour())
        slot = self.width() / self.bars
        bar = max(1.5, slot * 0.55)
        mid = self.height() / 2
        for i, height in enumerate(self.bar_heights()):
            half = max(bar / 2, height * (self.height() - 2) / 2)
            x = i * slot + (slot - bar) / 2
            painter.drawRoundedRect(QRectF(x, mid - half, bar, 2 * half), bar / 2, bar / 2)
        painter.end()
