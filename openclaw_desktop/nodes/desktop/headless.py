"""Adapters for a node without Qt: notifications go to the log (and stderr).

Screen, camera and location need Qt (see ``openclaw_desktop/ui/node_adapters``); without
it those ports are absent and their commands fail with clear codes
(``UNAVAILABLE``/``CAMERA_UNAVAILABLE``/``LOCATION_UNAVAILABLE``).
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from .ports import NodePorts

log = logging.getLogger(__name__)


class LogNotifier:
    """``system.notify`` on a headless host: one log record and one stderr line."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr

    async def notify(self, title: str, body: str, priority: str) -> str:
        log.info("notification (%s): %s: %s", priority, title, body)
        print(f"[openclaw notification] {title}: {body}".rstrip(": "), file=self.stream, flush=True)
        return "log"


def headless_ports() -> NodePorts:
    return NodePorts(notifier=LogNotifier())
