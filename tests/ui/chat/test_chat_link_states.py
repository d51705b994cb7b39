"""The chat window when the link goes down and comes back, when no model is configured,
and when another device talks in the same session."""

from __future__ import annotations

from urllib.parse import urlparse

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from openclaw_desktop.app import build_gateway
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.remote.link import GatewayLink
from openclaw_desktop.ui.chat.window import ChatWindow
from tests.conftest import TOKEN, connect
from tests.ui.chat.conftest import write_policy
from tests.ui.chat.support import kinds, rows, until


async def test_link_down_shows_a_banner_disables_sending_and_recovers(qtbot, paths, api, monkeypatch, tmp_path):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    write_policy(paths)
    first = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
    port = urlparse(first.url).port
    link = GatewayLink(first.url, tmp_path / "desktop", token=TOKEN, reconnect_delay_s=0.1)
    second = None
    window = None
    try:
        await link.start()
        await link.wait_connected()
        window = ChatWindow(link)
        qtbot.addWidget(window)
        window.show()
        await until(lambda: not window.loading, "the first history load")
        assert not window.banner.isVisibleTo(window)
        QTest.keyClicks(window.composer, "before the outage")
        QTest.keyClick(window.composer, Qt.Key.Key_Return)
        await until(lambda: len(window.view.rows) == 2 and not window.transcript.running, "the first reply",
                    detail=lambda: (rows(window), window.transcript.active_run_ids, link.state))

        await first.close()
        await until(lambda: window.banner.isVisibleTo(window), "the banner")
        assert window.banner.text().startswith("not connected — retrying")
        QTest.keyClicks(window.composer, "while down")
        assert not window.send_button.isEnabled() and not window.abort_button.isEnabled()
        QTest.keyClick(window.composer, Qt.Key.Key_Return)
        assert window.composer.toPlainText() == "while down" and len(window.view.rows) == 2  # kept, not sent

        # The gateway comes back on the same port: the link reconnects, the window reloads.
        second = await build_gateway(paths, Overrides(port=port, token=TOKEN), log_to_file=False)
        await until(lambda: link.state == "connected" and not window.loading, "the reconnect", timeout_s=20)
        assert not window.banner.isVisibleTo(window)
        assert rows(window) == [("user", "before the outage"), ("assistant", "echo: before the outage")]
        assert window.send_button.isEnabled()
        QTest.keyClick(window.composer, Qt.Key.Key_Return)
        await until(lambda: len(window.view.rows) == 4 and not window.transcript.running, "the reply after")
        assert rows(window)[-1] == ("assistant", "echo: while down")
    finally:
        if window is not None:
            await window.shutdown()
        await link.close()
        if second is not None:
            await second.close()


async def test_no_model_configured_is_an_inline_error(make_window, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    window = make_window()
    await until(lambda: not window.loading, "the first history load")
    QTest.keyClicks(window.composer, "hello?")
    QTest.keyClick(window.composer, Qt.Key.Key_Return)
    await until(lambda: "error" in kinds(window), "the error row")
    assert kinds(window) == ["user", "error"]
    assert rows(window)[1][1].startswith("⚠ no model configured: set ANTHROPIC_API_KEY")
    assert not window.transcript.running and not window.abort_button.isEnabled()


async def test_a_message_from_another_device_shows_with_its_text(make_window, gw):
    window = make_window()
    await until(lambda: not window.loading, "the first history load")
    async with connect(gw, scopes=["operator.read", "operator.write"]) as phone:
        await phone.call("chat.send", {"sessionKey": "main", "message": "sent from my phone",
                                       "idempotencyKey": "phone-1"})
        await until(lambda: len(window.view.rows) == 2 and not window.transcript.running, "the phone's run")
        await until(lambda: rows(window)[0] == ("user", "sent from my phone"), "the phone's text")
    assert rows(window) == [("user", "sent from my phone"), ("assistant", "echo: sent from my phone")]


async def test_gateway_refusal_of_a_send_is_inline(make_window, link):
    window = make_window()
    await until(lambda: not window.loading, "the first history load")
    assert window.send("bad\x00message")  # the gateway refuses NUL characters
    await until(lambda: "error" in kinds(window), "the refusal")
    assert rows(window)[-1][1].startswith("⚠ not sent: invalid chat.send params")
    assert not window.transcript.running
