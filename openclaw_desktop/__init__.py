"""OpenClaw Desktop: a tray app hosting an OpenClaw protocol v4 gateway in-process.

Only ``openclaw_desktop.ui`` may import Qt; everything else runs headless.
"""

__version__ = "0.1.0"
