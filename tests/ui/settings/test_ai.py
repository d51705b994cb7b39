"""Settings → AI: the key in the keyring (never in the config), model and base URL in the
config, and Test connection against the fake Anthropic server and a closed port."""

from __future__ import annotations

from openclaw_desktop.agent.credentials import KEYRING_USERNAME, SERVICE_NAME
from tests.agent.test_connection_test import closed_port
from tests.support.fake_anthropic import FakeAnthropic

from .conftest import Harness, on_loop


def _result_shown(tab) -> bool:  # type: ignore[no-untyped-def]
    return tab.test_result.text() not in ("", "Testing…")


@on_loop
async def test_key_is_stored_in_the_keyring_and_removed(harness: Harness) -> None:
    tab = await harness.open_tab("ai")
    assert "no API key is stored" in tab.key_state.text() and not tab.remove_key_button.isEnabled()
    tab.key.setText("  sk-ant-test-key  ")
    tab.save_key_button.click()
    await harness.idle()
    assert harness.keyring.passwords == {(SERVICE_NAME, KEYRING_USERNAME): "sk-ant-test-key"}
    assert tab.key.text() == "" and tab.key_state.text() == "A key is stored in the OS keyring."
    assert "sk-ant-test-key" not in harness.gateway.services.config.paths.config_path.read_text()
    tab.remove_key_button.click()
    await harness.idle()
    assert harness.keyring.passwords == {} and "Key removed" in tab.status.text()


@on_loop
async def test_model_and_base_url_reach_the_config(harness: Harness) -> None:
    tab = await harness.open_tab("ai")
    tab.model.setText("claude-test-1")
    tab.base_url.setText("http://127.0.0.1:9/")
    tab.save_button.click()
    await harness.idle()
    doc = harness.config_file()
    assert doc["agents"]["defaults"]["model"]["primary"] == "claude-test-1"
    assert doc["models"]["providers"]["anthropic"]["baseUrl"] == "http://127.0.0.1:9/"
    view = await harness.call("config.get")
    assert view["parsed"]["agents"]["defaults"]["model"]["primary"] == "claude-test-1"
    tab.base_url.setText("")
    tab.save_button.click()
    await harness.idle()
    assert "baseUrl" not in harness.config_file()["models"]["providers"]["anthropic"]
    tab.base_url.setText("ftp://nope")
    tab.save_button.click()
    await harness.idle()
    assert not tab.status.ok and "http://" in tab.status.text()


@on_loop
async def test_test_connection_ok_against_the_fake_server(harness: Harness) -> None:
    tab = await harness.open_tab("ai")
    harness.keyring.set_password(SERVICE_NAME, KEYRING_USERNAME, "sk-stored")  # used when the field is empty
    async with FakeAnthropic() as api:
        tab.base_url.setText(api.base_url)
        tab.model.setText("claude-test")
        tab.test_button.click()
        await harness.until(lambda: _result_shown(tab), timeout_s=60, what="test result")
        assert tab.test_result.text().startswith("✓ claude-test answered in "), tab.test_result.text()
        assert len(api.requests) == 1 and api.requests[0]["model"] == "claude-test"
        headers = api.request_headers[0]
        assert "sk-stored" in (headers.get("x-api-key"), headers.get("authorization", "")[7:])
    assert tab.test_button.isEnabled()


@on_loop
async def test_test_connection_reports_a_closed_port(harness: Harness) -> None:
    tab = await harness.open_tab("ai")
    url = f"http://127.0.0.1:{closed_port()}"
    tab.key.setText("sk-typed")
    tab.base_url.setText(url)
    tab.test_button.click()
    await harness.until(lambda: _result_shown(tab), timeout_s=60, what="test result")
    text = tab.test_result.text()
    assert text.startswith("✗ cannot reach the endpoint") and url in text and "sk-typed" not in text
