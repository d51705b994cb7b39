"""Kill a real gateway process with SIGKILL in the middle of a streaming turn: the
transcript keeps every completed message, loads, and the session goes on after restart."""

from __future__ import annotations

import json
import signal

from openclaw_desktop.agent.transcript import load
from openclaw_desktop.client.gateway_client import ClientOptions, GatewayClient
from tests.support.anthropic_script import Text, Turn
from tests.support.fake_anthropic import FakeAnthropic
from tests.support_process import start_gateway

TOKEN = "durable-token"
RW = ClientOptions(token=TOKEN, client_id="cli", client_mode="cli", scopes=["operator.read", "operator.write"])


async def final_or_error(client: GatewayClient, run_id: str) -> dict:
    while True:
        event = await client.next_event("chat", timeout=20)
        if event["payload"]["runId"] == run_id and event["payload"]["state"] in ("final", "error", "aborted"):
            return event["payload"]


async def test_sigkill_mid_stream_loses_only_the_message_in_flight(tmp_path):
    state = tmp_path / "state"
    with FakeAnthropic() as api:
        env = {"ANTHROPIC_API_KEY": "sk-test", "ANTHROPIC_BASE_URL": api.base_url}
        gw = start_gateway(state, "--token", TOKEN, env=env)
        try:
            async with GatewayClient.connect(gw.url, RW) as c:
                await c.call("chat.send", {"sessionKey": "main", "message": "first", "idempotencyKey": "r1"})
                done = await final_or_error(c, "r1")
                assert done["state"] == "final" and done["message"]["content"][0]["text"] == "echo: first"
                api.push(Turn([Text(["slow "] * 200, delay_s=0.05)]))
                await c.call("chat.send", {"sessionKey": "main", "message": "second", "idempotencyKey": "r2"})
                while True:  # wait until the reply is visibly streaming
                    event = await c.next_event("chat", timeout=20)
                    if event["payload"]["runId"] == "r2" and event["payload"].get("deltaText", "").count("slow") >= 3:
                        break
                gw.proc.send_signal(signal.SIGKILL)
                gw.proc.wait(10)
        finally:
            gw.stop()
        [transcript] = list((state / "agents" / "main" / "sessions").glob("*.jsonl"))
        loaded = load(transcript)
        texts = [(m["role"], m["content"][0]["text"]) for m in loaded.messages]
        assert texts == [("user", "first"), ("assistant", "echo: first"), ("user", "second")]
        # The session continues after a restart, with the history intact.
        gw = start_gateway(state, "--token", TOKEN, env=env)
        try:
            async with GatewayClient.connect(gw.url, RW) as c:
                history = await c.call("chat.history", {"sessionKey": "main"})
                assert [m["role"] for m in history["messages"]] == ["user", "assistant", "user"]
                await c.call("chat.send", {"sessionKey": "main", "message": "third", "idempotencyKey": "r3"})
                done = await final_or_error(c, "r3")
                assert done["state"] == "final"
                # The model saw the whole surviving history (two user turns merged into one).
                sent = api.requests[-1]["messages"]
                assert json.dumps(sent).count("second") == 1 and sent[-1]["role"] == "user"
        finally:
            assert gw.stop() == 0
