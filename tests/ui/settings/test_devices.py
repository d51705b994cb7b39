"""Settings → Devices: paired devices renamed and removed, a pending request approved,
and "Pair a phone": the QR shown in the tab decoded with a real QR decoder, its
countdown, and the notice when a phone redeems the code."""

from __future__ import annotations

import zxingcpp
from PySide6.QtGui import QImage

from openclaw_desktop.client.gateway_client import (
    ClientOptions,
    GatewayClient,
    RpcError,
)
from openclaw_desktop.pairing.setup_code import decode_setup_code
from openclaw_desktop.protocol.device_auth import DeviceIdentity
from openclaw_desktop.ui.settings.devices import DevicesTab
from tests.pairing.helpers import android, token_of

from .conftest import Harness, on_loop


def laptop(harness: Harness, ident: DeviceIdentity) -> ClientOptions:
    return ClientOptions(token=harness.link.token, identity=ident, client_id="cli", client_mode="cli",
                         scopes=["operator.read"], display_name="Work laptop")


async def paired(harness: Harness) -> dict[str, dict]:
    return {d["deviceId"]: d for d in (await harness.call("device.pair.list"))["paired"]}


@on_loop
async def test_rename_and_remove_a_paired_device(harness: Harness) -> None:
    ident = DeviceIdentity.generate()
    async with GatewayClient.connect(harness.gateway.url, laptop(harness, ident)):  # paired silently (loopback)
        tab: DevicesTab = await harness.open_tab("devices")
        await harness.until(lambda: ident.device_id in tab.rows, what="laptop listed")
        row = tab.rows[ident.device_id]
        assert row.name.text() == "Work laptop" and row.state.text() == "● connected"
        assert len(tab.rows) == 2  # this app's own link is a paired device too
        row.name.setText("Peter's laptop")
        row.name.editingFinished.emit()
        await harness.idle()
        assert (await paired(harness))[ident.device_id]["operatorLabel"] == "Peter's laptop"
    await harness.until(lambda: ident.device_id in tab.rows and tab.rows[ident.device_id].state.text() == "○ offline",
                        what="shown offline after it disconnects")
    assert tab.rows[ident.device_id].name.text() == "Peter's laptop"
    tab.rows[ident.device_id].remove_button.click()
    await harness.idle()
    assert ident.device_id not in await paired(harness) and ident.device_id not in tab.rows


@on_loop
async def test_pending_request_is_approved_from_the_tab(harness: Harness) -> None:
    view = await harness.call("config.get")
    await harness.call("config.patch", {"raw": '{"gateway": {"nodes": {"pairing": {"autoApproveLocal": false}}}}',
                                        "baseHash": view["hash"]})
    tab: DevicesTab = await harness.open_tab("devices")
    ident = DeviceIdentity.generate()
    try:
        async with GatewayClient.connect(harness.gateway.url, laptop(harness, ident)):
            raise AssertionError("connected without approval")
    except RpcError as exc:
        assert exc.details.get("code") == "PAIRING_REQUIRED"
        request_id = exc.details["requestId"]
    await harness.until(lambda: request_id in tab.pending.ids(), what="pending request shown")
    assert "Work laptop" in tab.pending.text(request_id)
    tab.pending.button(request_id, "Approve").click()
    await harness.idle()
    assert ident.device_id in await paired(harness) and tab.pending.ids() == []
    await harness.until(lambda: ident.device_id in tab.rows, what="now listed as paired")


def decode_qr(tab: DevicesTab) -> str:
    """Read the QR as the user sees it (the label rendered at its on-screen size, so a
    cropped or squashed image would fail) with zxing-cpp."""
    label = tab.pair_panel.qr
    assert label.isVisible() and label.pixmap() is not None and not label.pixmap().isNull(), "no QR image shown"
    shown = label.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    assert label.pixmap().width() <= shown.width() and label.pixmap().height() <= shown.height()
    [barcode] = zxingcpp.read_barcodes(shown)
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    return barcode.text


@on_loop
async def test_pair_a_phone_shows_a_scannable_code_and_the_completion(harness: Harness) -> None:
    tab: DevicesTab = await harness.open_tab("devices")
    panel = tab.pair_panel
    panel.generate_button.click()
    await harness.idle()
    setup = panel.setup
    assert setup is not None
    text = decode_qr(tab)
    assert text == setup["setupCode"] == panel.code.text()
    payload = decode_setup_code(text)
    assert payload.url == harness.gateway.url and payload.expires_at_ms == setup["expiresAtMs"]
    assert panel.countdown.text() in ("expires in 10:00", "expires in 9:59", "expires in 9:58")
    assert "only listens on this computer" in panel.lan_hint.text()  # loopback: a phone cannot reach it
    assert await harness.call("device.pair.setupStatus", {"setupId": setup["setupId"]}) == {}

    panel.generate_button.click()  # "New code": a fresh single-use code
    await harness.idle()
    assert panel.setup["setupId"] != setup["setupId"] and decode_qr(tab) == panel.setup["setupCode"]

    phone = DeviceIdentity.generate()
    async with GatewayClient.connect(harness.gateway.url, android(phone, token_of(panel.setup))):
        await harness.until(lambda: panel.done, what="setup.completed reached the panel")
    assert panel.notice.text() == "✓ Pixel 9 is paired (full access)."
    assert panel.countdown.text() == "used" and not panel.timer.isActive()
    await harness.until(lambda: phone.device_id in tab.rows, what="phone listed")


@on_loop
async def test_countdown_runs_out(harness: Harness) -> None:
    tab: DevicesTab = await harness.open_tab("devices")
    panel = tab.pair_panel
    await panel.generate()
    expires = panel.setup["expiresAtMs"]
    panel.clock_ms = lambda: expires - 61_000
    panel._tick()
    assert panel.countdown.text() == "expires in 1:01"
    panel.clock_ms = lambda: expires + 1
    panel._tick()
    assert panel.countdown.text() == "expired" and not panel.timer.isActive()
    assert "expired" in panel.qr.text()


@on_loop
async def test_a_missed_completion_event_is_caught_by_setup_status(harness: Harness) -> None:
    tab: DevicesTab = await harness.open_tab("devices")
    panel = tab.pair_panel
    await panel.generate()
    harness.window.dispose()  # the link's events no longer reach the tab: as if missed while reconnecting
    phone = DeviceIdentity.generate()
    async with GatewayClient.connect(harness.gateway.url, android(phone, token_of(panel.setup))):
        pass
    assert not panel.done
    await panel.check_status()
    assert panel.done and "Pixel 9 is paired" in panel.notice.text()
