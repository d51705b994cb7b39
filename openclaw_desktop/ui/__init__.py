"""The Qt layer: the only package that imports PySide6 or qasync.

Modules here adapt Qt to the ports of the headless core (``node_adapters`` for the
desktop node today; tray, dialogs and settings later). Importing this package itself
imports no Qt, so ``cli.py`` can reach it cheaply.
"""
