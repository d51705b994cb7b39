"""Settings → Devices → "Pair a phone": the setup-code QR, its countdown and the notice.

``device.pair.setupCode`` (with ``includeQr``) returns the code and a PNG data URL of
its QR; the panel shows the image as the gateway made it, the code as text (for
``openclaw node run --pair``), and a countdown to ``expiresAtMs``. The phone finishing
pairing is announced by ``device.pair.setup.completed``; because an event can be missed
while the link reconnects, the panel also asks ``device.pair.setupStatus`` once a few
seconds. After completion or expiry the code is dead (single use), so only
"New code" remains.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from openclaw_desktop.pairing.setup_code import pair_link

from .ports import SettingsLink
from .tasks import TaskRunner
from .widgets import StatusLine, copy_to_clipboard, hint

STATUS_POLL_S = 3
QR_SIZE_PX = 280


def image_from_data_url(data_url: str) -> QImage:
    """Decode ``data:image/png;base64,…``; a null QImage when it is not one."""
    head, _, body = data_url.partition(",")
    if not head.startswith("data:image/") or ";base64" not in head:
        return QImage()
    try:
        raw = base64.b64decode(body, validate=True)
    except ValueError:
        return QImage()
    image = QImage()
    image.loadFromData(raw)
    return image


def fit_qr(image: QImage, size_px: int) -> QPixmap:
    """The QR scaled to fit ``size_px`` whole, with hard pixel edges (no smoothing: a
    blurred module edge is what makes phone cameras miss)."""
    scaled = image.scaled(size_px, size_px, Qt.AspectRatioMode.KeepAspectRatio,
                          Qt.TransformationMode.FastTransformation)
    return QPixmap.fromImage(scaled)


def countdown_text(expires_at_ms: int, now_ms: int) -> str:
    left_s = max(0, (expires_at_ms - now_ms + 999) // 1000)
    return f"expires in {left_s // 60}:{left_s % 60:02d}" if left_s else "expired"


class PairPhonePanel(QWidget):
    """The QR panel; emits :attr:`completed` with the completion payload."""

    completed = Signal(dict)

    def __init__(self, link: SettingsLink, status: StatusLine, tasks: TaskRunner,
                 clock_ms: Callable[[], int] = lambda: int(time.time() * 1000), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link, self.status, self.tasks, self.clock_ms = link, status, tasks, clock_ms
        self.setup: dict[str, Any] | None = None
        self.done = False
        self.qr = QLabel("Press \"Pair a phone\" to show a code the OpenClaw app can scan.")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setFixedSize(QR_SIZE_PX, QR_SIZE_PX)
        self.qr.setWordWrap(True)
        self.qr_image = QImage()
        self.countdown = QLabel("")
        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.lan_hint = hint("")
        self.lan_hint.hide()
        self.code = QLineEdit()
        self.code.setReadOnly(True)
        self.code.setPlaceholderText("setup code")
        self.copy_button = QPushButton("Copy code")
        self.copy_button.clicked.connect(self._copy)
        self.generate_button = QPushButton("Pair a phone")
        self.generate_button.clicked.connect(lambda: self.tasks.spawn(self.generate(), "making a setup code"))
        code_row = QHBoxLayout()
        code_row.addWidget(self.code, 1)
        code_row.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.qr, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.countdown, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.notice)
        layout.addWidget(self.lan_hint)
        layout.addLayout(code_row)
        layout.addWidget(self.generate_button)
        layout.addStretch(1)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self._ticks = 0

    async def generate(self) -> dict[str, Any]:
        """Ask the gateway for a new setup code and show it."""
        self.generate_button.setEnabled(False)
        try:
            setup = await self.link.call("device.pair.setupCode", {"includeQr": True})
        finally:
            self.generate_button.setEnabled(True)
        self.show_setup(setup)
        return setup

    def show_setup(self, setup: dict[str, Any]) -> None:
        self.setup, self.done = setup, False
        image = image_from_data_url(str(setup.get("qrDataUrl") or ""))
        self.qr_image = image
        if image.isNull():
            self.qr.setText("The gateway sent no QR image; type the code below into the app.")
        else:
            self.qr.setPixmap(fit_qr(image, QR_SIZE_PX))
        self.code.setText(str(setup.get("setupCode") or ""))
        self.notice.setStyleSheet("")
        self.notice.setText("Open the OpenClaw app on your phone and scan this code.")
        source = setup.get("urlSource")
        self.lan_hint.setText("The gateway only listens on this computer, so a phone cannot reach it: turn on "
                              "\"Allow LAN connections\" in General (and restart) first." if source == "loopback"
                              else f"The phone will connect to {setup.get('gatewayUrl')}.")
        self.lan_hint.show()
        self.generate_button.setText("New code")
        self._ticks = 0
        self._tick()
        self.timer.start()

    def _tick(self) -> None:
        if self.setup is None or self.done:
            return
        expires = int(self.setup.get("expiresAtMs") or 0)
        text = countdown_text(expires, self.clock_ms())
        self.countdown.setText(text)
        if text == "expired":
            self.timer.stop()
            self.qr.setText("This code has expired. Press \"New code\".")
            self.qr_image = QImage()
            return
        self._ticks += 1
        if self._ticks % STATUS_POLL_S == 0 and getattr(self.link, "state", "connected") == "connected":
            self.tasks.spawn(self.check_status(), "checking the pairing")

    async def check_status(self) -> None:
        """``device.pair.setupStatus``: catches a completion whose event we missed."""
        if self.setup is None or self.done:
            return
        result = await self.link.call("device.pair.setupStatus", {"setupId": self.setup.get("setupId")})
        if isinstance(result.get("completion"), dict):
            self.on_completed(result["completion"])

    def on_event(self, name: str, payload: dict[str, Any]) -> None:
        if name == "device.pair.setup.completed" and self.setup is not None \
                and payload.get("setupId") == self.setup.get("setupId"):
            self.on_completed(payload)

    def on_completed(self, completion: dict[str, Any]) -> None:
        if self.done:
            return
        self.done = True
        self.timer.stop()
        name = completion.get("deviceName") or completion.get("deviceId", "a device")
        self.notice.setStyleSheet("color: #1b7f3b; font-weight: bold;")
        self.notice.setText(f"✓ {name} is paired ({completion.get('access', 'full')} access).")
        self.countdown.setText("used")
        self.qr.setText("Paired. Press \"New code\" to pair another phone.")
        self.qr_image = QImage()
        self.completed.emit(completion)

    def _copy(self) -> None:
        if self.code.text():
            copy_to_clipboard(pair_link(self.code.text()))
            self.status.show_ok("Copied the oc-pair:// link (for openclaw node run --pair).")

    def stop(self) -> None:
        self.timer.stop()
