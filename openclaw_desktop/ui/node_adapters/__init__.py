"""Qt adapters for the desktop node's ports: screen (QtGui + QtMultimedia), camera
(QtMultimedia), location (QtPositioning), and ``runner`` (QGuiApplication + qasync loop).

All adapters must run on the Qt thread: the node client runs on a qasync loop, so
coroutines here call Qt directly and await futures completed from Qt signals.
"""
