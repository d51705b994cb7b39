"""Pairing dialogs against a real gateway: requests from a LAN-looking client pop a
dialog, and Approve / Reject / Later reach (or deliberately do not reach) the gateway."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt

from openclaw_desktop.app import Gateway, build_gateway
from openclaw_desktop.client.gateway_client import GatewayClient
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from openclaw_desktop.remote.link import GatewayLink
from openclaw_desktop.ui.pairing_dialog import (
    PairingDialog,
    PairingDialogs,
    PairingRequest,
    describe,
)
from tests.conftest import TOKEN, cli_opts
from tests.ui.qt_async import gone, request_pairing_from_lan, run, until

ARM_S = 0.15


@dataclass
class Rig:
    gateway: Gateway
    link: GatewayLink
    dialogs: PairingDialogs
    decided: list[tuple[str, str, str]]

    def now(self) -> int:
        return self.gateway.services.clock_ms()

    def pending_ids(self) -> set[str]:
        return {r.request_id for r in self.gateway.services.pairing.pending(self.now())}


@pytest.fixture
def rig(qloop, paths) -> Iterator[Rig]:
    async def start() -> Rig:
        gateway = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
        link = GatewayLink(gateway.url, paths.state_dir, token=TOKEN)

        async def decide(kind: str, request_id: str, decision: str) -> None:
            await link.call(f"{'device' if kind == 'device' else 'node'}.pair.{decision}", {"requestId": request_id})

        dialogs = PairingDialogs(decide, arm_delay_s=ARM_S, notice_s=0.05)
        decided: list[tuple[str, str, str]] = []
        dialogs.decided.connect(lambda *a: decided.append(a))
        link.add_event_listener(dialogs.handle_event)
        await link.start()
        await link.wait_connected()
        return Rig(gateway, link, dialogs, decided)

    r = run(qloop, start())
    yield r

    async def stop() -> None:
        await r.dialogs.close()
        await r.link.close()
        await r.gateway.close()

    run(qloop, stop())


async def shown(rig: Rig) -> PairingDialog:
    dialog = await until(lambda: rig.dialogs.current if rig.dialogs.current and rig.dialogs.current.isVisible()
                         else None, what="pairing dialog")
    return dialog


async def armed(dialog: PairingDialog) -> PairingDialog:
    await until(lambda: dialog.approve_button.isEnabled(), what="approve armed")
    return dialog


def test_approve_pairs_the_device_on_the_gateway(qloop, qtbot, rig):
    async def go() -> None:
        ident = DeviceIdentity.generate()
        details = await request_pairing_from_lan(rig.gateway.url, ident)
        assert details["code"] == "PAIRING_REQUIRED"
        dialog = await shown(rig)
        assert not dialog.isModal()
        assert dialog.request.request_id == details["requestId"]
        assert dialog.labels["name"].text() == "Pixel 8"
        assert dialog.labels["platform"].text() == "android 15 · Android"
        assert dialog.labels["role"].text() == "operator"
        assert dialog.labels["wanted"].text() == "operator.read"
        assert dialog.labels["address"].text() == "127.0.0.1"
        # Approve is never the default and not even enabled at first; Later is the default.
        assert not dialog.approve_button.isDefault() and not dialog.approve_button.autoDefault()
        assert dialog.later_button.isDefault()
        assert not dialog.approve_button.isEnabled()
        qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)  # disabled: nothing
        assert rig.gateway.services.pairing.paired(ident.device_id) is None
        await armed(dialog)
        qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
        await until(lambda: rig.gateway.services.pairing.paired(ident.device_id), what="device paired")
        await until(lambda: gone(dialog), what="dialog closed")
        assert rig.decided == [("device", details["requestId"], "approve")]
        assert details["requestId"] not in rig.pending_ids()

    run(qloop, go())


def test_reject_removes_the_request_without_pairing(qloop, qtbot, rig):
    async def go() -> None:
        ident = DeviceIdentity.generate()
        details = await request_pairing_from_lan(rig.gateway.url, ident)
        dialog = await shown(rig)
        qtbot.mouseClick(dialog.reject_button, Qt.MouseButton.LeftButton)  # reject needs no arming
        await until(lambda: details["requestId"] not in rig.pending_ids(), what="request gone")
        assert rig.gateway.services.pairing.paired(ident.device_id) is None
        await until(lambda: gone(dialog), what="dialog closed")

    run(qloop, go())


def test_later_esc_and_close_keep_the_request_pending(qloop, qtbot, rig):
    async def go() -> None:
        ident = DeviceIdentity.generate()
        details = await request_pairing_from_lan(rig.gateway.url, ident)
        rid = details["requestId"]
        dialog = await shown(rig)
        qtbot.mouseClick(dialog.later_button, Qt.MouseButton.LeftButton)
        await until(lambda: rig.dialogs.current is None, what="dialog gone")
        assert rid in rig.pending_ids() and rid in rig.dialogs.deferred
        # Asking again (tray "Pending approvals") brings it back; Esc is Later too.
        rig.dialogs.show_pending()
        dialog = await shown(rig)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        await until(lambda: rig.dialogs.current is None, what="dialog gone after Esc")
        assert rid in rig.pending_ids() and rid in rig.dialogs.deferred
        rig.dialogs.show_pending()
        dialog = await shown(rig)
        await armed(dialog)
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter hits the default button: Later
        await until(lambda: rig.dialogs.current is None, what="dialog gone after Enter")
        rig.dialogs.show_pending()
        dialog = await shown(rig)
        dialog.close()  # window close
        await until(lambda: rig.dialogs.current is None, what="dialog gone after close")
        assert rid in rig.pending_ids()
        assert rig.gateway.services.pairing.paired(ident.device_id) is None
        assert rig.decided == []

    run(qloop, go())


def test_resolution_elsewhere_closes_the_dialog_and_queue_shows_one_at_a_time(qloop, rig):
    async def go() -> None:
        first, second = DeviceIdentity.generate(), DeviceIdentity.generate()
        one = await request_pairing_from_lan(rig.gateway.url, first, display_name="Phone one")
        two = await request_pairing_from_lan(rig.gateway.url, second, display_name="Phone two")
        dialog = await shown(rig)
        assert dialog.labels["name"].text() == "Phone one"
        assert rig.dialogs.queued_ids == [two["requestId"]]
        async with GatewayClient.connect(rig.gateway.url, cli_opts()) as cli:  # the official CLI approves
            await cli.call("device.pair.approve", {"requestId": one["requestId"]})
        await until(lambda: dialog.status_label.text() == "Approved elsewhere", what="notice")
        assert not dialog.approve_button.isEnabled() and not dialog.reject_button.isEnabled()
        nxt = await shown(rig)
        assert nxt is not dialog and nxt.labels["name"].text() == "Phone two"
        await until(lambda: gone(dialog), what="first dialog closed")
        async with GatewayClient.connect(rig.gateway.url, cli_opts()) as cli:
            await cli.call("device.pair.reject", {"requestId": two["requestId"]})
        await until(lambda: rig.dialogs.current is None, what="second dialog closed")
        assert rig.decided == []

    run(qloop, go())


def test_node_command_request_is_approved_through_node_pair(qloop, qtbot, rig):
    async def go() -> None:
        ident = DeviceIdentity.generate()
        # A node on this machine pairs its device silently, then asks for its commands.
        opts = cli_opts(role="node", client_id="node-host", client_mode="node", scopes=[], identity=ident,
                        display_name="build box", platform="linux", device_family="Linux",
                        commands=["system.which", "system.run"])
        async with GatewayClient.connect(rig.gateway.url, opts):
            dialog = await shown(rig)
            assert dialog.request.kind == "node"
            assert dialog.windowTitle() == "Allow node commands?"
            assert dialog.labels["wanted"].text() == "system.which, system.run"
            await armed(dialog)
            qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
            await until(lambda: ident.device_id in rig.gateway.nodes.surfaces.approved, what="surface approved")
            approved = rig.gateway.nodes.surfaces.approved[ident.device_id]
            assert set(approved.surface.commands) == {"system.which", "system.run"}

    run(qloop, go())


def test_a_failed_decision_is_shown_and_can_be_retried(qloop, qtbot, rig):
    async def go() -> None:
        ident = DeviceIdentity.generate()
        details = await request_pairing_from_lan(rig.gateway.url, ident)
        dialog = await shown(rig)
        await armed(dialog)
        await rig.link.close()  # the link is down: the decision cannot reach the gateway
        qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
        await until(lambda: "Could not approve" in dialog.status_label.text(), what="error shown")
        assert dialog.isVisible() and dialog.approve_button.isEnabled()
        await rig.link.start()
        await rig.link.wait_connected()
        qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
        await until(lambda: rig.gateway.services.pairing.paired(ident.device_id), what="paired on retry")
        assert details["requestId"] not in rig.pending_ids()

    run(qloop, go())


def test_describe_handles_sparse_payloads():
    rows = describe(PairingRequest("device", "r", {"role": "node", "roles": ["node"]}))
    assert rows == {"name": "(unnamed device)", "platform": "(unknown)", "role": "node",
                    "wanted": "(node: no operator scopes)", "address": "(unknown)", "id": ""}
    rows = describe(PairingRequest("node", "r", {"nodeId": "n" * 40, "commands": []}))
    assert rows["wanted"] == "(no commands)" and rows["id"] == "n" * 16 + "…"
