"""Attach mode of the whole tray app against the OFFICIAL gateway (npm openclaw@2026.9.6):
the app connects as operator (paired there with this app's identity), its chat turn is
answered by the official agent (from our fake model), and its own desktop node is
approved with `openclaw nodes approve` and answers `openclaw nodes invoke`."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from openclaw_desktop.config.service import Overrides
from tests.interop import official_gateway
from tests.interop.peer import Peer
from tests.interop.test_official_cli import ok
from tests.support.fake_anthropic import FakeAnthropic
from tests.ui.qt_async import run, until
from tests.ui.test_desktop_app import Apps, connected

pytestmark = pytest.mark.interop
TOKEN = "interop-app-attach-token"


def test_the_app_attached_to_the_official_gateway(qloop, paths, tmp_path):
    with FakeAnthropic() as api:
        proc, port = official_gateway.start(tmp_path / "official", TOKEN,
                                            official_gateway.fake_model_config(api.base_url, tmp_path / "ws"))
        cli = Peer(tmp_path / "cli-home", port, TOKEN)
        url = f"ws://127.0.0.1:{port}"
        apps = Apps(paths)

        async def go() -> None:
            async with apps:
                app = await connected(apps(attach_url=url, overrides=Overrides(token=TOKEN), run_node=True))
                assert app.gateway is None and app.link is not None  # nothing hosted here
                link = app.link

                # Chat through the official agent.
                finals: list[dict] = []
                link.add_event_listener(lambda name, p: finals.append(p)
                                        if name == "chat" and p.get("state") == "final" else None)
                run_id = str(uuid.uuid4())
                ack = await link.call("chat.send", {"sessionKey": "main", "message": "hello from the tray app",
                                                    "idempotencyKey": run_id})
                run_id = ack.get("runId", run_id)
                final = await until(lambda: next((f for f in finals if f.get("runId") == run_id), None),
                                    timeout=120, what="official agent's final reply")
                text = "".join(b.get("text", "") for b in final["message"]["content"] if b.get("type") == "text")
                assert text.startswith("echo: ") and "hello from the tray app" in json.dumps(api.requests[-1])

                # The app's own node, approved on the official gateway, answers an invoke.
                await until(lambda: app.node is not None and app.node.running, timeout=30, what="node running")
                pending: list[dict] = []

                async def find_pending() -> bool:
                    out = json.loads(ok(await asyncio.to_thread(cli.run, "nodes", "pending", "--json")))
                    entries = out if isinstance(out, list) else out["pending"]
                    pending[:] = [e for e in entries if "system.which" in (e.get("commands") or [])]
                    return bool(pending)

                # Paired as operator by the link, the same identity asking for the node role is
                # an upgrade the official gateway wants approved by a human; the node says which
                # request and keeps retrying, so approving it there is enough.
                status = await until(lambda: app.node.last_status if app.node.last_status is not None
                                     and app.node.last_status.request_id else None, timeout=60,
                                     what="the node's pairing request")
                ok(await asyncio.to_thread(cli.run, "devices", "approve", status.request_id))
                node_id = app.node.node.node_id if app.node.node is not None else None
                assert node_id
                await until(lambda: app.node.last_status is not None
                            and app.node.last_status.state == "connected", timeout=60, what="node connected")
                # Its command surface: approved with the device here, or pending for `nodes approve`.
                if await find_pending():
                    ok(await asyncio.to_thread(cli.run, "nodes", "approve", pending[0]["requestId"]))
                out = ok(await asyncio.to_thread(cli.run, "nodes", "invoke", "--node", node_id,
                                                 "--command", "system.which", "--params",
                                                 json.dumps({"bins": ["sh"]}), "--json", timeout=120))
                which = json.loads(out[out.index("{"):])
                assert which["ok"] is True and which["payload"]["bins"]["sh"].endswith("/sh")

        try:
            run(qloop, go(), timeout=400)
        finally:
            official_gateway.stop(proc)
