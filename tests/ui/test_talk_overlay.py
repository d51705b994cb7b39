"""The talk-mode overlay (offscreen Qt): events drive what it shows, clicks become signals,
it stays out of the keyboard focus, and level updates are drawn per frame, not per event."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from openclaw_desktop.ui.overlay_text import (
    fitting_tail,
    lines_height,
    reply_html,
    text_height,
)
from openclaw_desktop.ui.talk_overlay import (
    BOTTOM_MARGIN,
    REPLY_LINES,
    TEXT_WIDTH,
    TalkOverlay,
    overlay_origin,
)
from openclaw_desktop.voice.events import (
    AudioLevel,
    BargeIn,
    Capturing,
    DeviceMissing,
    DeviceReady,
    ErrorCode,
    Listening,
    Paused,
    PipelineError,
    ReplyDelta,
    SpeakingStarted,
    SpeakingStopped,
    Stage,
    Thinking,
    TranscriptReady,
    VoiceEvent,
    WakeDetected,
    WakeSource,
)
from openclaw_desktop.voice.overlay_model import OverlayModel

CLICK_MS = 60
REPO = Path(__file__).resolve().parents[2]
LEFT = Qt.MouseButton.LeftButton

SPEAKING: list[VoiceEvent] = [
    Listening(talk_mode=True), WakeDetected(source=WakeSource.TALK_MODE), Capturing(),
    TranscriptReady(text="What's the weather <today>?", command="What's the weather <today>?"),
    Thinking(command="What's the weather <today>?"), ReplyDelta(text="Sunny & warm. "),
    SpeakingStarted(text="Sunny & warm.", index=0), ReplyDelta(text="Take a hat."),
]


@pytest.fixture
def overlay(qtbot) -> Iterator[TalkOverlay]:
    widget = TalkOverlay(OverlayModel(history_size=32), click_delay_ms=CLICK_MS)
    qtbot.addWidget(widget)
    yield widget


def feed(overlay: TalkOverlay, events: list[VoiceEvent]) -> None:
    for event in events:
        overlay.on_voice_event(event)


def shown(qtbot, overlay: TalkOverlay) -> TalkOverlay:
    overlay.show_on_active_screen()
    qtbot.waitUntil(overlay.isVisible)
    return overlay


def test_window_is_a_frameless_translucent_on_top_tool_that_refuses_focus(overlay: TalkOverlay) -> None:
    flags = overlay.windowFlags()
    for flag in (Qt.WindowType.FramelessWindowHint, Qt.WindowType.WindowStaysOnTopHint,
                 Qt.WindowType.WindowDoesNotAcceptFocus):
        assert flags & flag, flag
    assert overlay.windowType() == Qt.WindowType.Tool
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert overlay.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert overlay.close_button.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_events_drive_the_visible_texts(qtbot, overlay: TalkOverlay) -> None:
    shown(qtbot, overlay)
    assert (overlay.state_label.text(), overlay.hint_label.text()) == ("Listening", "Say “hey jarvis”")
    assert not overlay.notice_label.isVisible()

    feed(overlay, SPEAKING[:3])
    assert (overlay.state_label.text(), overlay.hint_label.text()) == ("Listening to you", "Pause when you're done")
    feed(overlay, SPEAKING[3:5])
    assert overlay.state_label.text() == "Thinking"
    assert overlay.transcript_label.text() == "“What's the weather <today>?”"
    assert overlay.transcript_label.textFormat() != Qt.TextFormat.RichText or "&lt;" in overlay.transcript_label.text()
    feed(overlay, SPEAKING[5:])
    assert (overlay.state_label.text(), overlay.hint_label.text()) == ("Speaking", "Double-click to stop")
    assert overlay.reply_label.text() == \
        '<span style="color:#ffffff">Sunny &amp; warm.</span> Take a hat.'  # the spoken sentence bright

    feed(overlay, [BargeIn(frames=2), SpeakingStopped(reason="barge_in"), Capturing()])
    assert overlay.reply_label.text() == ""  # the next turn starts clean

    feed(overlay, [DeviceMissing(kind="input", message="No microphone found.", retry_s=2.0)])
    assert overlay.state_label.text() == "No microphone"
    assert overlay.notice_label.isVisible()
    assert overlay.notice_label.text() == "No microphone found. Retrying every 2 s."
    feed(overlay, [DeviceReady(kind="input"), Listening()])
    assert overlay.state_label.text() == "Listening" and not overlay.notice_label.isVisible()

    feed(overlay, [PipelineError(code=ErrorCode.GATEWAY_UNAVAILABLE, message="connection refused")])
    assert (overlay.state_label.text(), overlay.notice_label.text()) == ("Gateway unavailable", "connection refused")


def test_events_from_another_thread_are_applied_on_the_gui_thread(qtbot, overlay: TalkOverlay) -> None:
    shown(qtbot, overlay)
    applied_on: list[threading.Thread] = []
    overlay.model.apply = lambda event, apply=overlay.model.apply: (  # type: ignore[method-assign]
        applied_on.append(threading.current_thread()), apply(event))[1]
    worker = threading.Thread(target=feed, args=(overlay, [Paused()]))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: overlay.state_label.text() == "Paused")
    assert applied_on == [threading.main_thread()]


def test_click_asks_to_pause_then_to_resume(qtbot, overlay: TalkOverlay) -> None:
    shown(qtbot, overlay)
    with qtbot.waitSignal(overlay.pause_toggled) as blocker:
        qtbot.mouseClick(overlay, LEFT, pos=blank_spot(overlay))
    assert blocker.args == [True]
    feed(overlay, [Paused()])  # the pipeline confirms
    assert overlay.state_label.text() == "Paused" and overlay.hint_label.text() == "Click to resume"
    with qtbot.waitSignal(overlay.pause_toggled) as blocker:
        qtbot.mouseClick(overlay.transcript_label, LEFT)  # labels pass clicks to the overlay
    assert blocker.args == [False]


def blank_spot(overlay: TalkOverlay) -> QPoint:
    """A point on the overlay's own background (its bottom padding)."""
    return QPoint(40, overlay.height() - 5)


def double_click(widget: QWidget, pos: QPoint) -> None:
    """What Qt delivers for a real double-click (checked under Xvfb with xdotool):
    press, release, double-click, release."""
    QTest.mousePress(widget, LEFT, pos=pos)
    QTest.mouseRelease(widget, LEFT, pos=pos)
    QTest.mouseDClick(widget, LEFT, pos=pos)
    QTest.mouseRelease(widget, LEFT, pos=pos)


def test_double_click_stops_speaking_and_does_not_also_pause(qtbot, overlay: TalkOverlay) -> None:
    shown(qtbot, overlay)
    feed(overlay, SPEAKING)
    pauses: list[bool] = []
    stops: list[bool] = []
    overlay.pause_toggled.connect(pauses.append)
    overlay.stop_speaking.connect(lambda: stops.append(True))
    double_click(overlay, blank_spot(overlay))
    assert stops == [True]
    qtbot.wait(CLICK_MS * 4)
    assert pauses == [] and stops == [True]


def test_x_button_exits_talk_mode_without_pausing(qtbot, overlay: TalkOverlay) -> None:
    shown(qtbot, overlay)
    pauses: list[bool] = []
    overlay.pause_toggled.connect(pauses.append)
    with qtbot.waitSignal(overlay.exit_talk_mode):
        qtbot.mouseClick(overlay.close_button, LEFT)
    qtbot.wait(CLICK_MS * 3)
    assert pauses == []
    assert overlay.close_button.toolTip() == "Exit talk mode"


# Focus is not tested here: the offscreen platform focuses every window it shows (only tool
# tips are spared), whatever its flags. tests/ui/screens/test_overlay_screens.py shows the
# overlay under Xvfb with a window manager, where an ordinary window does take the focus, and
# checks that the overlay does not, also when clicked for real.


def test_shown_at_the_bottom_centre_of_the_active_screen(qtbot, overlay: TalkOverlay) -> None:
    shown(qtbot, overlay)
    available = QGuiApplication.primaryScreen().availableGeometry()  # offscreen: one screen
    frame = overlay.geometry()
    assert available.contains(frame)
    assert abs(frame.center().x() - available.center().x()) <= 1
    assert frame.bottom() == available.bottom() - BOTTOM_MARGIN


@pytest.mark.parametrize(("available", "size", "origin"), [
    (QRect(0, 0, 1920, 1040), QSize(460, 224), QPoint(730, 760)),
    (QRect(1920, 30, 1280, 1000), QSize(460, 224), QPoint(2330, 750)),  # a second monitor, top panel
    (QRect(0, 0, 400, 200), QSize(460, 224), QPoint(-30, 0)),  # never above the screen's top
])
def test_overlay_origin(available: QRect, size: QSize, origin: QPoint) -> None:
    assert overlay_origin(available, size) == origin


def test_levels_are_coalesced_into_frames(qtbot, overlay: TalkOverlay) -> None:
    shown(qtbot, overlay)
    qtbot.waitUntil(lambda: not overlay.animating)  # nothing moves: the timer sleeps
    before = overlay.waveform.repaints_requested
    for i in range(300):  # far faster than any frame rate
        overlay.on_voice_event(AudioLevel(source="mic", rms=0.001 * (i % 100 + 1)))
    assert overlay.waveform.repaints_requested == before  # nothing drawn per event
    assert overlay.animating
    qtbot.waitUntil(lambda: overlay.waveform.levels == overlay.model.levels)
    qtbot.waitUntil(lambda: not overlay.animating)
    assert 1 <= overlay.waveform.repaints_requested - before <= 2
    assert overlay.waveform.source == "mic"
    assert len(overlay.waveform.bar_heights()) == 32


def test_waveform_breathes_while_thinking_and_follows_playback_while_speaking(qtbot, overlay: TalkOverlay) -> None:
    shown(qtbot, overlay)
    feed(overlay, SPEAKING[:5])
    assert overlay.model.view.stage is Stage.THINKING
    qtbot.waitUntil(lambda: overlay.waveform.breath is not None)
    first = overlay.waveform.breath
    qtbot.waitUntil(lambda: overlay.waveform.breath != first)  # it moves on its own
    assert overlay.animating
    feed(overlay, SPEAKING[5:] + [AudioLevel(source="playback", rms=0.1)])
    qtbot.waitUntil(lambda: overlay.waveform.breath is None and overlay.waveform.source == "playback")
    assert overlay.waveform.levels == pytest.approx((2 / 3,))
    qtbot.waitUntil(lambda: not overlay.animating)


def test_hidden_overlay_runs_no_timers(qtbot, overlay: TalkOverlay) -> None:
    feed(overlay, SPEAKING[:5] + [AudioLevel(source="mic", rms=0.2)])
    assert not overlay.animating
    shown(qtbot, overlay)
    assert overlay.animating  # thinking: breathing starts when shown
    overlay.hide()
    assert not overlay.animating


def test_reply_html_escapes_and_marks_a_stopped_reply() -> None:
    model = OverlayModel()
    for event in SPEAKING + [BargeIn(frames=2)]:
        model.apply(event)
    assert reply_html(model.view) == "Sunny &amp; warm. Take a hat. —"


def test_height_follows_the_text_and_the_bottom_edge_stays(qtbot, overlay: TalkOverlay) -> None:
    shown(qtbot, overlay)
    bottom, empty = overlay.geometry().bottom(), overlay.height()
    assert not overlay.transcript_label.isVisible() and not overlay.reply_label.isVisible()
    feed(overlay, SPEAKING)
    assert overlay.height() > empty + 2 * overlay.reply_label.fontMetrics().lineSpacing()
    assert overlay.geometry().bottom() == bottom  # grew upwards
    feed(overlay, [SpeakingStopped(), Listening(talk_mode=True), WakeDetected(source=WakeSource.TALK_MODE)])
    assert overlay.height() == empty and overlay.geometry().bottom() == bottom


def test_a_long_reply_shows_its_newest_words_in_three_lines(qtbot, overlay: TalkOverlay) -> None:
    shown(qtbot, overlay)
    words = [f"word{i}" for i in range(150)]
    feed(overlay, [*SPEAKING[:5], ReplyDelta(text=" ".join(words) + ". "),
                   SpeakingStarted(text="The end is near.", index=3), ReplyDelta(text="The end is near.")])
    text = overlay.reply_label.text()
    assert text.startswith("…word") and text.endswith('<span style="color:#ffffff">The end is near.</span>')
    metrics = overlay.reply_label.fontMetrics()
    assert overlay.reply_label.height() == lines_height(metrics, REPLY_LINES)  # full, and no more
    shown_words = text.removeprefix("…").split()
    assert shown_words[0] in words and len(shown_words) > 10  # whole words, a good part of the reply


@pytest.mark.parametrize(("text", "lines"), [
    ("short", 1), ("a b c " * 40, 1), ("a b c " * 40, 2), ("x" * 500, 2), ("", 1),
])
def test_fitting_tail_fits_and_keeps_the_end(qtbot, overlay: TalkOverlay, text: str, lines: int) -> None:
    metrics = overlay.reply_label.fontMetrics()
    fitted = fitting_tail(text, metrics, TEXT_WIDTH, lines, " —")
    assert text_height(metrics, TEXT_WIDTH, fitted + " —") <= lines_height(metrics, lines)
    assert text.strip().endswith(fitted.removeprefix("…").strip()) or fitted == text


SOAK = """
import sys
from PySide6.QtWidgets import QApplication
from openclaw_desktop.ui.talk_overlay import TalkOverlay
from openclaw_desktop.voice.events import AudioLevel, Capturing, Listening
app = QApplication(sys.argv)
overlay = TalkOverlay(frame_ms=1)
overlay.show_on_active_screen()
for event in (Listening(), Capturing()):
    overlay.on_voice_event(event)
while overlay.waveform.repaints_requested < FRAMES:
    overlay.on_voice_event(AudioLevel(source="mic", rms=0.01 * (overlay.waveform.repaints_requested % 30 + 1)))
    app.processEvents()
    app.sendPostedEvents()
print("frames", overlay.waveform.repaints_requested, flush=True)
"""


def test_overlay_survives_a_long_talk(tmp_path: Path) -> None:
    """Minutes of waveform frames in a child process (a crash there must not take pytest down)."""
    frames = 3000  # 100 s of talking at 30 fps
    proc = subprocess.run([sys.executable, "-c", SOAK.replace("FRAMES", str(frames))], cwd=REPO,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0 and f"frames {frames}" in proc.stdout, (
        "the overlay process died while drawing. 'none_dealloc' below means the Qt binding drops a "
        "reference to None on every call of a void method (seen with PySide6/shiboken6 6.12.0 on "
        f"Python 3.11; 6.11.3 is fine):\n{proc.stderr[-1500:]}")


TWO_SCREENS = {"screens": [
    {"name": "left", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1},
    {"name": "right", "x": 1920, "y": 0, "width": 1280, "height": 1024, "logicalDpi": 96, "logicalBaseDpi": 96,
     "dpr": 1},
]}
ON_SCREENS = """
import json, sys
from PySide6.QtCore import QPoint
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication
from openclaw_desktop.ui.talk_overlay import TalkOverlay
app = QApplication(sys.argv)
shown = []
for x, y in [(2500, 500), (100, 100), (-500, -500)]:
    QCursor.setPos(QPoint(x, y))
    overlay = TalkOverlay()
    overlay.show_on_active_screen()
    app.processEvents()
    shown.append([overlay.screen().name(), *overlay.geometry().getRect()])
    overlay.close()
print(json.dumps(shown), flush=True)
"""


def test_shown_on_the_screen_under_the_pointer_else_the_primary(tmp_path: Path) -> None:
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(TWO_SCREENS))
    proc = subprocess.run([sys.executable, "-c", ON_SCREENS], cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
                               "PYTHONPATH": str(REPO)}, check=False)
    assert proc.stdout, proc.stderr[-2000:]
    (right, *right_rect), (left, *left_rect), (fallback, *fallback_rect) = json.loads(proc.stdout.splitlines()[-1])
    w, h = right_rect[2:]
    assert (right, right_rect) == ("right", [1920 + (1280 - w) // 2, 1024 - BOTTOM_MARGIN - h, w, h])  # the pointer's
    assert (left, left_rect) == ("left", [(1920 - w) // 2, 1080 - BOTTOM_MARGIN - h, w, h])
    assert (fallback, fallback_rect) == ("left", left_rect)  # pointer off every screen: the primary
