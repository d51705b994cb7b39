"""The chat window: session picker, streaming transcript, composer, abort.

``ChatWindow(link)`` talks to the gateway only through a
:class:`~openclaw_desktop.remote.link.GatewayLink` (the same whether the gateway runs in
this process or elsewhere). Gateway events are folded by the pure
:class:`~openclaw_desktop.chat_view.transcript.ChatTranscript`; this module turns user
actions into RPCs (``chat.send``, ``chat.abort``, ``chat.history``, ``sessions.list``,
``exec.approval.list``) and applies change notes to the view.

Keys: Enter sends, Shift+Enter newline, Esc aborts the running reply, Ctrl+N starts a new
session. While the link is down a banner says so and sending is disabled. Every RPC
failure becomes an inline error row; nothing here may raise into Qt.

RPCs run as asyncio tasks on the shared qasync loop, so the window must be created while
that loop runs. Tasks are kept (no fire-and-forget) and cancelled by :meth:`shutdown`,
which also detaches the link listeners. Qt lives here.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from websockets.exceptions import ConnectionClosed

from openclaw_desktop.chat_view.items import Change
from openclaw_desktop.chat_view.sessions import (
    MAIN_KEY,
    controls,
    new_session_key,
    session_choices,
)
from openclaw_desktop.chat_view.transcript import ChatTranscript
from openclaw_desktop.client.gateway_client import RpcError
from openclaw_desktop.remote.link import CONNECTED, GatewayLink, LinkDown

from .composer import Composer
from .rows import CHAT_STYLE
from .session_picker import SessionPicker
from .transcript_view import TranscriptView

log = logging.getLogger(__name__)

HISTORY_LIMIT = 200
SESSIONS_LIMIT = 200


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


def describe_failure(exc: BaseException) -> str:
    """A one-line, user-facing reason for a failed call."""
    if isinstance(exc, RpcError):
        return str(exc.error.get("message") or exc)
    if isinstance(exc, TimeoutError):
        return "the gateway did not answer in time"
    return str(exc) or type(exc).__name__


class ChatWindow(QWidget):
    """The chat window. ``open_approval_requested(id)`` asks the tray app to show its
    approval dialog for that pending approval."""

    open_approval_requested = Signal(str)

    def __init__(self, link: GatewayLink, parent: QWidget | None = None, *,
                 clock_ms: Callable[[], int] = wall_clock_ms) -> None:
        super().__init__(parent)
        self.setWindowTitle("OpenClaw — Chat")
        self.setObjectName("chatWindow")
        self.resize(720, 640)
        self.setStyleSheet(CHAT_STYLE)
        self._link = link
        self._clock_ms = clock_ms
        self.session_key = MAIN_KEY
        self.transcript = ChatTranscript(MAIN_KEY)
        self._made_here: list[str] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._loading: ChatTranscript | None = None  # the transcript whose history is loading
        self._sessions_dirty = False
        self._sessions_task: asyncio.Task[None] | None = None
        self._sessions_result: Any = None  # the last sessions.list answer

        self.picker = SessionPicker()
        self.banner = QLabel()
        self.banner.setObjectName("linkBanner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.view = TranscriptView()
        self.composer = Composer()
        self.send_button = QPushButton("Send")
        self.abort_button = QPushButton("Stop")
        self.abort_button.setToolTip("Stop the reply (Esc)")
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.abort_button)
        buttons.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.composer, 1)
        bottom.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

        self.picker.chosen.connect(self.switch_session)
        self.picker.new_requested.connect(self.new_session)
        self.view.open_approval.connect(self.open_approval_requested)
        self.composer.submitted.connect(self._on_submitted)
        self.composer.textChanged.connect(self._update_controls)
        self.send_button.clicked.connect(lambda: self._on_submitted(self.composer.toPlainText()))
        self.abort_button.clicked.connect(self.abort)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.abort, context=context)
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_session, context=context)

        self._removers = [link.add_event_listener(self._on_event), link.add_state_listener(self._on_state)]
        # If Qt deletes the window without shutdown(), stop the link calling into it. The
        # lambda holds the list, not self, so it still works while the widget is going away.
        removers = self._removers
        self.destroyed.connect(lambda *_: [remove() for remove in removers])
        self.picker.set_choices(session_choices(None, self.session_key), self.session_key)
        self._update_controls()
        if link.state == CONNECTED:
            self.reload()

    # ---- public actions -------------------------------------------------------------
    def send(self, text: str) -> bool:
        """Send ``text`` to the current session; False when sending is not possible now."""
        if self._link.state != CONNECTED or self.loading or not text.strip():
            return False
        run_id = str(uuid.uuid4())
        vm = self.transcript
        self._show(vm, vm.add_user_message(text, run_id))
        self.composer.clear()
        self._spawn(self._send(vm, run_id, text))
        return True

    def abort(self) -> None:
        """Stop the current session's runs (Esc); nothing happens when none is going."""
        if self.transcript.running and self._link.state == CONNECTED:
            self._spawn(self._abort(self.transcript))

    def new_session(self) -> None:
        """Start a fresh session (Ctrl+N); it exists on the gateway from its first message."""
        key = new_session_key(self._clock_ms(), [*self.picker.keys(), *self._made_here])
        self._made_here.append(key)
        self._show_session(key)  # nothing to load yet: the user can type and send at once
        self._refresh_sessions()

    def switch_session(self, key: str) -> None:
        """Show ``key``'s transcript (loaded from ``chat.history``) and follow its events."""
        if key == self.session_key and self.transcript.items:
            return
        self._show_session(key)
        self.reload()

    def _show_session(self, key: str) -> None:
        self.session_key = key
        self.transcript = ChatTranscript(key)
        self.view.clear()
        self.picker.set_choices(session_choices(self._sessions_result, key, self._made_here), key)
        self._update_controls()
        self.composer.setFocus()

    @property
    def loading(self) -> bool:
        """Whether the shown session's history is being loaded (sending waits for it)."""
        return self._loading is self.transcript

    def reload(self) -> None:
        """Reload the session list and the current session's history."""
        self._start_history_load(self.transcript)
        self._refresh_sessions()

    async def wait_idle(self) -> None:
        """Wait until every RPC the window started has finished (tests, orderly shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def shutdown(self) -> None:
        """Detach from the link and cancel outstanding RPCs (the window can then be deleted)."""
        for remove in self._removers:
            remove()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ---- RPCs -----------------------------------------------------------------------
    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        """``link.call`` with every way a dropping connection fails reported as ``LinkDown``."""
        try:
            return await self._link.call(method, params)
        except ConnectionClosed as exc:
            # A send on a socket that is closing raises websockets' own error, which is not
            # a ConnectionError; to the user it is the same "not connected".
            raise LinkDown(f"the gateway connection dropped: {exc}") from None

    async def _send(self, vm: ChatTranscript, run_id: str, text: str) -> None:
        try:
            await self._call("chat.send", {"sessionKey": vm.session_key, "message": text,
                                                "idempotencyKey": run_id})
        except (LinkDown, RpcError, TimeoutError) as exc:
            self._show(vm, vm.send_failed(run_id, f"not sent: {describe_failure(exc)}"))

    async def _abort(self, vm: ChatTranscript) -> None:
        try:
            result = await self._call("chat.abort", {"sessionKey": vm.session_key})
        except (LinkDown, RpcError, TimeoutError) as exc:
            self._show(vm, vm.add_error(f"could not stop the reply: {describe_failure(exc)}"))
            return
        self._show(vm, vm.abort_acknowledged(result.get("runIds") if isinstance(result, dict) else None))

    def _start_history_load(self, vm: ChatTranscript) -> None:
        # Mark the load before the task runs: a message sent meanwhile would be wiped by it.
        self._loading = vm
        self._update_controls()
        self._spawn(self._load_history(vm))

    async def _load_history(self, vm: ChatTranscript) -> None:
        try:
            result = await self._call("chat.history", {"sessionKey": vm.session_key, "limit": HISTORY_LIMIT})
            if vm is not self.transcript:
                return  # the user switched sessions meanwhile
            self._show(vm, vm.load_history(result))
            pending = await self._call("exec.approval.list", {})
            self._show(vm, vm.add_pending_approvals(pending))
        except LinkDown:
            return  # the banner says so; the reconnect reloads
        except (RpcError, TimeoutError) as exc:
            self._show(vm, vm.add_error(f"could not load the history: {describe_failure(exc)}"))
        finally:
            if self._loading is vm:
                self._loading = None
            self._update_controls()

    async def _fill_user_messages(self, vm: ChatTranscript) -> None:
        try:
            result = await self._call("chat.history", {"sessionKey": vm.session_key, "limit": 20})
        except (LinkDown, RpcError, TimeoutError):
            return  # the placeholder stays; the next reload shows the real text
        self._show(vm, vm.fill_user_messages(result.get("messages") if isinstance(result, dict) else None))

    def _refresh_sessions(self) -> None:
        # Coalesce bursts of sessions.changed: at most one list call in flight, one queued.
        if self._sessions_task is not None and not self._sessions_task.done():
            self._sessions_dirty = True
            return
        self._sessions_task = self._spawn(self._list_sessions())

    async def _list_sessions(self) -> None:
        while True:
            self._sessions_dirty = False
            try:
                result = await self._call("sessions.list", {"limit": SESSIONS_LIMIT})
            except (LinkDown, RpcError, TimeoutError) as exc:
                log.info("sessions.list failed: %s", describe_failure(exc))
                return
            self._sessions_result = result
            self.picker.set_choices(session_choices(result, self.session_key, self._made_here), self.session_key)
            if not self._sessions_dirty:
                return

    # ---- link callbacks -------------------------------------------------------------
    def _on_event(self, name: str, payload: dict[str, Any]) -> None:
        if name == "sessions.changed":
            self._refresh_sessions()
            return
        vm = self.transcript
        changes = vm.apply(name, payload)
        if not changes:
            return
        self._show(vm, changes)
        if vm.missing_user_runs():
            self._spawn(self._fill_user_messages(vm))
        if vm.history_stale and not vm.running:
            self._start_history_load(vm)

    def _on_state(self, state: str, _error: str | None) -> None:
        self._update_controls()
        if state == CONNECTED:
            self.reload()  # events were missed while down: the transcript on disk is the truth

    # ---- helpers --------------------------------------------------------------------
    def _on_submitted(self, text: str) -> None:
        self.send(text)

    def _show(self, vm: ChatTranscript, changes: list[Change]) -> None:
        if vm is self.transcript and changes:
            self.view.apply(vm.items, changes)
        self._update_controls()

    def _update_controls(self) -> None:
        state = controls(self._link.state, self._link.last_error, self.transcript.running,
                         bool(self.composer.toPlainText().strip()), self.loading)
        self.send_button.setEnabled(state.send)
        self.composer.send_enabled = state.send
        self.abort_button.setEnabled(state.abort)
        self.banner.setText(state.banner or "")
        self.banner.setVisible(state.banner is not None)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(self._guarded(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _guarded(self, coro: Coroutine[Any, Any, None]) -> None:
        vm = self.transcript
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in a handler must show up inline, never crash the app
            log.exception("chat window task failed")
            self._show(vm, vm.add_error(f"internal error: {describe_failure(exc)}"))

    def showEvent(self, event: QShowEvent) -> None:  # Qt's name
        super().showEvent(event)
        self.composer.setFocus()
