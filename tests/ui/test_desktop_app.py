"""The composed tray app against a real gateway (hosted in-process on port 0, offscreen Qt):
start and ordered quit, tray state from real events, native approval dialogs wired to the
broker, the desktop node's system.notify, pause/resume, voice wake, attach on a taken port."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from typing import Any, Self

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from openclaw_desktop.app import build_gateway
from openclaw_desktop.approvals.broker import ApprovalRequest
from openclaw_desktop.client.gateway_client import GatewayClient
from openclaw_desktop.config import store
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from openclaw_desktop.ui.app_shell import DesktopApp
from openclaw_desktop.ui.desktop_app import run_app
from openclaw_desktop.ui.hosted_node import commands_from_doc
from openclaw_desktop.ui.hosting import ATTACH, QUIT
from openclaw_desktop.ui.tray_state import GatewayMode, TrayState
from openclaw_desktop.ui.windows import WindowSlot
from tests.conftest import TOKEN, cli_opts, state_paths
from tests.ui.qt_async import gone, request_pairing_from_lan, run, until


def no_voice(_settings: Any) -> Any:
    """An engines factory for a build without the voice extra (tests/ui/test_voice_in_app.py
    runs voice with fake engines)."""
    raise ImportError("No module named 'faster_whisper'")


class Apps:
    """Starts DesktopApps (``app.run()`` as a task) and quits every one in order at the end.

    Tests run everything, teardown included, in one ``run_until_complete``: qasync runs a
    last round of Qt events after each one returns, when asyncio callbacks cannot run.
    """

    def __init__(self, paths: Any) -> None:
        self.paths = paths
        self.started: list[tuple[DesktopApp, asyncio.Task[int]]] = []

    def __call__(self, **kw: Any) -> DesktopApp:
        kw.setdefault("tray_available", True)
        kw.setdefault("run_node", False)
        kw.setdefault("reconnect_delay_s", 0.1)
        kw.setdefault("voice_engines", no_voice)
        app = DesktopApp(kw.pop("paths", self.paths), kw.pop("overrides", Overrides(port=0, token=TOKEN)),
                         approval_arm_delay_s=0.1, pairing_arm_delay_s=0.1, **kw)
        self.started.append((app, asyncio.ensure_future(app.run())))
        return app

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for app, task in self.started:
            app.request_quit("test teardown")
            await task


@pytest.fixture
def apps(paths) -> Apps:
    return Apps(paths)


async def connected(app: DesktopApp) -> DesktopApp:
    await until(lambda: app.link is not None and app.link.state == "connected", what="link connected")
    await until(lambda: app.tracker.link_state == "connected", what="tracker follows the link")
    return app


async def health(url: str) -> dict[str, Any]:
    async with GatewayClient.connect(url, cli_opts()) as cli:
        return await cli.call("health")


def test_hosted_app_starts_serves_and_quits_in_order(qloop, apps, paths):
    async def go() -> None:
        async with apps:
            app = await connected(apps(run_node=True))
            gateway = app.gateway
            assert gateway is not None and app.tracker.mode is GatewayMode.HOSTED
            assert (await health(gateway.url))["ok"] is True
            assert app.tray is not None and app.tray.icon.isVisible() and app.tray.state is TrayState.IDLE
            assert app.tracker.url == gateway.url and app.actions.status[0].text() == gateway.url
            # This desktop runs as a node of its own gateway, its command surface approved by the app.
            own = app.tracker.own_device_id
            await until(lambda: own in gateway.nodes.surfaces.approved, what="own node approved")
            assert set(gateway.nodes.surfaces.approved[own].surface.commands) == {
                "system.which", "system.notify", "camera.list"}
            assert app.tracker.pending_count == 0  # its own request never asked for attention
            # A write made just before quitting must survive: approve a phone, then quit at once.
            ident = DeviceIdentity.generate()
            details = await request_pairing_from_lan(gateway.url, ident)
            await app.pairing_decision("device", details["requestId"], "approve")
            url = gateway.url
            app.actions.quit.trigger()
            await until(lambda: app.closed, what="shutdown")
            assert app.quit_reason == "menu"
            with pytest.raises(RuntimeError, match="not open"):
                gateway.db.conn  # noqa: B018 - the SQLite database is closed
            assert app.link is not None and app.link.state == "stopped"
            assert app.node is not None and not app.node.running
            assert not app.tray.icon.isVisible()
            with pytest.raises(OSError):
                await health(url)
        again = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
        try:
            assert again.services.pairing.paired(ident.device_id) is not None
        finally:
            await again.close()

    run(qloop, go())


def test_approvals_reach_the_native_dialog_and_the_tray(qloop, apps):
    async def go() -> None:
        async with apps:
            app = await connected(apps())
            assert app.gateway is not None and app.approvals is not None and app.tray is not None
            dialogs = app.approvals.dialogs
            request = ApprovalRequest(command="rm -rf build", argv=None, cwd="/tmp", reasons=("not allowlisted",))
            pending = app.gateway.broker.submit(request)
            dialog = await until(lambda: dialogs.current, what="approval dialog")
            await until(lambda: app.tray.state is TrayState.ATTENTION, what="attention icon")
            assert app.actions.pending.text() == "Pending approvals (1)" and app.actions.pending.isEnabled()
            dialog.deny_button.click()
            assert pending.resolution is not None
            assert (pending.resolution.decision, pending.resolution.resolved_by) == ("deny", "this computer")
            await until(lambda: app.tray.state is TrayState.IDLE, what="idle again")

            # Paused (no sockets at all), the in-process dialog is still a route: not auto-denied.
            await app.toggle_pause()
            assert app.tray.state is TrayState.STOPPED
            second = app.gateway.broker.submit(request)
            assert second.resolution is None
            dialog = await until(lambda: dialogs.current if dialogs.current not in (None, dialog) else None,
                                 what="second dialog")
            await until(lambda: dialog.armed, what="armed")
            dialog.allow_once_button.click()
            assert second.resolution is not None and second.resolution.decision == "allow-once"
            await app.toggle_pause()
            await connected(app)
            # Quitting with an approval open denies it (fail closed) and closes the dialog.
            third = app.gateway.broker.submit(request)
            dialog = await until(lambda: dialogs.current if dialogs.current not in (None, dialog) else None,
                                 what="third dialog")
        assert third.resolution is not None and third.resolution.decision == "deny"
        assert gone(dialog)

    run(qloop, go())


def test_pause_and_resume_the_hosted_gateway(qloop, apps):
    async def go() -> None:
        async with apps:
            app = await connected(apps(run_node=True))
            gateway, runner = app.gateway, app.node
            assert gateway is not None and runner is not None and app.tray is not None
            url = gateway.url
            await until(lambda: runner.node is not None and runner.node.status.state.value == "connected",
                        what="node connected")
            app.actions.pause.trigger()
            await until(lambda: app.tracker.mode is GatewayMode.PAUSED, what="paused")
            assert app.actions.pause.text() == "Resume gateway"
            assert app.tray.state is TrayState.STOPPED
            assert "paused" in app.actions.status[0].text().lower()
            with pytest.raises(OSError):
                await health(url)
            assert not runner.running
            app.actions.pause.trigger()
            await until(lambda: app.tracker.mode is GatewayMode.HOSTED, what="resumed")
            assert (await health(url))["ok"] is True  # same address as before
            await connected(app)
            await until(lambda: runner.node is not None and runner.node.status.state.value == "connected",
                        what="node back")
            assert app.actions.pause.text() == "Pause gateway" and app.tray.state is TrayState.IDLE

    run(qloop, go())


def test_voice_wake_toggle_writes_config_and_tells_voice(qloop, apps, paths):
    paths.state_dir.mkdir(parents=True)
    store.atomic_write_text(paths.config_path, '{agents: {defaults: {model: "claude-test-1"}}}')
    heard: list[bool] = []

    async def go() -> None:
        async with apps:
            app = apps()
            app.on_voice_wake = heard.append
            await connected(app)
            await until(lambda: app.actions.status[1].text() == "Model: claude-test-1", what="model shown")
            assert not app.actions.voice_wake.isChecked()
            app.actions.voice_wake.trigger()  # the user ticks it
            await until(lambda: heard == [True], what="voice told")
            doc = store.load(paths.config_path).parsed
            assert doc["voice"]["wake"]["enabled"] is True
            assert doc["agents"]["defaults"]["model"] == "claude-test-1"  # the rest of the file is kept
            assert app.actions.voice_wake.isChecked()
            app.actions.voice_wake.trigger()
            await until(lambda: heard == [True, False], what="voice told again")
            assert store.load(paths.config_path).parsed["voice"]["wake"]["enabled"] is False
            # A change made elsewhere (Settings, another client) shows up in the menu.
            async with GatewayClient.connect(app.gateway.url, cli_opts()) as cli:  # type: ignore[union-attr]
                view = await cli.call("config.get")
                await cli.call("config.patch", {"raw": json.dumps({"voice": {"wake": {"enabled": True}}}),
                                                "baseHash": view["hash"]})
            await until(lambda: app.actions.voice_wake.isChecked(), what="menu follows config")

    run(qloop, go())


async def notify(app: DesktopApp, **params: str) -> dict[str, Any]:
    """system.notify through the gateway to this desktop's own node, as the agent would."""
    runner, gateway, link = app.node, app.gateway, app.link
    assert runner is not None and gateway is not None and link is not None
    own = app.tracker.own_device_id
    await until(lambda: runner.node is not None and runner.node.status.state.value == "connected", what="node")
    await until(lambda: own in gateway.nodes.surfaces.approved, what="surface approved")
    result = await link.call("node.invoke", {"nodeId": own, "command": "system.notify",
                                             "idempotencyKey": str(uuid.uuid4()), "params": params})
    return result["payload"]


def test_system_notify_from_the_agent_shows_a_tray_message(qloop, apps):
    async def go() -> None:
        async with apps:
            app = await connected(apps(run_node=True))
            payload = await notify(app, title="Build finished", body="All green", priority="active")
            assert payload == {"ok": True, "delivery": "tray"}
            assert app.tray is not None and app.tray.last_message == ("Build finished", "All green")

    run(qloop, go())


def test_without_a_tray_the_main_window_is_the_app(qloop, apps):
    async def go() -> None:
        async with apps:
            app = await connected(apps(tray_available=False, run_node=True))
            assert app.tray is None and app.main_window.isVisible()
            assert app.main_window.buttons["quit"].defaultAction() is app.actions.quit
            payload = await notify(app, title="Hello", body="from the agent")
            assert payload["delivery"] == "window"
            assert app.main_window.message_label.text() == "Hello: from the agent"
            app.main_window.close()  # closing the only window quits the app, in order
            await until(lambda: app.closed, what="shutdown")
            assert app.quit_reason == "window closed" and not app.main_window.isVisible()

    run(qloop, go())


def test_tray_follows_pairing_voice_and_pending_action(qloop, apps):
    async def go() -> None:
        async with apps:
            app = await connected(apps())
            gateway, tray = app.gateway, app.tray
            assert gateway is not None and tray is not None
            details = await request_pairing_from_lan(gateway.url, DeviceIdentity.generate())
            dialog = await until(lambda: app.pairing.current, what="pairing dialog")
            await until(lambda: tray.state is TrayState.ATTENTION, what="attention")
            dialog.later_button.click()
            await until(lambda: app.pairing.current is None, what="put off")
            assert tray.state is TrayState.ATTENTION  # still pending on the gateway
            app.actions.pending.trigger()  # "Pending approvals (1)" brings it back
            dialog = await until(lambda: app.pairing.current, what="dialog again")
            await until(lambda: dialog.armed, what="armed")
            dialog.reject_button.click()
            await until(lambda: tray.state is TrayState.IDLE, what="idle after reject")
            pending = gateway.services.pairing.pending(gateway.services.clock_ms())
            assert details["requestId"] not in {r.request_id for r in pending}
            app.set_voice_state("listening")
            assert tray.state is TrayState.LISTENING
            app.set_voice_state("speaking")
            assert tray.state is TrayState.SPEAKING
            app.set_voice_state("idle")
            assert tray.state is TrayState.IDLE

    run(qloop, go())


def visible_windows() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def test_talk_without_voice_explains_and_with_voice_calls_it(qloop, apps):
    talks: list[int] = []

    async def go() -> None:
        async with apps:
            app = await connected(apps())
            app.actions.talk.trigger()
            box = await until(lambda: next((w for w in visible_windows() if isinstance(w, QMessageBox)), None),
                              what="talk placeholder")
            assert "openclaw-desktop[voice]" in box.text() and not box.isModal()
            assert not app.actions.talk.isChecked() and app.voice.runtime is None
            assert app.tracker.voice_problem is None and app.tracker.voice_note == "not installed"
            box.close()
            app.on_talk = lambda: talks.append(1)
            app.actions.talk.trigger()
            assert talks == [1]

    run(qloop, go())


def test_window_slot_creates_once_or_explains(qtbot):
    missing = WindowSlot("tests.ui.no_such_window", "Window", "Not in this build.")
    assert missing.open() is None
    assert missing.placeholder is not None and missing.placeholder.text() == "Not in this build."
    assert not missing.placeholder.isModal()
    present = WindowSlot("PySide6.QtWidgets", "QWidget", "")
    first = present.open()
    assert isinstance(first, QWidget) and first.isVisible()
    first.hide()
    assert present.open() is first and first.isVisible()
    present.close()
    missing.close()
    assert present.window is None


def test_taken_port_offers_to_attach_to_the_running_gateway(qloop, apps, tmp_path):
    async def go() -> None:
        other = await build_gateway(state_paths(tmp_path / "other"), Overrides(port=0, token=TOKEN),
                                    log_to_file=False)
        try:
            async with apps:
                port = other.server.port
                app = apps(overrides=Overrides(port=port, token=TOKEN))
                box = await until(lambda: app.host.dialog, what="port-in-use dialog")
                assert box.isVisible() and str(port) in box.text() and not box.isModal()
                attach = next(b for b in box.buttons() if b.text() == ATTACH)
                assert box.escapeButton() is not attach and box.defaultButton() is not attach
                attach.click()
                await connected(app)
                assert app.gateway is None and app.tracker.mode is GatewayMode.ATTACHED
                assert app.tracker.url == f"ws://127.0.0.1:{port}"
                assert "(attached)" in app.actions.status[0].text() and not app.actions.pause.isVisible()
                assert (await app.link.call("health"))["ok"] is True  # type: ignore[union-attr]
            assert (await health(other.url))["ok"] is True  # the other gateway keeps running
        finally:
            await other.close()

    run(qloop, go())


def test_taken_port_quit_and_foreign_program(qloop, apps, tmp_path):
    async def go() -> None:
        other = await build_gateway(state_paths(tmp_path / "other"), Overrides(port=0, token=TOKEN),
                                    log_to_file=False)
        try:
            async with apps:
                app = apps(overrides=Overrides(port=other.server.port, token=TOKEN))
                box = await until(lambda: app.host.dialog, what="dialog")
                QTest.keyClick(box, Qt.Key.Key_Escape)  # Esc = Quit
                await until(lambda: app.closed, what="quit")
                assert app.exit_code == 1 and app.link is None
        finally:
            await other.close()
        with socket.socket() as foreign:  # not an OpenClaw gateway: no attach offered
            foreign.bind(("127.0.0.1", 0))
            foreign.listen()
            async with apps:
                app = apps(overrides=Overrides(port=foreign.getsockname()[1], token=TOKEN))
                box = await until(lambda: app.host.dialog if app.host.failure else None,
                                  what="failure dialog")
                assert "already in use" in box.text() and [b.text() for b in box.buttons()] == [QUIT]
                assert app.tracker.state() is TrayState.ERROR
                box.buttons()[0].click()
                await until(lambda: app.closed, what="quit")

    run(qloop, go())


@pytest.mark.parametrize(("doc", "expected"), [
    ({}, {"system.which", "system.notify", "camera.list"}),
    ({"node": {"commands": {"enabled": ["screen.snapshot"]}}}, {"system.which", "system.notify", "camera.list",
                                                               "screen.snapshot"}),
    ({"desktop": {"permissions": {"camera": True, "location": True, "notify": False}}},
     {"system.which", "camera.list", "camera.snap", "camera.clip", "location.get"}),
    # The Settings toggle wins over the node list, and junk never enables anything.
    ({"node": {"commands": {"enabled": ["screen.record"]}}, "desktop": {"permissions": {"screen": False}}},
     {"system.which", "system.notify", "camera.list"}),
    ({"node": {"commands": {"enabled": ["bogus"]}}, "desktop": {"permissions": {"run": "yes"}}},
     {"system.which", "system.notify", "camera.list"}),
])
def test_node_commands_from_config(doc, expected):
    assert commands_from_doc(doc) == expected


def test_permission_toggle_restarts_the_node_with_the_new_command(qloop, apps):
    async def go() -> None:
        async with apps:
            app = await connected(apps(run_node=True))
            gateway, runner = app.gateway, app.node
            assert gateway is not None and runner is not None
            own = app.tracker.own_device_id
            await until(lambda: own in gateway.nodes.surfaces.approved, what="own node approved")
            async with GatewayClient.connect(gateway.url, cli_opts()) as cli:  # what Settings → Permissions does
                view = await cli.call("config.get")
                await cli.call("config.patch", {"raw": json.dumps({"desktop": {"permissions": {"location": True}}}),
                                                "baseHash": view["hash"]})
            await until(lambda: "location.get" in gateway.nodes.surfaces.approved[own].surface.commands,
                        what="location.get approved for the restarted node")
            assert "location.get" in runner.enabled and app.tracker.pending_count == 0

    run(qloop, go())


def test_requests_bubble_from_the_tray_only_when_no_window_is_active(qloop, apps):
    async def go() -> None:
        async with apps:
            app = await connected(apps())
            gateway, tray = app.gateway, app.tray
            assert gateway is not None and tray is not None
            assert QApplication.activeWindow() is None
            await request_pairing_from_lan(gateway.url, DeviceIdentity.generate(), display_name="Kitchen tablet")
            await until(lambda: tray.last_message is not None, what="bubble")
            assert tray.last_message == ("Pairing request", "Kitchen tablet asks to connect")
            dialog = await until(lambda: app.pairing.current, what="pairing dialog")
            dialog.later_button.click()
            tray.last_message = None
            app.show_main_window()  # the user is looking at our window: no bubble needed
            await until(lambda: QApplication.activeWindow() is app.main_window, what="main window active")
            await request_pairing_from_lan(gateway.url, DeviceIdentity.generate(), display_name="Laptop")
            await until(lambda: app.pairing.current is not None, what="second dialog")
            assert tray.last_message is None

    run(qloop, go())


def test_attached_app_answers_the_remote_gateways_approvals(qloop, apps, tmp_path):
    request = ApprovalRequest(command="make deploy", argv=None, cwd="/srv/site", reasons=("not allowlisted",))

    async def go() -> None:
        other = await build_gateway(state_paths(tmp_path / "other"), Overrides(port=0, token=TOKEN),
                                    log_to_file=False)
        try:
            async with apps:
                app = await connected(apps(attach_url=other.url))
                assert app.gateway is None and app.approvals is not None and app.tray is not None
                routing = app.approvals
                pending = other.broker.submit(request)  # the remote agent asks
                dialog = await until(lambda: routing.current, what="dialog from the remote gateway")
                assert dialog.command_view.toPlainText() == "make deploy"
                await until(lambda: app.tray.state is TrayState.ATTENTION, what="attention")
                await until(lambda: dialog.armed, what="armed")
                dialog.allow_once_button.click()
                await until(lambda: pending.resolution is not None, what="answered over the link")
                assert pending.resolution.decision == "allow-once"
                await until(lambda: app.tray.state is TrayState.IDLE, what="idle")
                # Quitting with a dialog open is no answer from the app: the gateway decides by
                # its own rule (its last approver left: "no-route", deny).
                left_open = other.broker.submit(request)
                await until(lambda: routing.current is not None and routing.current.pending.id == left_open.id,
                            what="second dialog")
            assert left_open.resolution is not None
            assert (left_open.resolution.resolved_by, left_open.resolution.reason) == ("gateway", "no-route")
        finally:
            await other.close()

    run(qloop, go())


def test_qt_quitting_under_the_app_still_shuts_down_in_order(qloop, qapp, paths):
    """A logout or platform quit calls QApplication.quit(): Qt's loop ends under asyncio,
    and run_app runs it again just for the ordered shutdown."""
    app = DesktopApp(paths, Overrides(port=0, token=TOKEN), tray_available=True, run_node=False)

    async def quit_when_up() -> None:
        await connected(app)
        await until(lambda: not app.busy, what="listings done")  # quit when idle
        qapp.quit()

    watcher = qloop.create_task(quit_when_up())
    assert run_app(qloop, app) == 0
    assert watcher.done() and app.quit_reason == "application quit"
    assert app.gateway is not None
    with pytest.raises(RuntimeError, match="not open"):
        app.gateway.db.conn  # noqa: B018 - closed by the ordered shutdown


def test_menu_opens_settings_pairing_and_chat_windows(qloop, apps):
    async def go() -> None:
        async with apps:
            app = await connected(apps())
            app.actions.settings.trigger()
            settings = await until(lambda: app.settings.window, what="settings window")
            assert settings.isVisible() and type(settings).__name__ == "SettingsWindow"
            app.actions.pair_phone.trigger()  # the same window, on Devices with a setup code
            assert app.settings.window is settings
            assert settings.current_tab() is settings.tabs["devices"]
            app.actions.open_chat.trigger()
            chat = await until(lambda: app.chat.window, what="chat window")
            assert chat.isVisible() and type(chat).__name__ == "ChatWindow"
            app.actions.open_chat.trigger()
            assert app.chat.window is chat  # raised, not duplicated

    run(qloop, go())


def test_an_address_that_cannot_be_bound_is_explained(qloop, apps):
    async def go() -> None:
        async with apps:
            app = apps(overrides=Overrides(port=0, token=TOKEN, bind="custom", custom_host="203.0.113.7"))
            box = await until(lambda: app.host.dialog if app.host.failure else None, what="failure dialog")
            assert "cannot start its gateway" in box.text() and app.tracker.state() is TrayState.ERROR
            box.buttons()[0].click()
            await until(lambda: app.closed, what="quit")
            assert app.exit_code == 1

    run(qloop, go())
