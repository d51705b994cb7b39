"""The official CLI's agent and chat commands against our gateway and a fake model."""

from __future__ import annotations

import json
import time

import pytest

from tests.interop.peer import Peer
from tests.interop.test_official_cli import json_tail, ok
from tests.support.fake_anthropic import FakeAnthropic
from tests.support_process import start_gateway

pytestmark = pytest.mark.interop
TOKEN = "interop-agent-token"


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    with FakeAnthropic() as api:
        gw = start_gateway(tmp_path_factory.mktemp("gw"), "--token", TOKEN,
                           env={"ANTHROPIC_API_KEY": "sk-test", "ANTHROPIC_BASE_URL": api.base_url})
        try:
            yield api, Peer(tmp_path_factory.mktemp("cli"), gw.port, TOKEN)
        finally:
            assert gw.stop() == 0


def test_openclaw_agent_prints_our_reply(setup):
    api, cli = setup
    out = ok(cli.run("agent", "--agent", "main", "--message", "hello from the official cli"))
    assert "echo: hello from the official cli" in out
    assert api.requests[-1]["messages"][-1]["content"][-1]["text"] == "hello from the official cli"


def test_chat_send_then_history(setup):
    _, cli = setup
    params = {"sessionKey": "agent:main:interop", "message": "remember the milk", "idempotencyKey": "interop-k1"}
    ack = json_tail(ok(cli.run("gateway", "call", "chat.send", "--params", json.dumps(params))))
    assert ack["runId"] == "interop-k1" and ack["status"] in ("started", "in_flight", "ok")
    deadline = time.monotonic() + 30
    while True:
        history = json.loads(ok(cli.run("gateway", "call", "chat.history", "--json", "--params",
                                        json.dumps({"sessionKey": "agent:main:interop", "limit": 4}))))
        texts = [(m["role"], m["content"][0]["text"]) for m in history["messages"]]
        if len(texts) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert texts == [("user", "remember the milk"), ("assistant", "echo: remember the milk")]
