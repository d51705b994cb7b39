"""One downloadable model in Settings → Models: what it is, its progress bar and its buttons.

A :class:`ModelRow` shows one catalog entry in one of three states, switched by the tab:
available (Download, or Resume when part of it is on disk, with the bar at that point),
downloading (the bar counts bytes received, Cancel) and installed (Use…, Remove). The
row never downloads or writes config itself: the tab connects its buttons. Remove needs
a second click within :data:`REMOVE_CONFIRM_S` seconds (a large model takes long to fetch
again). The bar runs 0..:data:`PROGRESS_STEPS` so files over 2 GiB fit Qt's int range.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from openclaw_desktop.assets.catalog import ModelAsset

from .widgets import StatusLine

PROGRESS_STEPS = 1000
REMOVE_CONFIRM_S = 5
ROLES = {"whisper": "speech recognition (Whisper)", "piper": "voice (Piper)", "wakeword": "wake word (openWakeWord)"}
USE_CAPTIONS = {"whisper": "Use for speech recognition", "piper": "Use as voice"}
"""Kinds the user can switch to from here, and the button that does it."""


def human_size(size: int) -> str:
    """``"300.0 KB"``, ``"1.5 GB"`` (decimal units, as download sizes are usually given)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def progress_text(done: int, total: int) -> str:
    """``"120.0 KB of 300.0 KB (40 %)"``; 100 % only when every byte is there."""
    percent = done * 100 // total if total > 0 else 100
    return f"{human_size(done)} of {human_size(total)} ({percent} %)"


class ModelRow(QFrame):
    """A catalog entry with its state line, progress bar and buttons (see the module docstring)."""

    def __init__(self, asset: ModelAsset, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.asset = asset
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(f"<b>{_escape(asset.title)}</b>")
        details = f"{ROLES.get(asset.kind, asset.kind)} · {human_size(asset.total_size)} · licence {asset.licence}"
        self.details = QLabel(details + (f"<br>{_escape(asset.description)}" if asset.description else ""))
        self.details.setWordWrap(True)
        self.details.setStyleSheet("color: palette(mid);")
        self.state = StatusLine()
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setVisible(False)
        self.download_button = QPushButton("Download")
        self.cancel_button = QPushButton("Cancel")
        self.use_button = QPushButton(USE_CAPTIONS.get(asset.kind, "Use"))
        self.remove_button = QPushButton("Remove…")
        self.remove_button.clicked.connect(self._remove_clicked)
        self.on_remove = lambda: None
        """Called on the confirming second click of Remove (the tab sets it)."""
        self._disarm = QTimer(self)
        self._disarm.setSingleShot(True)
        self._disarm.setInterval(REMOVE_CONFIRM_S * 1000)
        self._disarm.timeout.connect(self._disarm_remove)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.download_button, self.cancel_button, self.use_button, self.remove_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addWidget(self.progress)
        layout.addWidget(self.state)
        layout.addLayout(buttons)
        self.downloading = False
        self.installed = False
        self.show_available(0)

    # ---- states ---------------------------------------------------------------------
    def show_available(self, downloaded: int) -> None:
        """Not installed; ``downloaded`` bytes of it are on disk from an interrupted download."""
        self.downloading = self.installed = False
        total = self.asset.total_size
        resumable = 0 < downloaded
        self.download_button.setText("Resume" if resumable else "Download")
        self._buttons(download=True)
        self.progress.setVisible(resumable)
        if resumable:
            self.show_progress(downloaded, total)
            self.state.show_info(f"Paused at {progress_text(downloaded, total)}; Resume continues from there.")
        else:
            self.state.show_info("Not installed.")

    def show_downloading(self, done: int) -> None:
        """A download (or resume) started with ``done`` bytes already on disk."""
        self.downloading, self.installed = True, False
        self._buttons(cancel=True)
        self.progress.setVisible(True)
        self.show_progress(done, self.asset.total_size)
        self.state.show_info("Downloading…" if done == 0 else "Resuming…")

    def show_progress(self, done: int, total: int) -> None:
        """The store's progress callback: bytes of the whole model on disk so far."""
        self.progress.setValue(min(PROGRESS_STEPS, done * PROGRESS_STEPS // total) if total > 0 else PROGRESS_STEPS)
        self.progress.setFormat(progress_text(done, total))

    def show_installed(self, folder: Path, in_use: bool) -> None:
        """Installed (every file verified) in ``folder``; ``in_use`` marks the configured one."""
        self.downloading, self.installed = False, True
        self._buttons(use=self.asset.kind in USE_CAPTIONS and not in_use, remove=True)
        self.progress.setVisible(False)
        self.state.show_ok(f"Installed in {folder}" + (" · in use" if in_use else ""))

    def _buttons(self, *, download: bool = False, cancel: bool = False, use: bool = False,
                 remove: bool = False) -> None:
        self.download_button.setVisible(download)
        self.cancel_button.setVisible(cancel)
        self.use_button.setVisible(use)
        self.remove_button.setVisible(remove)
        self._disarm_remove()

    # ---- two-click remove -----------------------------------------------------------
    def _remove_clicked(self) -> None:
        if not self._disarm.isActive():
            self.remove_button.setText("Click again to remove")
            self._disarm.start()
            return
        self._disarm_remove()
        self.on_remove()

    def _disarm_remove(self) -> None:
        self._disarm.stop()
        self.remove_button.setText("Remove…")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
