"""``system.run`` on the app's own desktop node asks through the native approval dialog
(real gateway hosted in-process, real node, real broker, real process; offscreen Qt).

Gateways never let ``node.invoke`` carry ``system.run`` (exec with ``host=node`` does, as
the official gateway does for an attached node); the test sends it through the relay,
the path such a gateway uses."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from openclaw_desktop.client.gateway_client import GatewayClient
from openclaw_desktop.errors import GatewayError
from tests.conftest import cli_opts
from tests.ui.qt_async import run, until
from tests.ui.test_desktop_app import Apps, connected


def test_ask_pops_the_dialog_and_allow_once_runs_it(qloop, paths):
    apps = Apps(paths)

    async def go() -> None:
        async with apps:
            app = await connected(apps(run_node=True))
            gateway = app.gateway
            assert gateway is not None and app.approvals is not None
            own = app.tracker.own_device_id
            await until(lambda: own in gateway.nodes.surfaces.approved, what="own node approved")
            async with GatewayClient.connect(gateway.url, cli_opts()) as cli:  # Settings → Permissions → run
                view = await cli.call("config.get")
                await cli.call("config.patch", {"raw": json.dumps({"desktop": {"permissions": {"run": True}}}),
                                                "baseHash": view["hash"]})
                await until(lambda: "system.run" in gateway.nodes.surfaces.approved[own].surface.commands,
                            what="system.run enabled on the restarted node")

                def invoke(argv: list[str]):  # type: ignore[no-untyped-def]
                    return asyncio.ensure_future(gateway.nodes.relay.invoke(
                        own, "system.run", {"command": argv}, timeout_ms=20000, idempotency_key=str(uuid.uuid4())))

                allowed = invoke(["echo", "from the dialog"])
                dialog = await until(lambda: app.approvals.dialogs.current, what="approval dialog")
                assert "echo" in dialog.pending.request.command
                await until(lambda: dialog.armed, what="armed")
                dialog.allow_once_button.click()
                result = await allowed
                payload = result.get("payload") or json.loads(result.get("payloadJSON") or "{}")
                assert payload["stdout"] == "from the dialog\n" and payload["approvedBy"] == "this computer"

                denied = invoke(["echo", "never"])
                dialog = await until(lambda: app.approvals.dialogs.current
                                     if app.approvals.dialogs.current is not dialog else None, what="second dialog")
                dialog.deny_button.click()
                with pytest.raises(GatewayError) as refused:
                    await denied
                assert "SYSTEM_RUN_DENIED: approval-denied" in refused.value.message

    run(qloop, go())
