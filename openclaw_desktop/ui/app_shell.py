"""``DesktopApp``: the tray app's parts composed on one Qt + asyncio loop.

Hosts the gateway in this process (``app.build_gateway``), or attaches to the one that
already owns the port when the user says so; talks to it through one ``GatewayLink``
(the same code path for both); shows the tray icon (or the main window where the
desktop has no tray); wires the broker's events to the native approval dialogs, the
link's pairing events to the pairing dialogs, and runs this desktop as a node with the
tray as its notifier. Quitting is ordered (:meth:`DesktopApp.shutdown`): helper tasks,
dialogs, node, link, then ``gateway.close()`` awaited, so no write is lost.

Voice is a :class:`~.voice_bridge.VoiceBridge` (the runtime started only when voice wake
or talk mode needs it) behind ``on_talk`` / ``on_voice_wake`` and the ``VoiceHost``
methods (:meth:`set_voice_state` …). Settings, Chat and the first-run onboarding are
opened lazily (``windows.py``), Settings and onboarding with the voice extras (devices,
voices, level meter). Imports Qt; no sockets of its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from openclaw_desktop.app import Gateway
from openclaw_desktop.client.gateway_client import RpcError
from openclaw_desktop.config import store
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.desktop.hotkey import (
    GlobalHotkey,
    combo_from_config,
    start_hotkey,
)
from openclaw_desktop.errors import ConfigError
from openclaw_desktop.nodes.desktop.identity import load_or_create_identity
from openclaw_desktop.nodes.desktop.system_run import ApprovingRunner
from openclaw_desktop.remote.link import GatewayLink

from .approval_dialog import DEFAULT_ARM_DELAY_S
from .approval_routing import ApprovalRouting
from .gateway_calls import config_summary, fetch_snapshot, patch_config
from .hosted_node import NodeRunner
from .hosting import GatewayHost
from .main_window import MainWindow
from .notifier import TrayNotifier
from .pairing_dialog import DEFAULT_ARM_DELAY_S as PAIRING_ARM_DELAY_S
from .pairing_dialog import PairingDialogs
from .tray import AppActions, TrayIcon, request_bubble
from .tray_state import GatewayMode, StatusTracker
from .voice_bridge import VoiceBridge
from .windows import AppWindows

log = logging.getLogger(__name__)

NODE_START_DELAY_S = 1.0

REQUEST_EVENTS = ("exec.approval.requested", "device.pair.requested", "node.pair.requested")


class DesktopApp(QObject):
    """The running app. ``await run()`` starts everything, waits for quit, shuts down."""

    voice_wake_changed = Signal(bool)
    changed = Signal()
    """The tracker changed (tests and the voice overlay may follow it)."""

    def __init__(self, paths: StatePaths, overrides: Overrides, *, attach_url: str | None = None,
                 tray_available: bool = True, run_node: bool = True, reconnect_delay_s: float = 1.0,
                 approval_arm_delay_s: float = DEFAULT_ARM_DELAY_S,
                 pairing_arm_delay_s: float = PAIRING_ARM_DELAY_S, announce: bool = False,
                 first_run: bool = False, voice_engines: Callable[[Any], Any] | None = None,
                 voice_options: Any = None) -> None:
        """``first_run``: show the onboarding once the hosted gateway is reachable (the caller
        decides with ``needs_onboarding`` before the gateway writes its config).
        ``voice_engines`` / ``voice_options``: for tests (fake engines); None = the real ones."""
        super().__init__()
        self.paths = paths
        self.run_node, self.reconnect_delay_s, self.announce = run_node, reconnect_delay_s, announce
        self.tracker = StatusTracker(own_device_id=load_or_create_identity(paths.state_dir).device_id)
        self.actions = AppActions(self)
        self.tray = TrayIcon(self.actions, self) if tray_available else None
        self._main_window: MainWindow | None = None  # built on first use: most runs never show it
        if self.tray is not None:
            self.tray.message_clicked.connect(self.show_pending)
        self.host = GatewayHost(paths, overrides, attach_url, on_failure=self._start_failed)
        self.gateway: Gateway | None = None
        self.hotkey: GlobalHotkey | None = None
        self.link: GatewayLink | None = None
        self.node: NodeRunner | None = None
        self.approvals: ApprovalRouting | None = None
        self._approval_arm_delay_s = approval_arm_delay_s
        self.pairing = PairingDialogs(self.pairing_decision, skip=lambda r: self.tracker.is_own_node(r.kind, r.payload),
                                      arm_delay_s=pairing_arm_delay_s, parent=self)
        self.voice = VoiceBridge(self, paths.state_dir, engines=voice_engines, options=voice_options, parent=self)
        self.windows = AppWindows(self.voice.settings_extras, self._spawn, on_chat_created=self._chat_created)
        self.settings, self.chat, self.onboarding = self.windows.settings, self.windows.chat, self.windows.onboarding
        self.notices = self.windows.notices
        self.first_run = first_run
        self.notifier = TrayNotifier(self)
        self.on_talk: Callable[[], None] | None = self.voice.toggle_talk
        """The tray's Talk mode (toggles talk mode)."""
        self.on_voice_wake: Callable[[bool], None] | None = self.voice.set_wake_enabled
        """Voice wake switched on/off from the menu (after the config write)."""
        self.exit_code = 0
        self.quit_reason: str | None = None
        self._quit = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing = False
        self._closed = asyncio.Event()
        self._wire_actions()
        self._render()

    @property
    def main_window(self) -> MainWindow:
        """The status window (the app's only surface when there is no tray)."""
        if self._main_window is None:
            window = MainWindow(self.actions, quit_on_close=self.tray is None)
            window.close_requested.connect(lambda: self.request_quit("window closed"))
            window.update_status(self.tracker)
            self._main_window = window
        return self._main_window

    @property
    def closed(self) -> bool:
        """True once the ordered shutdown has finished."""
        return self._closed.is_set()

    @property
    def busy(self) -> bool:
        """Helper tasks (listings, config writes) are still running."""
        return bool(self._tasks)

    # ---- lifecycle --------------------------------------------------------------------
    async def run(self) -> int:
        """Start, wait for a quit request, shut down in order; returns the exit code."""
        try:
            if await self.start():
                await self._quit.wait()
        finally:
            await self.shutdown()
        return self.exit_code

    async def start(self) -> bool:
        """Show the tray (or window), host or attach, connect the link. False: do not run."""
        if self.tray is not None:
            self.tray.show()
        else:
            self.main_window.bring_up()
        self._render()
        target = await self.host.start()
        self.gateway = self.host.gateway
        if target is None:
            self.exit_code = 1
            return False
        self.tracker.mode = GatewayMode.HOSTED if target.hosted else GatewayMode.ATTACHED
        if self.gateway is not None:
            self.tracker.model = self.gateway.services.config.settings.agent.model
        url, token, password = target.url, target.token, target.password
        self.tracker.url = url
        self.link = GatewayLink(url, self.paths.state_dir, token=token, password=password,
                                reconnect_delay_s=self.reconnect_delay_s)
        self.approvals = ApprovalRouting(self.gateway, self.link, arm_delay_s=self._approval_arm_delay_s,
                                         present=lambda: not self._closing)
        self.link.add_event_listener(self._on_event)
        self.link.add_state_listener(self._on_link_state)
        await self.link.start()
        self.voice.attach(self.link)
        self._spawn(self._start_hotkey())
        if self.run_node:
            self.node = NodeRunner(url, self.paths.state_dir, self.paths.config_path, self.notifier,
                                   token=token, password=password,
                                   # system.run asks through the hosted broker → native dialog.
                                   system_runner=ApprovingRunner(self.gateway.exec_service)
                                   if self.gateway is not None else None)
            self._spawn(self._start_node())
        self._render()
        if self.announce:
            print(f"openclaw-desktop: ready ({'tray' if self.tray else 'window'}); gateway {url}", flush=True)
        return True

    async def _start_hotkey(self) -> None:
        """The global push-to-talk key (config ``voice.push_to_talk_hotkey``); a desktop
        without global keys (Wayland, no display) keeps the tray's Push to talk.

        Registering imports pynput and waits for the X server (~0.15 s): done in a worker
        thread so start-up does not block the loop for it."""
        try:
            doc = store.load(self.paths.config_path).parsed
        except (ConfigError, OSError):
            doc = {}
        loop = asyncio.get_running_loop()
        combo = combo_from_config(doc.get("voice") if isinstance(doc, dict) else None)
        self.hotkey = await asyncio.to_thread(
            start_hotkey, combo, lambda: loop.call_soon_threadsafe(self.voice.push_to_talk))

    async def _stop_hotkey(self) -> None:
        if self.hotkey is not None:
            await asyncio.to_thread(self.hotkey.stop)  # joins pynput's thread
            self.hotkey = None

    def request_quit(self, reason: str = "quit") -> None:
        """Ask for an ordered shutdown (menu, signal, logout, window close); idempotent."""
        if self.quit_reason is None:
            self.quit_reason = reason
            log.info("quitting: %s", reason)
        self._quit.set()

    async def shutdown(self) -> None:
        """Helper tasks, dialogs and windows, node, link, then the gateway (awaited).

        A step that fails is logged and the next one still runs; the gateway is closed
        even if an earlier step failed or this task is cancelled, so its storage is
        always flushed and closed.
        """
        if self._closing:
            await self._closed.wait()
            return
        self._closing = True
        try:
            steps: list[tuple[str, Callable[[], Coroutine[Any, Any, Any]]]] = [
                ("helper tasks", self._cancel_tasks), ("windows", self._close_windows),
                ("pairing dialogs", self.pairing.close)]
            if self.approvals is not None:
                steps.append(("approval dialogs", self.approvals.leave))
            steps.append(("push-to-talk hotkey", self._stop_hotkey))
            steps.append(("voice", self.voice.close))  # before the link: a reply in progress is aborted through it
            if self.node is not None:
                steps.append(("desktop node", self.node.stop))
            if self.link is not None:
                steps.append(("gateway link", self.link.close))
            for name, step in steps:
                try:
                    await step()
                except Exception:
                    log.exception("shutdown: closing the %s failed; continuing", name)
        finally:
            try:
                if self.gateway is not None:
                    # broker.close() inside denies what is pending; open approval dialogs dismiss themselves.
                    await self.gateway.close("desktop app quitting")
            finally:
                if self.approvals is not None:
                    self.approvals.close()
                if self.tray is not None:
                    self.tray.hide()
                if self._main_window is not None:
                    self._main_window.quit_on_close = False
                    self._main_window.close()
                self._closed.set()

    async def _cancel_tasks(self) -> None:
        tasks = [t for t in self._tasks if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _close_windows(self) -> None:
        self.windows.close()

    # ---- gateway ----------------------------------------------------------------------
    def _start_failed(self, _reason: str) -> None:
        self.tracker.mode = GatewayMode.FAILED
        self._render()

    async def toggle_pause(self) -> None:
        """Pause: close the listening socket and every connection; Resume: listen again."""
        if self.gateway is None:
            return
        if self.tracker.mode == GatewayMode.HOSTED:
            if self.node is not None:
                await self.node.stop()
            await self.host.pause()
            self.tracker.mode = GatewayMode.PAUSED
        elif self.tracker.mode == GatewayMode.PAUSED:
            try:
                await self.host.resume()
            except OSError as exc:
                self.notices.show(f"The gateway could not listen again: {exc}")
                return
            self.tracker.mode = GatewayMode.HOSTED
            if self.link is not None:
                await self.link.reconnect()  # now, not after the back-off
            if self.node is not None:
                self.node.start()
        self._render()

    async def _start_node(self) -> None:
        assert self.link is not None and self.node is not None
        try:
            await self.link.wait_connected(timeout_s=60)
        except TimeoutError as exc:
            log.warning("desktop node not started: %s", exc)
            return
        # Building the node imports QtMultimedia (a few hundred ms of CPU): let the tray
        # and the first clients have the CPU first.
        await asyncio.sleep(NODE_START_DELAY_S)
        self.node.start()

    # ---- events -----------------------------------------------------------------------
    def _on_event(self, name: str, payload: dict[str, Any]) -> None:
        changed = self.tracker.on_event(name, payload)
        if self.approvals is not None:
            self.approvals.on_link_event(name, payload)
        self.pairing.handle_event(name, payload)
        if name == "node.pair.requested" and self.tracker.is_own_node("node", payload):
            self._spawn(self._approve_own_node(payload))
        elif name in REQUEST_EVENTS:
            self._notify_request(name, payload)
        elif name == "config.changed":
            self._spawn(self._refresh_config())
        if changed:
            self._render()

    def _on_link_state(self, state: str, error: str | None) -> None:
        if self.tracker.set_link(state, error):
            self._render()
        self.voice.on_link_state(state)
        if state == "connected":
            self._spawn(self._on_connected())

    async def _on_connected(self) -> None:
        """Fresh listings after every (re)connect: events missed while down are not replayed."""
        assert self.link is not None
        self.tracker.begin_snapshot()
        snap = await fetch_snapshot(self.link)
        self.tracker.load_pending(snap.approvals, snap.device_pending, snap.node_pending)
        self.tracker.set_presence(snap.presence)
        self._render()
        if self.approvals is not None:
            self.approvals.offer_listed([a for a in snap.approvals
                                         if isinstance(a, dict) and a.get("id") in self.tracker.approvals])
        for request in list(self.tracker.pairings.values()):
            self.pairing.offer(request)
        for row in snap.node_pending:
            if isinstance(row, dict) and self.tracker.is_own_node("node", row):
                await self._approve_own_node(row)
        await self._refresh_config()
        if self.first_run and self.tracker.mode == GatewayMode.HOSTED:
            # Only for the gateway on this machine: its config is the one that lacked the wizard keys.
            self.first_run = False
            if self.announce:
                print("openclaw-desktop: first run: showing the introduction", flush=True)
            await self.open_onboarding()

    async def _approve_own_node(self, payload: dict[str, Any]) -> None:
        """This desktop's own node asks for the commands the user enabled in Settings: approve."""
        commands = set(payload.get("commands") or [])
        enabled = self.node.enabled if self.node is not None else frozenset()
        if self.link is None or not commands <= enabled:
            return  # not what we declared: leave it to the user
        await self.link.call("node.pair.approve", {"requestId": payload["requestId"]})

    async def _refresh_config(self) -> None:
        if self.link is None:
            return
        view = await self.link.call("config.get")
        summary = config_summary(view)
        # Hosted: the live settings (overrides applied) say which model turns really use.
        self.tracker.model = self.gateway.services.config.settings.agent.model if self.gateway else summary.model
        self.tracker.voice_wake = summary.voice_wake
        self.voice.on_config(view.get("parsed") if isinstance(view, dict) else None)
        if self.node is not None:
            await self.node.reload()
        self._render()

    def _notify_request(self, name: str, payload: dict[str, Any]) -> None:
        """A bubble for a new request when none of our windows has the focus."""
        if self.tray is not None and QApplication.activeWindow() is None:
            self.tray.show_message(*request_bubble(name, payload), warning=True)

    # ---- actions ----------------------------------------------------------------------
    def _wire_actions(self) -> None:
        a = self.actions
        a.quit.triggered.connect(lambda: self.request_quit("menu"))
        a.talk.triggered.connect(self._talk)
        a.push_to_talk.triggered.connect(self.voice.push_to_talk)
        a.voice_wake.triggered.connect(lambda checked: self._spawn(self.set_voice_wake(bool(checked))))
        a.open_chat.triggered.connect(self.open_chat)
        a.pending.triggered.connect(self.show_pending)
        a.pair_phone.triggered.connect(self.open_pair_phone)
        a.settings.triggered.connect(self.open_settings)
        a.pause.triggered.connect(lambda: self._spawn(self.toggle_pause()))

    def _talk(self) -> None:
        self._render()  # the check mark follows talk mode, not the click
        if self.on_talk is None:
            self.notices.show("Talk mode needs the voice components, which are not set up in this build.")
        else:
            self.on_talk()

    async def set_voice_wake(self, enabled: bool) -> None:
        """Write ``voice.wake.enabled`` through ``config.patch``, then tell voice."""
        assert self.link is not None
        try:
            await patch_config(self.link, {"voice": {"wake": {"enabled": enabled}}})
        except (RpcError, ConnectionError) as exc:
            self._render()  # put the check mark back where the config is
            self.notices.show(f"Voice wake could not be switched {'on' if enabled else 'off'}: {exc}")
            return
        self.tracker.voice_wake = enabled
        self._render()
        self.voice_wake_changed.emit(enabled)
        if self.on_voice_wake is not None:
            self.on_voice_wake(enabled)

    def open_chat(self) -> None:
        self.windows.open_chat(self.link)

    def _chat_created(self, window: Any) -> None:
        signal = getattr(window, "open_approval_requested", None)
        if signal is not None:  # "Answer" on an approval shown inline in the chat
            signal.connect(self.show_approval)

    def show_approval(self, approval_id: str) -> None:
        """Bring up the native dialog for one pending approval (it may be queued)."""
        if self.approvals is None or not self.approvals.raise_current(approval_id):
            self.show_pending()

    def open_settings(self) -> None:
        """Settings, with the voice devices and level meter."""
        self.windows.open_settings(self.link, self.gateway)

    async def open_onboarding(self) -> None:
        """The first-run introduction (also Settings → About → Run the introduction again)."""
        await self.windows.open_onboarding(self.link)

    def open_pair_phone(self) -> None:
        """Settings → Devices shows the QR code."""
        self.windows.open_pair_phone(self.link, self.gateway)

    def show_pending(self) -> None:
        """Raise the approval dialog on screen and bring back pairing requests put off."""
        if self.approvals is not None:
            self.approvals.raise_current()
        self.pairing.show_pending()

    def show_main_window(self) -> None:
        """A second launch asked us to show ourselves."""
        log.info("showing the main window: another launch asked for it")
        self.main_window.bring_up()

    # ---- VoiceHost (what the voice bridge drives) -------------------------------------------
    def set_voice_state(self, state: str, note: str | None = None) -> None:
        """Voice reports idle/listening/thinking/speaking (and a note for the tooltip)."""
        if self.tracker.set_voice(state, note):
            self._render()

    def set_voice_problem(self, problem: str | None) -> None:
        """A missing microphone/speaker or a failed start: attention, the reason in the tooltip."""
        if self.tracker.set_voice_problem(problem):
            self._render()

    def set_talk_mode(self, on: bool) -> None:
        """Talk mode on/off: the menu's check mark."""
        if self.tracker.talk_mode != on:
            self.tracker.talk_mode = on
            self._render()

    def explain(self, text: str) -> None:
        """A short non-modal note (voice could not start, …)."""
        self.notices.show(text)

    def show_message(self, title: str, body: str, *, warning: bool = False, timeout_ms: int = 10_000) -> str | None:
        """The node's notifications: the tray bubble, or the main window without a tray."""
        if self.tray is not None:
            return self.tray.show_message(title, body, warning=warning, timeout_ms=timeout_ms)
        return self.main_window.show_message(title, body, warning=warning, timeout_ms=timeout_ms)

    # ---- internals --------------------------------------------------------------------
    async def pairing_decision(self, kind: str, request_id: str, decision: str) -> None:
        """Approve or reject a device or node pairing request through the link."""
        if self.link is None:
            raise ConnectionError("not connected to the gateway")
        family = "device.pair" if kind == "device" else "node.pair"
        await self.link.call(f"{family}.{decision}", {"requestId": request_id})

    def _render(self) -> None:
        self.actions.update(self.tracker)
        if self.tray is not None:
            self.tray.update(self.tracker)
        if self._main_window is not None:
            self._main_window.update_status(self.tracker)
        self.changed.emit()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a helper on the loop; errors are logged (the link may drop at any time)."""
        if self._closing:
            coro.close()
            return
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.warning("desktop app task failed: %s", exc, exc_info=not isinstance(exc, ConnectionError | RpcError))
