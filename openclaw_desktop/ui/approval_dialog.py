"""The native exec-approval dialog of the tray app, and the controller that queues them.

``ApprovalDialog`` shows one pending approval non-modally (``show()``, never ``exec()``,
so neither the app nor the shared Qt/asyncio loop ever waits on it) and reports the
user's answer through an ``on_decision(decision, grant)`` callback. ``ApprovalDialogs``
listens to the broker's events, shows one dialog at a time, queues the rest and turns
answers into ``broker.resolve``. Everything fails closed: Esc and window close are
*deny*; a dialog that cannot be shown, or ends without an answer, is ``broker.fail``.

Only module of the approval flow that imports Qt; the rendering rules live in
``approvals/display.py``.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFont, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from openclaw_desktop.approvals.broker import (
    ALLOW_ALWAYS,
    ALLOW_ONCE,
    DENY,
    ApprovalBroker,
    GrantChoice,
    PendingApproval,
)
from openclaw_desktop.approvals.display import lookalike_warnings, visible_command
from openclaw_desktop.errors import GatewayError

log = logging.getLogger(__name__)

OnDecision = Callable[[str, GrantChoice | None], None]
DEFAULT_ARM_DELAY_S = 1.5
DEFAULT_NOTICE_S = 2.0
DEFAULT_TIMED_MINUTES = 30

# (label, scope) in the order offered; "timed" takes its minutes from the spin box.
GRANT_SCOPE_LABELS = (
    ("this exact command", "exact"),
    ("this program, any arguments, in this folder", "executable-in-folder"),
    ("this program for this session", "session"),
    ("this program for N minutes", "timed"),
)


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class ApprovalDialog(QDialog):
    """One pending approval. Deny is the default and has the focus; allow buttons arm late.

    The allow buttons stay disabled for ``arm_delay_s`` after the dialog is first shown,
    so a keystroke or click meant for another window cannot approve a command. The
    callback is called at most once; after it (or after :meth:`dismiss`) the dialog only
    closes.
    """

    def __init__(self, pending: PendingApproval, on_decision: OnDecision, *,
                 arm_delay_s: float = DEFAULT_ARM_DELAY_S, clock_ms: Callable[[], int] = wall_clock_ms,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pending = pending
        self._on_decision = on_decision
        self._arm_delay_ms = max(0, int(arm_delay_s * 1000))
        self._clock_ms = clock_ms
        self._answered = False
        self._armed = False
        request = pending.request
        allowed = request.allowed_decisions()

        self.setModal(False)
        self.setWindowTitle("Run this command?")

        self.agent_label = QLabel(f"{request.agent_id} · {request.session_key or 'no session'}")
        self.cwd_label = QLabel(request.cwd or "(not set)")
        self.executable_label = QLabel(request.resolved_path or "(not resolved)")
        for label in (self.agent_label, self.cwd_label, self.executable_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setTextFormat(Qt.TextFormat.PlainText)  # never interpret agent text as HTML
        self.command_view = QPlainTextEdit(visible_command(request.command))
        self.command_view.setReadOnly(True)
        self.command_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # scroll, don't reflow
        self.command_view.setFont(QFont("monospace"))
        self.command_view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.warnings = lookalike_warnings(request.command)
        self.warnings_label = QLabel("\n".join(f"⚠ {w}" for w in self.warnings))
        self.warnings_label.setTextFormat(Qt.TextFormat.PlainText)
        self.warnings_label.setStyleSheet("color: #b00020;")
        self.warnings_label.setVisible(bool(self.warnings))
        self.reasons_label = QLabel("\n".join(f"• {r}" for r in request.reasons) or "• approval required by policy")
        self.reasons_label.setTextFormat(Qt.TextFormat.PlainText)
        self.countdown_label = QLabel()
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setVisible(False)

        self.deny_button = QPushButton("Deny")
        self.allow_once_button = QPushButton("Allow once")
        self.allow_always_button = QPushButton("Allow always…")
        self.scope_combo = QComboBox()
        for scope_label, scope in GRANT_SCOPE_LABELS:
            self.scope_combo.addItem(scope_label, scope)
        self.minutes_spin = QSpinBox()
        self.minutes_spin.setRange(1, 7 * 24 * 60)
        self.minutes_spin.setValue(DEFAULT_TIMED_MINUTES)
        self.minutes_spin.setSuffix(" min")
        self.scope_combo.currentIndexChanged.connect(self._sync_minutes)
        self._sync_minutes()
        # Enter must never approve: only Deny is a default button.
        for button in (self.allow_once_button, self.allow_always_button):
            button.setAutoDefault(False)
            button.setEnabled(False)
        self.deny_button.setAutoDefault(True)
        self.deny_button.setDefault(True)
        self.allow_once_button.setVisible(ALLOW_ONCE in allowed)
        for widget in (self.allow_always_button, self.scope_combo, self.minutes_spin):
            widget.setVisible(ALLOW_ALWAYS in allowed)
        self.deny_button.clicked.connect(lambda: self._answer(DENY, None))
        self.allow_once_button.clicked.connect(lambda: self._answer(ALLOW_ONCE, None))
        self.allow_always_button.clicked.connect(lambda: self._answer(ALLOW_ALWAYS, self.selected_grant()))

        form = QFormLayout()
        form.addRow("Agent · session:", self.agent_label)
        form.addRow("Folder:", self.cwd_label)
        form.addRow("Program:", self.executable_label)
        form.addRow("Why approval is needed:", self.reasons_label)
        always_row = QHBoxLayout()
        always_row.addWidget(self.allow_always_button)
        always_row.addWidget(self.scope_combo, 1)
        always_row.addWidget(self.minutes_spin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.countdown_label, 1)
        buttons.addWidget(self.allow_once_button)
        buttons.addWidget(self.deny_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addLayout(form)
        layout.addWidget(QLabel("Command:"))
        layout.addWidget(self.command_view, 1)
        layout.addWidget(self.warnings_label)
        layout.addLayout(always_row)
        layout.addLayout(buttons)
        self.resize(640, 420)

        self._arm_timer = QTimer(self)
        self._arm_timer.setSingleShot(True)
        self._arm_timer.timeout.connect(self._arm)
        self._countdown_timer = QTimer(self)
        self._countdown_timer.setInterval(250)
        self._countdown_timer.timeout.connect(self.update_countdown)
        self.update_countdown()

    # ---- state ----------------------------------------------------------------------
    @property
    def answered(self) -> bool:
        """True once a decision was delivered or the dialog was dismissed."""
        return self._answered

    @property
    def armed(self) -> bool:
        return self._armed

    def selected_grant(self) -> GrantChoice:
        scope = self.scope_combo.currentData()
        return GrantChoice(scope, self.minutes_spin.value() if scope == "timed" else None)

    def update_countdown(self) -> None:
        left_s = max(0, (self.pending.expires_at_ms - self._clock_ms()) // 1000)
        self.countdown_label.setText(f"Times out in {left_s // 60}:{left_s % 60:02d}" if left_s
                                     else "Timed out")

    def dismiss(self, notice: str, linger_s: float = DEFAULT_NOTICE_S) -> None:
        """Someone else answered: show who, disable everything, close after ``linger_s``."""
        self._answered = True
        self._arm_timer.stop()
        self._countdown_timer.stop()
        for widget in (self.deny_button, self.allow_once_button, self.allow_always_button,
                       self.scope_combo, self.minutes_spin):
            widget.setEnabled(False)
        self.status_label.setText(notice)
        self.status_label.setVisible(True)
        self.countdown_label.setText("")
        QTimer.singleShot(max(0, int(linger_s * 1000)), self, self.close)

    # ---- Qt overrides ---------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._armed and not self._answered and not self._arm_timer.isActive():
            # Counted from when the user can see the dialog, not from when it was queued.
            self._arm_timer.start(self._arm_delay_ms)
        if not self._answered:
            self._countdown_timer.start()
        self.deny_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def reject(self) -> None:
        """Esc and window close (QDialog routes both here) mean *deny*."""
        self._answer(DENY, None)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._answered:
            self._answer(DENY, None)
        else:
            super().closeEvent(event)

    # ---- internals ------------------------------------------------------------------
    def _sync_minutes(self) -> None:
        self.minutes_spin.setEnabled(self.scope_combo.currentData() == "timed")

    def _arm(self) -> None:
        if self._answered:
            return
        self._armed = True
        self.allow_once_button.setEnabled(True)
        self.allow_always_button.setEnabled(True)

    def _answer(self, decision: str, grant: GrantChoice | None) -> None:
        if self._answered:
            self.done(QDialog.DialogCode.Rejected)
            return
        if decision != DENY and not self._armed:
            return  # belt and braces: a disabled button cannot click, but a stray signal could
        self._answered = True
        self._arm_timer.stop()
        self._countdown_timer.stop()
        try:
            self._on_decision(decision, grant)
        finally:
            self.done(QDialog.DialogCode.Accepted if decision != DENY else QDialog.DialogCode.Rejected)


class ApprovalDialogs(QObject):
    """Shows broker approvals one dialog at a time; the rest wait in a FIFO queue.

    Wire :meth:`handle_event` to the broker's ``on_event`` (the composition root fans the
    broker's events out to the gateway and here). Showing is deferred to the Qt loop, so
    no UI code runs inside the broker's own call. ``last_notice`` holds the latest
    user-facing notice (who answered, or why a dialog could not be shown).
    """

    def __init__(self, broker: ApprovalBroker, parent: QWidget | None = None,
                 resolver_name: str = "this computer", *, arm_delay_s: float = DEFAULT_ARM_DELAY_S,
                 notice_s: float = DEFAULT_NOTICE_S, clock_ms: Callable[[], int] = wall_clock_ms,
                 dialog_factory: Callable[..., ApprovalDialog] = ApprovalDialog) -> None:
        super().__init__(parent)
        self._broker = broker
        self._parent = parent
        self.resolver_name = resolver_name
        self._arm_delay_s = arm_delay_s
        self._notice_s = notice_s
        self._clock_ms = clock_ms
        self._factory = dialog_factory
        self._queue: deque[PendingApproval] = deque()
        self.current: ApprovalDialog | None = None
        self._answered_here: set[str] = set()
        self._lingering: list[ApprovalDialog] = []
        self.last_notice: str | None = None

    @property
    def queued_ids(self) -> list[str]:
        return [p.id for p in self._queue]

    def handle_event(self, name: str, payload: dict[str, Any]) -> None:
        """React to ``exec.approval.requested`` / ``exec.approval.resolved``; ignore the rest."""
        try:
            if name == "exec.approval.requested":
                self._on_requested(str(payload.get("id")))
            elif name == "exec.approval.resolved":
                self._on_resolved(payload)
        except Exception:  # an event handler must never break the broker that called it
            log.exception("approval dialog controller failed on %s", name)

    # ---- events ---------------------------------------------------------------------
    def _on_requested(self, approval_id: str) -> None:
        try:
            pending = self._broker.lookup(approval_id)
        except GatewayError:
            return  # already gone (no-route deny, or answered before we saw it)
        self._queue.append(pending)
        QTimer.singleShot(0, self, self._show_next)

    def _on_resolved(self, payload: dict[str, Any]) -> None:
        approval_id = str(payload.get("id"))
        if approval_id in self._answered_here:
            self._answered_here.discard(approval_id)
            return
        who, reason = payload.get("resolvedBy") or "someone", payload.get("reason")
        notice = f"Answered by {who}" if reason == "user" else f"No longer pending ({reason or 'closed'})"
        queued = [p for p in self._queue if p.id == approval_id]
        if self.current is not None and self.current.pending.id == approval_id:
            dialog, self.current = self.current, None
            self.last_notice = notice
            self._lingering.append(dialog)
            dialog.finished.connect(lambda _=0, d=dialog: self._forget(d))
            dialog.dismiss(notice, self._notice_s)
            QTimer.singleShot(0, self, self._show_next)
        elif queued:
            self._queue.remove(queued[0])
            self.last_notice = notice

    # ---- showing --------------------------------------------------------------------
    def _show_next(self) -> None:
        while self.current is None and self._queue:
            pending = self._queue.popleft()
            if pending.resolution is not None:
                continue
            try:
                dialog = self._factory(pending, lambda d, g, pid=pending.id: self._on_decision(pid, d, g),
                                       arm_delay_s=self._arm_delay_s, clock_ms=self._clock_ms, parent=self._parent)
                dialog.finished.connect(lambda _=0, d=dialog: self._on_finished(d))
                self.current = dialog
                dialog.show()
                dialog.raise_()
                dialog.activateWindow()
            except Exception:
                log.exception("could not show approval dialog for %s", pending.id)
                self.current = None
                self.last_notice = "Could not show the approval dialog; the command was denied"
                self._fail(pending.id)

    def _on_decision(self, approval_id: str, decision: str, grant: GrantChoice | None) -> None:
        self._answered_here.add(approval_id)
        try:
            self._broker.resolve(approval_id, decision, self.resolver_name, grant)
        except Exception as exc:
            # Answered elsewhere in the meantime, a decision the request does not allow, or a bug.
            self._answered_here.discard(approval_id)
            if isinstance(exc, GatewayError):
                self.last_notice = exc.message
            else:
                log.exception("resolving approval %s failed", approval_id)
            self._fail(approval_id)

    def _on_finished(self, dialog: ApprovalDialog) -> None:
        if not dialog.answered:  # closed by something other than the user or a dismiss
            self._fail(dialog.pending.id)
        if self.current is dialog:
            self.current = None
            QTimer.singleShot(0, self, self._show_next)
        dialog.deleteLater()

    def _forget(self, dialog: ApprovalDialog) -> None:
        if dialog in self._lingering:
            self._lingering.remove(dialog)
        dialog.deleteLater()

    def _fail(self, approval_id: str) -> None:
        """Fail closed (deny) if the approval is still pending; a no-op once it is answered."""
        try:
            self._broker.lookup(approval_id)
        except GatewayError:
            return
        self._answered_here.add(approval_id)
        self._broker.fail(approval_id, "ui-failure")
