"""Tests of the Qt layer. Qt runs headless here: the platform is forced to offscreen
before pytest-qt's ``qapp`` fixture creates the QApplication (this package is imported
at collection time, long before any fixture runs)."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
