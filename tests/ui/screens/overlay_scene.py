"""A desktop scene for the overlay's real-window tests, run as a child process on Xvfb.

It shows a striped backdrop (so translucency is visible), an "editor" window holding the
keyboard focus, and the talk overlay in one of the named states (``STATES``). It reads one
command per line on stdin and answers with one JSON line on stdout:

``state NAME``   a fresh overlay fed NAME's events → ``{"ready": NAME, "overlay": [x, y, w, h],
                 "close": [x, y, w, h]}`` (screen coordinates)
``focus``        → ``{"focus": title or null, "active": title or null}`` (Qt's view)
``plain``        show an ordinary window (the control: it does take the focus) → ``{"ok": "plain"}``
``raise``        activate and raise the editor → ``{"ok": "raise", "editor": [x, y, w, h]}``
``pixel X Y``    the composited screen's colour there → ``{"pixel": [r, g, b]}``
``quit``

The overlay's signals are reported as ``{"signal": NAME, "args": [...]}`` lines. Needs
``QT_QPA_PLATFORM=xcb`` and ``DISPLAY``.
"""

from __future__ import annotations

import json
import math
import sys

from PySide6.QtCore import QPoint, QPointF, QSocketNotifier, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QLinearGradient,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget

from openclaw_desktop.ui.talk_overlay import TalkOverlay
from openclaw_desktop.voice.events import (
    AudioLevel,
    Capturing,
    DeviceMissing,
    ErrorCode,
    Listening,
    Paused,
    PipelineError,
    ReplyDelta,
    SpeakingStarted,
    Thinking,
    Transcribing,
    TranscriptReady,
    VoiceEvent,
    WakeDetected,
    WakeSource,
)
from openclaw_desktop.voice.overlay_model import OverlayModel


def speech_levels(source: str, n: int = 48, loud: float = 0.25) -> list[VoiceEvent]:
    """A lively, deterministic level envelope (syllables under a slower phrase contour)."""
    return [AudioLevel(source=source, rms=0.002 + loud * (abs(math.sin(i * 0.55)) * (0.6 + 0.4 * math.sin(i * 0.11)))
                       ** 2) for i in range(n)]


COMMAND = "What's on my calendar tomorrow morning?"
HEARD = "Hey Jarvis, what's on my calendar tomorrow morning?"
REPLY_1 = "You have two meetings tomorrow morning. "
REPLY_2 = "Stand-up with the platform team at nine, then a design review at half past ten."
WOKEN: list[VoiceEvent] = [Listening(talk_mode=True), WakeDetected(source=WakeSource.WAKE_WORD, phrase="hey jarvis",
                                                                   score=0.93, transcript="Hey Jarvis,")]
ASKED: list[VoiceEvent] = [*WOKEN, Capturing(), Transcribing(audio_s=2.9), TranscriptReady(text=HEARD, command=COMMAND),
                           Thinking(command=COMMAND)]

STATES: dict[str, list[VoiceEvent]] = {
    "listening": [Listening(), *speech_levels("mic", loud=0.03)],
    "capturing": [*WOKEN, Capturing(), *speech_levels("mic")],
    "thinking": ASKED,
    "speaking": [*ASKED, ReplyDelta(text=REPLY_1), SpeakingStarted(text=REPLY_1.strip(), index=0),
                 ReplyDelta(text=REPLY_2), *speech_levels("playback", loud=0.3)],
    "device_missing": [Listening(), DeviceMissing(kind="input", retry_s=2.0,
                                                  message="No microphone found. Plug one in or pick another in Settings.")],
    "paused": [Listening(), *speech_levels("mic", loud=0.03), Paused()],
    "error": [*ASKED, PipelineError(code=ErrorCode.REPLY_FAILED, message="No Anthropic API key is set.")],
}


class Backdrop(QWidget):
    """A full-screen striped "desktop" under everything, so see-through parts show."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnBottomHint)
        self.setWindowTitle("backdrop")
        self.setGeometry(QGuiApplication.primaryScreen().geometry())

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        gradient = QLinearGradient(0, 0, self.width(), self.height())
        gradient.setColorAt(0, QColor(32, 110, 160))
        gradient.setColorAt(1, QColor(190, 90, 60))
        painter.fillRect(self.rect(), gradient)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 60))
        for x in range(-self.height(), self.width(), 48):  # diagonal stripes
            h = self.height()
            painter.drawPolygon([QPointF(x, 0), QPointF(x + 24, 0), QPointF(x + 24 + h, h), QPointF(x + h, h)])
        painter.setPen(QColor(255, 255, 255, 200))
        painter.setFont(QFont("DejaVu Sans", 40, QFont.Weight.Bold))
        painter.drawText(self.rect().adjusted(0, 0, 0, -40), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                         "The desktop shows through")
        painter.end()


class Scene:
    """The windows and the stdin command loop."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.backdrop = Backdrop()
        self.backdrop.show()
        self.editor = QWidget()
        self.editor.setWindowTitle("editor")
        layout = QVBoxLayout(self.editor)
        layout.addWidget(QLabel("An editor that has the keyboard focus"))
        self.line = QLineEdit("typing here…")
        layout.addWidget(self.line)
        # Overlaps the overlay's spot (bottom centre), so "raise" tests staying on top.
        screen = QGuiApplication.primaryScreen().availableGeometry()
        self.editor.setGeometry(screen.center().x() - 340, screen.bottom() - 210, 300, 150)
        self.editor.show()
        self.line.setFocus()
        self.editor.activateWindow()
        self.overlay: TalkOverlay | None = None
        self.plain: QWidget | None = None
        self.notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
        self.notifier.activated.connect(self.read_command)

    def reply(self, message: dict) -> None:
        print(json.dumps(message), flush=True)

    def read_command(self) -> None:
        line = sys.stdin.readline()
        if not line:
            self.app.quit()
            return
        cmd, *args = line.split()
        if cmd == "state":
            self.show_state(args[0])
        elif cmd == "focus":
            focus, active = QGuiApplication.focusWindow(), QApplication.activeWindow()
            self.reply({"focus": focus.title() if focus else None, "active": active.windowTitle() if active else None})
        elif cmd == "plain":
            self.plain = QWidget()
            self.plain.setWindowTitle("plain")
            self.plain.setGeometry(40, 40, 200, 100)
            self.plain.show()
            self.reply({"ok": "plain"})
        elif cmd == "raise":
            self.editor.raise_()
            self.editor.activateWindow()
            self.reply({"ok": "raise", "editor": list(self.editor.frameGeometry().getRect())})
        elif cmd == "pixel":
            x, y = int(args[0]), int(args[1])
            colour = QGuiApplication.primaryScreen().grabWindow(0).toImage().pixelColor(x, y)
            self.reply({"pixel": [colour.red(), colour.green(), colour.blue()]})
        elif cmd == "quit":
            self.app.quit()

    def show_state(self, name: str) -> None:
        if self.overlay is not None:
            self.overlay.close()
        overlay = self.overlay = TalkOverlay(OverlayModel())
        for signal in ("pause_toggled", "stop_speaking", "exit_talk_mode"):
            getattr(overlay, signal).connect(lambda *args, s=signal: self.reply({"signal": s, "args": list(args)}))
        for event in STATES[name]:
            overlay.on_voice_event(event)
        overlay.show_on_active_screen()
        # Give the frame timer, the X server and the compositor time to draw it.
        QTimer.singleShot(400, lambda: self.reply({"ready": name, "overlay": list(overlay.geometry().getRect()),
                                                   "close": self.global_rect(overlay.close_button)}))

    @staticmethod
    def global_rect(widget: QWidget) -> list[int]:
        corner = widget.mapToGlobal(QPoint(0, 0))
        return [corner.x(), corner.y(), widget.width(), widget.height()]


def main() -> int:
    app = QApplication(sys.argv)
    app.setQuitOnLastWindowClosed(False)
    scene = Scene(app)
    QTimer.singleShot(300, lambda: scene.reply({"ready": "scene"}))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
