"""Settings → General against a real gateway: autostart file, port and LAN switch in the
config, token show/copy/rotate with the link reconnecting on the new token."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit

from openclaw_desktop.client.gateway_client import (
    ClientOptions,
    GatewayClient,
    RpcError,
)
from openclaw_desktop.desktop.autostart import render_xdg_desktop_entry

from .conftest import Harness, on_loop


@on_loop
async def test_launch_at_login_writes_the_xdg_entry(harness: Harness) -> None:
    tab = await harness.open_tab("general")
    entry = harness.tmp / "autostart" / "openclaw-desktop.desktop"
    assert not tab.launch_at_login.isChecked() and not entry.exists()
    tab.launch_at_login.click()
    assert entry.read_text() == render_xdg_desktop_entry(tab.launch)
    assert "will start when you log in" in tab.status.text()
    tab.launch_at_login.click()
    assert not entry.exists()


@on_loop
async def test_state_folder_is_shown_and_opens(harness: Harness) -> None:
    tab = await harness.open_tab("general")
    state_dir = harness.gateway.services.config.paths.state_dir
    assert tab.state_folder.text() == str(state_dir)
    tab.open_state_button.click()
    assert harness.opened == [state_dir]


@on_loop
async def test_port_and_lan_switch_reach_the_config(harness: Harness) -> None:
    tab = await harness.open_tab("general")
    assert not tab.allow_lan.isChecked()
    tab.port.setValue(19999)
    tab.save_port_button.click()
    await harness.idle()
    tab.allow_lan.click()
    await harness.idle()
    assert tab.status.ok and "restarts" in tab.status.text()
    doc = harness.config_file()
    assert doc["gateway"]["port"] == 19999 and doc["gateway"]["bind"] == "lan"
    view = await harness.call("config.get")
    assert view["parsed"]["gateway"]["port"] == 19999 and view["config"]["gateway"]["bind"] == "lan"
    tab.allow_lan.click()
    await harness.idle()
    assert harness.config_file()["gateway"]["bind"] == "loopback"


@on_loop
async def test_token_show_and_copy(harness: Harness) -> None:
    tab = await harness.open_tab("general")
    token = harness.gateway.services.config.settings.gateway.auth.token
    assert tab.token.text() == token and tab.token.echoMode() == QLineEdit.EchoMode.Password
    tab.show_token_button.click()
    assert tab.token.echoMode() == QLineEdit.EchoMode.Normal
    tab.copy_token_button.click()
    assert QGuiApplication.clipboard().text() == token


async def _connects(url: str, token: str) -> bool:
    try:
        async with GatewayClient.connect(url, ClientOptions(token=token, client_id="cli", client_mode="cli",
                                                            scopes=["operator.read"])) as client:
            await client.call("health")
        return True
    except RpcError:
        return False


@on_loop
async def test_rotate_token_writes_config_and_reconnects_the_link(harness: Harness) -> None:
    tab = await harness.open_tab("general")
    old = harness.gateway.services.config.settings.gateway.auth.token
    states: list[str] = []
    harness.link.add_state_listener(lambda state, _err: states.append(state))
    tab.rotate_button.click()
    assert tab.rotate_button.text() == "Click again to rotate"  # the first click only arms
    assert harness.config_file()["gateway"]["auth"]["token"] == old
    tab.rotate_button.click()
    await harness.idle()
    new = harness.config_file()["gateway"]["auth"]["token"]
    assert new != old and len(new) == 48 and tab.status.ok, tab.status.text()
    assert tab.token.text() == new and harness.link.token == new
    assert "connected" in states[1:] and harness.link.state == "connected"
    assert (await harness.call("health"))["ok"] is True  # the link works on the new token
    assert await _connects(harness.gateway.url, new)
    assert not await _connects(harness.gateway.url, old)
