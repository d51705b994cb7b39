"""Test helper (run as a script under Xvfb): put a recognisable window on the screen.

A red 600×300 window at (100, 100) with black text, so screenshots can be checked by
pixel and by eye. Prints ``painted`` once it is on screen, then stays until killed.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv)
label = QLabel("OpenClaw desktop node\nscreen.snapshot test")
label.setStyleSheet("background: #ff0000; color: #000000; padding: 20px")
label.setFont(QFont("DejaVu Sans", 28))
label.setGeometry(100, 100, 600, 300)
label.show()
QTimer.singleShot(500, lambda: print("painted", flush=True))
sys.exit(app.exec())
