"""Native dialogs for pairing requests: a new device, or a node asking for commands.

``PairingDialog`` shows one ``device.pair.requested`` or ``node.pair.requested`` request
non-modally (``show()``, never ``exec()``) with the device name, platform, role, the
scopes or commands it asks for and its address, and three answers: **Approve**,
**Reject** and **Later**. Later is the default button and what Esc and closing the
window mean: nothing is decided, the request stays pending on the gateway (where it
expires by itself), so a stray key press can neither let a device in nor throw a
legitimate request away. Approve is never default and is enabled only after a short
delay, like the exec approval dialog, so a click meant for another window cannot pair.

``PairingDialogs`` takes the link's events, shows one dialog at a time, queues the
rest, keeps the "Later" ones for :meth:`PairingDialogs.show_pending`, sends the decision
through an async ``decide(kind, request_id, decision)`` callable (the composition root
routes it to ``device.pair.approve|reject`` or ``node.pair.approve|reject``) and closes
a dialog when ``*.pair.resolved`` says someone else answered. Qt only; no sockets.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .tray_state import PAIRING_EVENTS, PAIRING_RESOLVED, PairingRequest

log = logging.getLogger(__name__)

APPROVE, REJECT, LATER = "approve", "reject", "later"
DEFAULT_ARM_DELAY_S = 1.0
DEFAULT_NOTICE_S = 2.0
Decide = Callable[[str, str, str], Awaitable[Any]]


def describe(request: PairingRequest) -> dict[str, str]:
    """The dialog's rows as plain text, from the request payload (missing fields say so)."""
    p = request.payload
    name = p.get("displayName") or p.get("clientId") or "(unnamed device)"
    platform = " · ".join(str(v) for v in (p.get("platform"), p.get("deviceFamily")) if v) or "(unknown)"
    ident = str(p.get("deviceId") or p.get("nodeId") or "")
    if request.kind == "node":
        role = "node (runs commands for the agent)"
        wanted = ", ".join(p.get("commands") or []) or "(no commands)"
    else:
        roles = p.get("roles") or [p.get("role")]
        role = ", ".join(str(r) for r in roles if r) or "(none)"
        wanted = ", ".join(p.get("scopes") or []) or ("(node: no operator scopes)" if "node" in roles else "(none)")
    return {"name": str(name), "platform": platform, "role": role, "wanted": wanted,
            "address": str(p.get("remoteIp") or "(unknown)"), "id": ident[:16] + ("…" if len(ident) > 16 else "")}


class PairingDialog(QDialog):
    """One pairing request. ``on_decision(decision)`` is called for Approve and Reject;
    Later (also Esc and close) calls it with ``"later"`` and only closes the dialog."""

    def __init__(self, request: PairingRequest, on_decision: Callable[[str], None], *,
                 arm_delay_s: float = DEFAULT_ARM_DELAY_S, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self._on_decision = on_decision
        self._arm_delay_ms = max(0, int(arm_delay_s * 1000))
        self._armed = False
        self._busy = False
        self.finished_with: str | None = None
        rows = describe(request)
        node = request.kind == "node"
        self.setModal(False)
        self.setWindowTitle("Allow node commands?" if node else "Pair a new device?")
        headline = (f"“{rows['name']}” asks to run commands on behalf of the agent." if node
                    else f"“{rows['name']}” asks to connect to your OpenClaw gateway.")
        if request.payload.get("isRepair"):
            headline += "\nIt is already paired and now asks for more access."
        self.headline = QLabel(headline)
        self.headline.setWordWrap(True)
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, title in (("name", "Device:"), ("platform", "Platform:"), ("role", "Role:"),
                           ("wanted", "Commands:" if node else "Scopes:"), ("address", "Address:"), ("id", "Device id:")):
            label = QLabel(rows[key])
            label.setTextFormat(Qt.TextFormat.PlainText)  # names come from the device: never HTML
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            self.labels[key] = label
            form.addRow(title, label)
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        self.status_label.setVisible(False)
        self.approve_button = QPushButton("Approve")
        self.reject_button = QPushButton("Reject")
        self.later_button = QPushButton("Later")
        self.approve_button.setAutoDefault(False)
        self.approve_button.setEnabled(False)
        self.reject_button.setAutoDefault(False)
        self.later_button.setAutoDefault(True)
        self.later_button.setDefault(True)  # Enter decides nothing
        self.approve_button.clicked.connect(lambda: self._answer(APPROVE))
        self.reject_button.clicked.connect(lambda: self._answer(REJECT))
        self.later_button.clicked.connect(lambda: self._answer(LATER))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.approve_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)
        self.setMinimumWidth(440)
        self._arm_timer = QTimer(self)
        self._arm_timer.setSingleShot(True)
        self._arm_timer.timeout.connect(self._arm)

    @property
    def armed(self) -> bool:
        return self._armed

    def set_busy(self, busy: bool, text: str = "") -> None:
        """While a decision is on its way: all buttons off, a short note shown."""
        self._busy = busy
        for button in (self.approve_button, self.reject_button, self.later_button):
            button.setEnabled(not busy and (button is not self.approve_button or self._armed))
        self._set_status(text, error=False)

    def show_error(self, text: str) -> None:
        """The decision did not reach the gateway: say why and let the user try again."""
        self.set_busy(False)
        self._set_status(text, error=True)

    def dismiss(self, notice: str, linger_s: float = DEFAULT_NOTICE_S) -> None:
        """Answered elsewhere: show who/what, disable everything, close after ``linger_s``."""
        self.finished_with = self.finished_with or "elsewhere"
        self._arm_timer.stop()
        self.set_busy(True, notice)
        QTimer.singleShot(max(0, int(linger_s * 1000)), self, self.close)

    def _set_status(self, text: str, *, error: bool) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #b00020;" if error else "")
        self.status_label.setVisible(bool(text))

    # ---- Qt overrides ---------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._armed and not self._arm_timer.isActive() and self.finished_with is None:
            self._arm_timer.start(self._arm_delay_ms)  # counted from when it can be seen
        self.later_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def reject(self) -> None:
        """Esc and window close (QDialog routes both here) mean Later, never Reject."""
        if self.finished_with is not None:  # already answered or dismissed: just close
            super().reject()
            return
        self._answer(LATER)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.finished_with is None:
            if self._busy:  # a decision is in flight: it finishes the dialog
                event.ignore()
                return
            self._answer(LATER)
        super().closeEvent(event)

    # ---- internals ------------------------------------------------------------------
    def _arm(self) -> None:
        self._armed = True
        if not self._busy and self.finished_with is None:
            self.approve_button.setEnabled(True)

    def _answer(self, decision: str) -> None:
        if self.finished_with is not None or self._busy:
            return
        if decision == APPROVE and not self._armed:
            return  # a stray signal before the delay: ignore, as the disabled button does
        if decision == LATER:
            self.finished_with = LATER
            self._on_decision(LATER)
            self.done(QDialog.DialogCode.Rejected)
            return
        self._on_decision(decision)  # the controller sets busy and finishes us when it lands

    def finish(self, decision: str) -> None:
        """The decision landed: close without asking again."""
        self.finished_with = decision
        self._arm_timer.stop()
        self.done(QDialog.DialogCode.Accepted)


class PairingDialogs(QObject):
    """One pairing dialog at a time; a FIFO queue for the rest; "Later" ones kept aside.

    ``skip(request)`` lets the composition root keep requests it answers itself (this
    desktop's own node) out of the queue. ``decided`` is emitted after a decision reached
    the gateway; ``pending_changed`` when the queue or the deferred set changes.
    """

    decided = Signal(str, str, str)  # kind, request id, decision
    pending_changed = Signal()

    def __init__(self, decide: Decide, *, skip: Callable[[PairingRequest], bool] = lambda _r: False,
                 arm_delay_s: float = DEFAULT_ARM_DELAY_S, notice_s: float = DEFAULT_NOTICE_S,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._decide = decide
        self._skip = skip
        self._arm_delay_s = arm_delay_s
        self._notice_s = notice_s
        self._queue: deque[PairingRequest] = deque()
        self.deferred: dict[str, PairingRequest] = {}
        self.current: PairingDialog | None = None
        self._lingering: list[PairingDialog] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def queued_ids(self) -> list[str]:
        return [r.request_id for r in self._queue]

    def handle_event(self, name: str, payload: dict[str, Any]) -> None:
        """React to ``device|node.pair.requested`` / ``…resolved``; ignore everything else."""
        try:
            if name in PAIRING_EVENTS and isinstance(payload.get("requestId"), str):
                self.offer(PairingRequest(PAIRING_EVENTS[name], payload["requestId"], dict(payload)))
            elif name in PAIRING_RESOLVED and isinstance(payload.get("requestId"), str):
                self._on_resolved(payload["requestId"], str(payload.get("decision") or "resolved"))
        except Exception:  # a listener must never break the link's event pump
            log.exception("pairing dialog controller failed on %s", name)

    def offer(self, request: PairingRequest) -> None:
        """Queue a request unless it is already shown, queued or deferred."""
        if self._closed or self._skip(request):
            return
        known = {r.request_id for r in self._queue} | set(self.deferred)
        if self.current is not None:
            known.add(self.current.request.request_id)
        if request.request_id in known:
            return
        self._queue.append(request)
        self.pending_changed.emit()
        QTimer.singleShot(0, self, self._show_next)

    def show_pending(self) -> None:
        """Bring back the requests answered "Later" (and raise the current dialog)."""
        for request in list(self.deferred.values()):
            del self.deferred[request.request_id]
            self._queue.append(request)
        if self.current is not None:
            self.current.show()
            self.current.raise_()
            self.current.activateWindow()
        QTimer.singleShot(0, self, self._show_next)

    async def close(self) -> None:
        """Quit path: close every dialog (nothing decided) and wait for decisions in flight."""
        self._closed = True
        self._queue.clear()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for dialog in [self.current, *self._lingering]:
            if dialog is not None:
                dialog.finished_with = dialog.finished_with or LATER
                dialog.close()
        self.current = None

    # ---- internals ------------------------------------------------------------------
    def _on_resolved(self, request_id: str, decision: str) -> None:
        self.deferred.pop(request_id, None)
        queued = [r for r in self._queue if r.request_id == request_id]
        for r in queued:
            self._queue.remove(r)
        dialog = self.current
        if dialog is not None and dialog.request.request_id == request_id:
            self.current = None
            if dialog.finished_with is None and not dialog._busy:
                self._lingering.append(dialog)
                dialog.finished.connect(lambda _=0, d=dialog: self._forget(d))
                dialog.dismiss(f"{decision.capitalize()} elsewhere", self._notice_s)
            QTimer.singleShot(0, self, self._show_next)
        self.pending_changed.emit()

    def _show_next(self) -> None:
        while self.current is None and self._queue and not self._closed:
            request = self._queue.popleft()
            dialog = PairingDialog(request, lambda d, r=request: self._on_decision(r, d),
                                   arm_delay_s=self._arm_delay_s)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
            dialog.finished.connect(lambda _=0, d=dialog: self._on_finished(d))
            self.current = dialog
            dialog.show()
            dialog.raise_()
            dialog.activateWindow()

    def _on_decision(self, request: PairingRequest, decision: str) -> None:
        if decision == LATER:
            self.deferred[request.request_id] = request
            self.pending_changed.emit()
            return
        dialog = self.current
        if dialog is not None:
            dialog.set_busy(True, "Approving…" if decision == APPROVE else "Rejecting…")
        task = asyncio.ensure_future(self._send(request, decision, dialog))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, request: PairingRequest, decision: str, dialog: PairingDialog | None) -> None:
        try:
            await self._decide(request.kind, request.request_id, decision)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - link down, already resolved, missing scope: tell the user
            error = getattr(exc, "error", None)  # RpcError carries the gateway's error object
            message = error.get("message") if isinstance(error, dict) else None
            if dialog is not None and dialog.finished_with is None:
                dialog.show_error(f"Could not {decision}: {message or exc}")
            return
        self.decided.emit(request.kind, request.request_id, decision)
        if dialog is not None:
            dialog.finish(decision)

    def _on_finished(self, dialog: PairingDialog) -> None:
        if self.current is dialog:
            self.current = None
            QTimer.singleShot(0, self, self._show_next)
        if dialog not in self._lingering:
            dialog.deleteLater()

    def _forget(self, dialog: PairingDialog) -> None:
        if dialog in self._lingering:
            self._lingering.remove(dialog)
        dialog.deleteLater()
