"""The native exec-approval dialogs, wired to whichever broker answers: in-process or remote.

Hosted gateway: ``ApprovalDialogs`` over the real broker, fed by the broker's in-process
listener (``Gateway.approval_listeners``), and registered as a local resolver
(``Gateway.local_approvers``) so requests are not denied for "no route" while the app runs,
even with the gateway paused. Attached gateway: the same dialogs over
:class:`RemoteApprovals`, fed by the link's events and answering with
``exec.approval.resolve``. Qt only through the dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QApplication

from openclaw_desktop.app import Gateway
from openclaw_desktop.errors import GatewayError

from .approval_dialog import ApprovalDialog, ApprovalDialogs
from .remote_approvals import Caller, RemoteApprovals


class ApprovalRouting:
    """Owns the dialogs' controller and its wiring; :meth:`close` undoes it on quit."""

    def __init__(self, gateway: Gateway | None, link: Caller, *, arm_delay_s: float,
                 present: Callable[[], bool]) -> None:
        self.gateway = gateway
        self.remote: RemoteApprovals | None = None
        if gateway is not None:
            self.dialogs = ApprovalDialogs(gateway.broker, arm_delay_s=arm_delay_s)
            gateway.approval_listeners.append(self.dialogs.handle_event)
            gateway.local_approvers.append(present)
        else:
            self.remote = RemoteApprovals(link)
            self.dialogs = ApprovalDialogs(self.remote, arm_delay_s=arm_delay_s)  # type: ignore[arg-type]
            self.remote.forward = self.dialogs.handle_event

    @property
    def current(self) -> ApprovalDialog | None:
        return self.dialogs.current

    def on_link_event(self, name: str, payload: dict[str, Any]) -> None:
        """Link events (attached only: hosted dialogs hear the broker directly)."""
        if self.remote is not None:
            self.remote.handle_event(name, payload)

    def offer_listed(self, approvals: list[Any]) -> None:
        """After a reconnect (attached): dialogs for approvals that waited while we were away."""
        if self.remote is None:
            return
        for approval in approvals:
            if not isinstance(approval, dict) or not isinstance(approval.get("id"), str):
                continue
            try:
                self.remote.lookup(approval["id"])
            except GatewayError:
                self.remote.handle_event("exec.approval.requested", approval)

    def raise_current(self, approval_id: str | None = None) -> bool:
        """Bring the dialog on screen (only if it shows ``approval_id``, when given)."""
        dialog = self.dialogs.current
        if dialog is None or (approval_id is not None and dialog.pending.id != approval_id):
            return False
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return True

    async def leave(self) -> None:
        """Quit path, before the link closes. Attached: quitting is no answer; open requests
        stay with the gateway's other resolvers (or its timeout, which denies) and answers
        already given are delivered. Hosted: nothing (``gateway.close()`` denies what is left)."""
        if self.remote is None:
            return
        for dialog in _dialogs():
            if not dialog.answered:
                dialog.dismiss("OpenClaw Desktop is quitting", 0)
        await self.remote.close()

    def close(self) -> None:
        """After the gateway closed: unhook from it and close every dialog at once."""
        if self.gateway is not None and self.dialogs.handle_event in self.gateway.approval_listeners:
            self.gateway.approval_listeners.remove(self.dialogs.handle_event)
        for dialog in _dialogs():  # dismissed by broker.close(): do not linger
            dialog.close()


def _dialogs() -> list[ApprovalDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, ApprovalDialog)]
