"""Operating-system integration that needs no Qt: launch at login (``autostart``).

Nothing here imports PySide6 or qasync; the settings window calls it from ``ui/``.
"""
