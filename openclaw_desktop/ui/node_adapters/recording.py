"""Record a QMediaCaptureSession (screen or camera) to an MP4 for a fixed duration.

QtMultimedia's FFmpeg backend encodes MPEG-4 Part 2 video in an MP4 container (the
bundled FFmpeg has no H.264 encoder). The file goes to a private temp folder that is
removed afterwards, also on cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtMultimedia import QMediaCaptureSession, QMediaFormat, QMediaRecorder

from openclaw_desktop.nodes.desktop.ports import CommandError, EncodedClip

STOP_TIMEOUT_S = 15.0


async def record_session(session: QMediaCaptureSession, duration_ms: int, fps: int | None, *,
                         error_code: str = "UNAVAILABLE", has_audio: bool = False) -> EncodedClip:
    """Record ``duration_ms`` of whatever ``session`` captures; returns the MP4 bytes."""
    loop = asyncio.get_running_loop()
    started: asyncio.Future[None] = loop.create_future()
    stopped: asyncio.Future[None] = loop.create_future()
    recorder = QMediaRecorder()
    session.setRecorder(recorder)
    media_format = QMediaFormat(QMediaFormat.FileFormat.MPEG4)
    media_format.setVideoCodec(QMediaFormat.VideoCodec.MPEG4)
    recorder.setMediaFormat(media_format)
    recorder.setQuality(QMediaRecorder.Quality.NormalQuality)
    if fps:
        recorder.setVideoFrameRate(fps)

    def on_state(state: QMediaRecorder.RecorderState) -> None:
        if state == QMediaRecorder.RecorderState.RecordingState and not started.done():
            started.set_result(None)
        elif state == QMediaRecorder.RecorderState.StoppedState and not stopped.done():
            stopped.set_result(None)

    def on_error(_error: QMediaRecorder.Error, text: str) -> None:
        exc = CommandError(error_code, f"recording failed: {text}")
        for fut in (started, stopped):
            if not fut.done():
                fut.set_exception(exc)

    recorder.recorderStateChanged.connect(on_state)
    recorder.errorOccurred.connect(on_error)
    with tempfile.TemporaryDirectory(prefix="openclaw-rec-") as tmp:
        out = Path(tmp) / "clip.mp4"
        recorder.setOutputLocation(QUrl.fromLocalFile(str(out)))
        try:
            recorder.record()
            async with asyncio.timeout(STOP_TIMEOUT_S):
                await started
            await asyncio.sleep(duration_ms / 1000)
            duration = int(recorder.duration()) or duration_ms
            recorder.stop()
            async with asyncio.timeout(STOP_TIMEOUT_S):
                await stopped
        except TimeoutError:
            raise CommandError(error_code, "the recorder did not start or stop in time") from None
        finally:
            if recorder.recorderState() != QMediaRecorder.RecorderState.StoppedState:
                recorder.stop()  # cancelled mid-recording: release the encoder
            session.setRecorder(None)  # type: ignore[arg-type]  # Qt accepts nullptr; stubs do not say so
            recorder.deleteLater()
            for fut in (started, stopped):
                if fut.done() and not fut.cancelled():
                    fut.exception()  # mark retrieved
        with contextlib.suppress(FileNotFoundError):
            data = out.read_bytes()
            if data:
                return EncodedClip(data, "mp4", duration, has_audio)
    raise CommandError(error_code, "the recorder produced no file")
