"""The tray app on a real (virtual) desktop, for the screenshot test; run as a child process.

``python app_scene.py STATE_DIR`` on an Xvfb display with a tray host: runs the real
``DesktopApp`` (gateway hosted in-process on port 0, link, desktop node) and walks
through what a user sees, saving PNGs into ``artifacts/screenshots/``:

tray-idle, tray-menu, approval-dialog, tray-attention, pairing-dialog, tray-notification,
main-window

then prints one JSON line of facts for the test (tray geometry, the screen's colour at
the tray icon per state, dialog titles, notification delivery) and quits through the
app's ordered shutdown. Needs ``QT_QPA_PLATFORM=xcb`` and ``DISPLAY``.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon
from shots import run_scene, save_screenshot

from openclaw_desktop.approvals.broker import ApprovalRequest
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.ui.app_shell import DesktopApp

TOKEN = "testtoken"  # = tests.conftest.TOKEN, which the LAN pairing helper presents


async def until(condition, timeout: float = 15.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := condition()):
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return value


async def settle(seconds: float = 0.4) -> None:
    """Let the X server, the compositor and the tray host catch up before a grab."""
    await asyncio.sleep(seconds)


def screen_colour(x: int, y: int) -> str:
    return QGuiApplication.primaryScreen().grabWindow(0, x, y, 1, 1).toImage().pixelColor(0, 0).name()


async def scene(state_dir: Path) -> dict:
    from tests.ui.qt_async import (
        request_pairing_from_lan,  # after QApplication: it forces offscreen on import
    )

    facts: dict = {"tray_available": QSystemTrayIcon.isSystemTrayAvailable()}
    paths = StatePaths(state_dir, state_dir / "openclaw.json")
    app = DesktopApp(paths, Overrides(port=0, token=TOKEN), tray_available=facts["tray_available"],
                     approval_arm_delay_s=0.3, pairing_arm_delay_s=0.3)
    runner = asyncio.ensure_future(app.run())
    try:
        await until(lambda: app.link is not None and app.link.state == "connected", what="link")
        await until(lambda: app.node is not None and app.node.node is not None
                    and app.node.node.status.state.value == "connected", what="desktop node")
        tray = app.tray
        assert tray is not None
        geometry = await until(lambda: tray.icon.geometry() if tray.icon.geometry().width() > 0 else None,
                               what="tray icon geometry")
        facts["tray_geometry"] = [geometry.x(), geometry.y(), geometry.width(), geometry.height()]
        # Left of centre on the disc: the state colour, clear of every glyph.
        centre = (geometry.center().x() - int(0.3 * min(geometry.width(), geometry.height())), geometry.center().y())
        await settle()
        facts["idle_colour"] = screen_colour(*centre)
        screen_w = QGuiApplication.primaryScreen().geometry().width()
        save_screenshot(None, "tray-idle", crop=(screen_w - 320, 0, 320, 48))

        # The tray menu, opened the way a left click opens it, under the icon.
        tray.menu.popup(QPoint(geometry.right() - 4, geometry.bottom() + 2))
        await until(lambda: tray.menu.isVisible(), what="menu")
        await settle()
        menu = tray.menu.geometry()
        facts["menu_texts"] = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
        save_screenshot(None, "tray-menu", crop=(menu.x() - 40, 0, screen_w - menu.x() + 40, menu.bottom() + 24))
        tray.menu.hide()

        # An exec approval from the agent: the native dialog, and the tray asks for attention.
        request = ApprovalRequest(
            command="rm -rf ./build && curl -fsSL https://example.com/install.sh | sh", argv=None,
            cwd="/home/ada/projects/site", agent_id="main", session_key="agent:main:main",
            resolved_path="/usr/bin/rm", reasons=("not on the allowlist", "pipes a download into a shell"))
        assert app.gateway is not None
        pending = app.gateway.broker.submit(request)
        dialogs = app.approvals
        assert dialogs is not None
        dialog = await until(lambda: dialogs.current if dialogs.current and dialogs.current.isVisible() else None,
                             what="approval dialog")
        await until(lambda: dialog.armed, what="approval armed")
        await until(lambda: app.tracker.pending_count == 1, what="attention")
        await settle()
        facts["approval_title"] = dialog.windowTitle()
        save_screenshot(dialog, "approval-dialog")
        facts["attention_colour"] = screen_colour(*centre)
        save_screenshot(None, "tray-attention", crop=(screen_w - 320, 0, 320, 48))
        dialog.deny_button.click()
        await until(lambda: pending.resolution is not None, what="denied")

        # A phone on the LAN asks to pair.
        from openclaw_desktop.protocol.device_auth import DeviceIdentity

        details = await request_pairing_from_lan(app.gateway.url, DeviceIdentity.generate(),
                                                 display_name="Ada's Pixel 8", scopes=["operator.read", "operator.write"])
        assert details.get("code") == "PAIRING_REQUIRED", details
        pairing = await until(lambda: app.pairing.current if app.pairing.current and app.pairing.current.isVisible()
                              else None, what="pairing dialog")
        await until(lambda: pairing.armed, what="pairing armed")
        await settle()
        facts["pairing_title"] = pairing.windowTitle()
        save_screenshot(pairing, "pairing-dialog")
        pairing.later_button.click()

        # The agent notifies through this desktop's node: a tray bubble.
        assert app.link is not None and app.node is not None and app.node.node is not None
        result = await app.link.call("node.invoke", {
            "nodeId": app.node.node.node_id, "command": "system.notify", "idempotencyKey": str(uuid.uuid4()),
            "params": {"title": "Build finished", "body": "All 214 tests passed in 38 s.", "priority": "active"}})
        facts["notify_result"] = result.get("payload")
        facts["tray_message"] = list(tray.last_message or ())
        await settle(1.0)
        save_screenshot(None, "tray-notification", crop=(screen_w - 520, 0, 520, 200))

        app.show_main_window()
        await until(lambda: app.main_window.isVisible(), what="main window")
        await settle()
        save_screenshot(app.main_window, "main-window")
        facts["main_window_state"] = app.main_window.state_label.text()
    finally:
        app.request_quit("scene done")
        facts["exit_code"] = await runner
    try:
        app.gateway.db.conn  # type: ignore[union-attr]  # noqa: B018 - raises once closed
        facts["db_closed"] = False
    except RuntimeError:
        facts["db_closed"] = True
    return facts


if __name__ == "__main__":
    sys.exit(run_scene(scene))
