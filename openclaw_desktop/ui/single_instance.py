"""One tray app per state folder: a second launch hands over to the first and exits.

The first instance takes a lock file in the state folder (``QLockFile``: a lock left by
a crashed process is detected as stale by its PID and taken over) and listens on a
local socket whose name is derived from the state folder, so two users, or two state
folders of one user, never see each other. A later launch that cannot take the lock
connects to that socket, sends ``show`` and waits for ``ok``; the first instance raises
its window. The lock, not the socket, decides who is first, so two launches racing each
other cannot both start a gateway.

Blocking waits here are bounded and happen before the event loop runs. Qt only.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

LOCK_NAME = "desktop-app.lock"
SHOW = b"show\n"
OK = b"ok\n"


def server_name(state_dir: Path) -> str:
    """Local socket name for this state folder and user (short: Unix socket paths are limited)."""
    digest = hashlib.sha256(str(state_dir.expanduser().resolve()).encode()).hexdigest()[:16]
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    return f"openclaw-desktop-{user}-{digest}"


class HandoverFailed(RuntimeError):
    """Another instance holds the lock but did not answer (hung, or still starting)."""


class SingleInstance(QObject):
    """Claim the app for a state folder, or hand over to the instance that has it.

    Call :meth:`claim` once: True means this process is the first (it now listens and
    emits ``show_requested`` when a later launch asks); False means a running instance
    acknowledged ``show`` and this process should exit 0. :meth:`close` releases both.
    """

    show_requested = Signal()

    def __init__(self, state_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state_dir = state_dir
        self.name = server_name(state_dir)
        state_dir.mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(state_dir / LOCK_NAME))
        self._lock.setStaleLockTime(0)  # stale only when the owning PID is gone, never by age
        self._server: QLocalServer | None = None

    def claim(self, handover_timeout_s: float = 5.0) -> bool:
        """Become the instance (True), or hand over to the running one (False).

        Raises :class:`HandoverFailed` when the lock is held but nobody acknowledges
        ``show`` within ``handover_timeout_s`` (the owner may be starting: it listens
        only a moment after taking the lock, so we retry until the deadline).
        """
        if self._lock.tryLock(0):
            self._listen()
            return True
        deadline = time.monotonic() + handover_timeout_s
        while time.monotonic() < deadline:
            if self.send_show(timeout_ms=500):
                return False
            if self._lock.tryLock(0):  # the owner went away meanwhile: we are first after all
                self._listen()
                return True
            time.sleep(0.1)
        raise HandoverFailed(f"another OpenClaw Desktop holds {self.state_dir / LOCK_NAME} but does not answer")

    def send_show(self, timeout_ms: int = 500) -> bool:
        """Ask the running instance to show itself; True when it acknowledged."""
        sock = QLocalSocket()
        sock.connectToServer(self.name)
        try:
            if not sock.waitForConnected(timeout_ms):
                return False
            sock.write(SHOW)
            if not sock.waitForBytesWritten(timeout_ms):
                return False
            reply = b""
            while OK not in reply and sock.waitForReadyRead(timeout_ms):
                reply += bytes(sock.readAll().data())
            return OK in reply
        finally:
            sock.abort()

    def close(self) -> None:
        """Stop listening and release the lock (quit path; idempotent)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()

    # ---- server side ------------------------------------------------------------------
    def _listen(self) -> None:
        # We hold the lock, so a socket left under this name is a crashed owner's: remove it.
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("single-instance socket %s: %s", self.name, server.errorString())
            return
        server.newConnection.connect(self._accept)
        self._server = server

    def _accept(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(sock.deleteLater)

    def _read(self, sock: QLocalSocket) -> None:
        if not sock.canReadLine():
            if sock.bytesAvailable() > 64:  # not our client: do not buffer without bound
                sock.abort()
            return  # wait for the rest of the line
        line = bytes(sock.readLine().data())
        if line == SHOW:
            sock.write(OK)
            sock.flush()
            self.show_requested.emit()
        sock.disconnectFromServer()
