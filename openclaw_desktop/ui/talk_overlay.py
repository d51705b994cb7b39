"""The talk-mode overlay: a small translucent panel showing what the voice pipeline does.

:class:`TalkOverlay` is a frameless, translucent, always-on-top tool window that never
takes the keyboard focus (``WindowDoesNotAcceptFocus`` + ``WA_ShowWithoutActivating``),
shown at the bottom centre of the screen under the mouse pointer (or the primary one).
It shows the state with a live waveform, the live transcript, the reply text (the
sentence being spoken highlighted) and notices such as a missing microphone.

Input is reported, never acted on: a click emits ``pause_toggled(pause)`` (``True`` =
please pause), a double-click emits ``stop_speaking`` (and no pause: the single click is
held back for the double-click interval), the X button emits ``exit_talk_mode``. The
composition root wires these to the pipeline, and the pipeline's events back into
:meth:`TalkOverlay.on_voice_event`, which may be called from any thread (it is queued to
the GUI thread when needed; with qasync the asyncio loop already is that thread). Texts
update at once; level events only mark the waveform dirty, and a frame timer (~30 fps,
running only while there is something to draw) repaints it.

Qt only; the state itself lives in the pure ``voice.overlay_model``.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QElapsedTimer,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QCursor,
    QGuiApplication,
    QHideEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import QAbstractButton, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from openclaw_desktop.voice.events import Stage, VoiceEvent
from openclaw_desktop.voice.overlay_model import Change, OverlayModel

from .overlay_text import fitting_tail, reply_html, reply_suffix, text_height
from .waveform import Waveform

WIDTH = 460
BOTTOM_MARGIN = 56
"""Pixels between the overlay and the bottom of the screen's available area (taskbar)."""
FRAME_MS = 33
BREATH_PERIOD_MS = 1800
REPLY_LINES = 3
TRANSCRIPT_LINES = 2
MARGINS = (18, 12, 14, 12)
TEXT_WIDTH = WIDTH - MARGINS[0] - MARGINS[2]
NOTICE_LINES = 2

STAGE_COLOURS: dict[Stage, QColor] = {
    Stage.LISTENING: QColor(92, 205, 255),
    Stage.WAKE_DETECTED: QColor(92, 255, 170),
    Stage.CAPTURING: QColor(255, 92, 110),
    Stage.TRANSCRIBING: QColor(255, 196, 92),
    Stage.THINKING: QColor(255, 196, 92),
    Stage.SPEAKING: QColor(186, 146, 255),
    Stage.PAUSED: QColor(150, 150, 160),
    Stage.STOPPED: QColor(150, 150, 160),
    Stage.DEVICE_MISSING: QColor(255, 140, 60),
    Stage.ERROR: QColor(255, 90, 90),
}

STYLE = """
QLabel { color: #e8eaf0; background: transparent; }
QLabel#state { font-size: 16px; font-weight: 600; }
QLabel#hint { color: #9aa0b0; font-size: 12px; }
QLabel#transcript { color: #b9c6dc; font-size: 13px; font-style: italic; }
QLabel#reply { color: #b4bac8; font-size: 14px; }
QLabel#notice { color: #ffb26b; font-size: 12px; }
"""


def overlay_origin(available: QRect, size: QSize, margin: int = BOTTOM_MARGIN) -> QPoint:
    """Top-left corner that puts ``size`` at the bottom centre of ``available``."""
    x = available.x() + (available.width() - size.width()) // 2
    y = available.y() + available.height() - size.height() - margin
    return QPoint(x, max(available.y(), y))


def active_screen_geometry() -> QRect:
    """The available area of the screen under the mouse pointer, else of the primary."""
    screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def _label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)  # the style sheet addresses labels by name
    return label


class CloseButton(QAbstractButton):
    """A painted X (no font or icon theme needed) that never takes the focus."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(24, 24)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Exit talk mode")
        self.setAccessibleName("Exit talk mode")

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.underMouse() or self.isDown():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 40))
            painter.drawEllipse(QRectF(self.rect()))
        painter.setPen(QPen(QColor(230, 232, 240, 220), 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        inset = 7.5
        r = QRectF(self.rect()).adjusted(inset, inset, -inset, -inset)
        painter.drawLine(r.topLeft(), r.bottomRight())
        painter.drawLine(r.topRight(), r.bottomLeft())
        painter.end()


class TalkOverlay(QWidget):
    """The overlay window; feed it events with :meth:`on_voice_event`.

    ``click_delay_ms`` (default: the platform's double-click interval) is how long a
    single click waits to be sure it is not the start of a double-click.
    """

    pause_toggled = Signal(bool)
    """A click: ``True`` asks to pause listening, ``False`` to resume."""
    stop_speaking = Signal()
    """A double-click: stop the reply being spoken."""
    exit_talk_mode = Signal()
    """The X button."""
    _posted = Signal(object)

    def __init__(self, model: OverlayModel | None = None, *, frame_ms: int = FRAME_MS,
                 click_delay_ms: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus)
        self.model = model or OverlayModel()
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWindowTitle("OpenClaw talk mode")
        self.setFixedWidth(WIDTH)  # the height follows the text (see _fit_height)
        self.setStyleSheet(STYLE)
        self.setToolTip("Click to pause or resume · double-click to stop speaking")
        self._build()

        self._levels_dirty = False
        self._breath_clock = QElapsedTimer()
        self._frame_timer = QTimer(self)
        self._frame_timer.setInterval(frame_ms)
        self._frame_timer.timeout.connect(self._frame)
        if click_delay_ms is None:
            click_delay_ms = QGuiApplication.styleHints().mouseDoubleClickInterval()
        self._click_timer = QTimer(self)
        self._click_timer.setSingleShot(True)
        self._click_timer.setInterval(click_delay_ms)
        self._click_timer.timeout.connect(self._single_click)
        self._swallow_release = False
        # AutoConnection: a direct call on the GUI thread, queued from any other thread.
        self._posted.connect(self._apply)
        self._sync_texts()

    def _build(self) -> None:
        self.dot = QLabel(self)
        self.dot.setFixedSize(12, 12)
        self.state_label = _label("state")
        self.hint_label = _label("hint")
        self.close_button = CloseButton()
        self.close_button.clicked.connect(self.exit_talk_mode)
        self.waveform = Waveform(self.model.levels_capacity)
        self.waveform.setFixedHeight(46)
        self.transcript_label = _label("transcript")
        self.reply_label = _label("reply")
        self.reply_label.setTextFormat(Qt.TextFormat.RichText)
        self.notice_label = _label("notice")
        for label in (self.transcript_label, self.reply_label, self.notice_label):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            label.ensurePolished()  # the style sheet's font size, for the metrics
        self.reply_label.setAccessibleName("Reply")
        self.transcript_label.setAccessibleName("What you said")

        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.dot, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.state_label)
        header.addWidget(self.hint_label, 1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*MARGINS)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.waveform)
        layout.addWidget(self.transcript_label)
        layout.addWidget(self.reply_label)
        layout.addWidget(self.notice_label)
        self._layout = layout

    # --- events in -------------------------------------------------------------------

    def on_voice_event(self, event: VoiceEvent) -> None:
        """Take one pipeline event (any thread; cheap: levels are drawn per frame)."""
        self._posted.emit(event)

    @Slot(object)
    def _apply(self, event: VoiceEvent) -> None:
        change = self.model.apply(event)
        if change & Change.TEXT:
            self._sync_texts()
        if change & Change.LEVELS:
            self._levels_dirty = True
        if change:
            self._schedule_frames()

    def _sync_texts(self) -> None:
        view = self.model.view
        colour = STAGE_COLOURS.get(view.stage, QColor("white"))
        self.dot.setStyleSheet(f"background: {colour.name()}; border-radius: 6px;")
        self.state_label.setText(view.label)
        self.hint_label.setText(view.hint)
        transcript = view.transcript and "“" + self._fit(self.transcript_label, view.transcript,
                                                         TRANSCRIPT_LINES, "”") + "”"
        self._show_text(self.transcript_label, transcript, transcript)
        shown = self._fit(self.reply_label, view.reply, REPLY_LINES, reply_suffix(view))
        self._show_text(self.reply_label, reply_html(view, shown), shown + reply_suffix(view))
        notice = self._fit(self.notice_label, view.notice, NOTICE_LINES)
        self._show_text(self.notice_label, notice, notice)
        self._fit_height()

    @staticmethod
    def _fit(label: QLabel, text: str, lines: int, suffix: str = "") -> str:
        return fitting_tail(text, label.fontMetrics(), TEXT_WIDTH, lines, suffix) if text else ""

    @staticmethod
    def _show_text(label: QLabel, text: str, plain: str) -> None:
        """Set the text and size the label to exactly its wrapped lines; hide it when empty."""
        label.setText(text)
        label.setFixedHeight(text_height(label.fontMetrics(), TEXT_WIDTH, plain) if plain else 0)
        label.setVisible(bool(plain))

    def _fit_height(self) -> None:
        """Grow or shrink to the content, keeping the bottom edge where it is."""
        self._layout.invalidate()  # labels changed their fixed heights and visibility
        height = self.sizeHint().height()
        if height == self.height():
            return
        bottom = self.geometry().bottom()
        self.setFixedHeight(height)
        if self.isVisible():
            self.move(self.x(), bottom + 1 - height)

    def _schedule_frames(self) -> None:
        if not self.isVisible():
            return  # showEvent draws the current state
        if self.model.view.waiting and not self._breath_clock.isValid():
            self._breath_clock.start()
        if not self._frame_timer.isActive():
            self._frame_timer.start()

    def _frame(self) -> None:
        view = self.model.view
        if view.waiting:
            if not self._breath_clock.isValid():
                self._breath_clock.start()
            self.waveform.set_breath(self._breath_clock.elapsed() / BREATH_PERIOD_MS)
            self._levels_dirty = False
            return  # keep breathing: the timer runs on
        self._breath_clock.invalidate()
        if self._levels_dirty or self.waveform.breath is not None:
            self._levels_dirty = False
            self.waveform.set_levels(self.model.levels, view.wave_source)
        else:
            self._frame_timer.stop()  # nothing moves: no timer ticking while idle

    @property
    def animating(self) -> bool:
        """The frame timer is running (levels to draw, or breathing)."""
        return self._frame_timer.isActive()

    # --- showing ---------------------------------------------------------------------

    def show_on_active_screen(self) -> None:
        """Show (without activating) at the bottom centre of the screen under the pointer."""
        self.move(overlay_origin(active_screen_geometry(), self.size()))
        self.show()  # on top by its flag; raise_() would be a no-op or a warning on some platforms

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        super().showEvent(event)
        self._sync_texts()
        self._levels_dirty = True
        self._schedule_frames()

    def hideEvent(self, event: QHideEvent) -> None:  # Qt override
        super().hideEvent(event)
        self._frame_timer.stop()
        self._click_timer.stop()

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255, 46), 1))
        painter.setBrush(QColor(16, 18, 26, 224))  # translucent: the desktop shows through
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 18, 18)
        painter.end()

    # --- clicks ----------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt override
        event.accept()  # the release decides; accepting keeps the press from other widgets

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # Qt override
        event.accept()
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self._swallow_release:  # the release that ends a double-click (wherever it happens)
            self._swallow_release = False
            return
        if self.rect().contains(event.position().toPoint()):  # dragged off: no click
            self._click_timer.start()  # a pause unless a second click follows in time

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # Qt override
        event.accept()
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._click_timer.stop()
        self._swallow_release = True
        self.stop_speaking.emit()

    def _single_click(self) -> None:
        self.pause_toggled.emit(not self.model.view.paused)

