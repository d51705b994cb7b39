"""Settings → Devices: paired devices (rename, remove, connected state), pending pairing
requests (approve, reject), and the "Pair a phone" QR panel.

Everything goes through ``device.pair.*``; the list reloads on ``device.pair.requested``,
``device.pair.resolved`` and ``device.pair.changed`` from any operator, and on
``presence`` so the connected dots follow connects and disconnects.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .pair_phone import PairPhonePanel
from .ports import SettingsExtras, SettingsLink
from .widgets import RowList, SettingsTab

MAX_LABEL = 64


def device_name(device: dict[str, Any]) -> str:
    """What the user calls it: their label, else what the device says it is."""
    return str(device.get("operatorLabel") or device.get("displayName") or device.get("clientId")
               or str(device.get("deviceId", ""))[:12])


def device_summary(device: dict[str, Any]) -> str:
    platform = device.get("deviceFamily") or device.get("platform") or "unknown platform"
    roles = ", ".join(device.get("roles") or []) or "no role"
    return f"{platform} · {roles}"


class DeviceRow(QWidget):
    """One paired device: editable name, connected dot, Remove."""

    def __init__(self, tab: DevicesTab, device: dict[str, Any]) -> None:
        super().__init__()
        self.device_id = str(device.get("deviceId"))
        self.name = QLineEdit()
        self.name.setMaxLength(MAX_LABEL)
        self._saved_name = ""
        self.name.editingFinished.connect(lambda: self._rename(tab))
        self.state = QLabel()
        self.summary = QLabel()
        self.update_from(device)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(lambda: tab.run(tab.remove(self.device_id), "removing the device"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.name, 2)
        row.addWidget(self.summary, 2)
        row.addWidget(self.state)
        row.addWidget(self.remove_button)

    def update_from(self, device: dict[str, Any]) -> None:
        """Show fresh data; a name the user is editing right now is left alone."""
        self.connected = bool(device.get("connected"))
        if not self.name.hasFocus():
            self.name.setText(device_name(device))
            self._saved_name = self.name.text()
        self.state.setText("● connected" if self.connected else "○ offline")
        self.state.setStyleSheet("color: #1b7f3b;" if self.connected else "color: palette(mid);")
        self.summary.setText(device_summary(device))

    def _rename(self, tab: DevicesTab) -> None:
        label = self.name.text().strip()
        if label and label != self._saved_name:
            self._saved_name = label
            tab.run(tab.rename(self.device_id, label), "renaming the device")


class DevicesTab(SettingsTab):
    title = "Devices"
    # presence (coalesced by the gateway) carries connects and disconnects: the dots follow it.
    reload_events = frozenset({"device.pair.requested", "device.pair.resolved", "device.pair.changed",
                               "presence", "node.presence"})

    def __init__(self, link: SettingsLink, extras: SettingsExtras, parent: QWidget | None = None) -> None:
        super().__init__(link, extras, parent)
        self.rows: dict[str, DeviceRow] = {}
        self.paired_box = QGroupBox("Paired devices")
        self.paired_layout = QVBoxLayout(self.paired_box)
        self.no_devices = QLabel("No paired devices yet.")
        self.paired_layout.addWidget(self.no_devices)
        self.pending = RowList("No pending requests.")
        pending_box = QGroupBox("Waiting for approval")
        QVBoxLayout(pending_box).addWidget(self.pending)
        self.pair_panel = PairPhonePanel(link, self.status, self.tasks)
        self.pair_panel.completed.connect(lambda _c: self.reload())
        pair_box = QGroupBox("Pair a phone")
        QVBoxLayout(pair_box).addWidget(self.pair_panel)

        lists = QVBoxLayout()
        lists.addWidget(self.paired_box)
        lists.addWidget(pending_box)
        lists.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(lists, 3)
        columns.addWidget(pair_box, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.status)

    async def load(self) -> None:
        result = await self.link.call("device.pair.list", {})
        self.show_devices(result.get("paired") or [], result.get("pending") or [])

    def show_devices(self, paired: list[dict[str, Any]], pending: list[dict[str, Any]]) -> None:
        # Rows are updated in place, not rebuilt: presence events reload often, and a
        # rebuild would throw away a rename the user is typing.
        fresh = {str(d.get("deviceId")): d for d in paired}
        for device_id in [d for d in self.rows if d not in fresh]:
            self.rows.pop(device_id).deleteLater()
        for device_id, device in fresh.items():
            if device_id in self.rows:
                self.rows[device_id].update_from(device)
            else:
                row = DeviceRow(self, device)
                self.paired_layout.addWidget(row)
                self.rows[device_id] = row
        self.no_devices.setVisible(not paired)
        self.pending.set_rows([self._pending_row(req) for req in pending])

    def _pending_row(self, req: dict[str, Any]) -> tuple[str, str, list[tuple[str, Any]]]:
        rid = str(req.get("requestId"))
        return (rid, self._describe_request(req),
                [("Approve", lambda: self.run(self.approve(rid), "approving")),
                 ("Reject", lambda: self.run(self.reject(rid), "rejecting"))])

    @staticmethod
    def _describe_request(req: dict[str, Any]) -> str:
        name = req.get("displayName") or req.get("clientId") or str(req.get("deviceId", ""))[:12]
        scopes = ", ".join(req.get("scopes") or []) or "no scopes"
        where = f" from {req['remoteIp']}" if req.get("remoteIp") else ""
        return f"{name} ({req.get('platform') or 'unknown'}) wants to be {req.get('role')}{where}: {scopes}"

    def on_event(self, name: str, payload: dict[str, Any]) -> None:
        self.pair_panel.on_event(name, payload)
        super().on_event(name, payload)

    async def rename(self, device_id: str, label: str) -> None:
        await self.link.call("device.pair.rename", {"deviceId": device_id, "label": label})
        self.status.show_ok(f"Renamed to {label}.")

    async def remove(self, device_id: str) -> None:
        await self.link.call("device.pair.remove", {"deviceId": device_id})
        self.status.show_ok("Device removed; it must pair again to reconnect.")
        await self.load()

    async def approve(self, request_id: str) -> None:
        await self.link.call("device.pair.approve", {"requestId": request_id})
        self.status.show_ok("Approved.")
        await self.load()

    async def reject(self, request_id: str) -> None:
        await self.link.call("device.pair.reject", {"requestId": request_id})
        self.status.show_ok("Rejected.")
        await self.load()

    def dispose(self) -> None:
        self.pair_panel.stop()
        super().dispose()
