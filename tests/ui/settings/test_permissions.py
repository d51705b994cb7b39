"""Settings → Permissions: capability toggles in the config, command-safety modes and the
allowlist in the exec approvals document, and allow-always grants revoked from the tab."""

from __future__ import annotations

import asyncio
from typing import Any

from openclaw_desktop.ui.settings.permissions import PermissionsTab

from .conftest import Harness, on_loop


@on_loop
async def test_capability_toggles_are_persisted(harness: Harness) -> None:
    tab: PermissionsTab = await harness.open_tab("permissions")
    shown = {key: box.isChecked() for key, box in tab.capabilities.items()}
    assert shown == {"screen": False, "camera": False, "location": False, "notify": True, "run": False}
    tab.capabilities["camera"].click()
    await harness.idle()
    tab.capabilities["notify"].click()
    await harness.idle()
    tab.capabilities["run"].click()
    await harness.idle()
    assert harness.config_file()["desktop"]["permissions"] == {"camera": True, "notify": False, "run": True}
    view = await harness.call("config.get")
    assert view["parsed"]["desktop"]["permissions"]["camera"] is True
    tab.loaded = False
    tab.reload()  # read back from the gateway, not from the widgets
    await harness.until(lambda: tab.loaded, what="reload")
    assert {k: b.isChecked() for k, b in tab.capabilities.items()} == {
        "screen": False, "camera": True, "location": False, "notify": False, "run": True}


@on_loop
async def test_exec_security_and_ask_modes(harness: Harness) -> None:
    tab: PermissionsTab = await harness.open_tab("permissions")
    assert (tab.security.currentData(), tab.ask.currentData()) == ("allowlist", "on-miss")
    tab.security.setCurrentIndex(tab.security.findData("deny"))
    tab.security.activated.emit(tab.security.currentIndex())
    await harness.idle()
    tab.ask.setCurrentIndex(tab.ask.findData("always"))
    tab.ask.activated.emit(tab.ask.currentIndex())
    await harness.idle()
    assert tab.status.ok, tab.status.text()
    approvals = await harness.call("exec.approvals.get")
    assert approvals["file"]["defaults"]["security"] == "deny" and approvals["file"]["defaults"]["ask"] == "always"
    assert approvals["resolvedDefaults"]["security"] == "deny"
    outcome = await harness.gateway.exec_service.run("ls")
    assert not outcome.ran and outcome.via == "denied"  # the gateway applies it at once


@on_loop
async def test_allowlist_add_and_remove(harness: Harness) -> None:
    tab: PermissionsTab = await harness.open_tab("permissions")
    tab.new_pattern.setText("/usr/bin/git")
    tab.add_pattern_button.click()
    await harness.idle()
    approvals = await harness.call("exec.approvals.get")
    assert approvals["file"]["defaults"]["allowlist"] == [{"pattern": "/usr/bin/git"}]
    [row] = tab.allowlist.ids()
    assert tab.allowlist.text(row) == "/usr/bin/git"
    tab.allowlist.button(row, "Remove").click()
    await harness.idle()
    assert (await harness.call("exec.approvals.get"))["file"]["defaults"]["allowlist"] == []
    assert tab.allowlist.ids() == []


async def _grant(harness: Harness, command: str, grant: dict[str, Any], session_key: str | None = None) -> None:
    """Run ``command`` through the real exec path and answer "allow always" on the link."""
    requested: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    remove = harness.link.add_event_listener(
        lambda name, payload: name == "exec.approval.requested" and not requested.done()
        and requested.set_result(payload))
    try:
        run = asyncio.ensure_future(harness.gateway.exec_service.run(command, session_key=session_key))
        payload = await asyncio.wait_for(requested, 10)
        await harness.call("exec.approval.resolve", {"id": payload["id"], "decision": "allow-always", "grant": grant})
        assert (await run).ran
    finally:
        remove()


@on_loop
async def test_grants_are_listed_and_revoked(harness: Harness) -> None:
    tab: PermissionsTab = await harness.open_tab("permissions")
    await _grant(harness, "ls -a", {"scope": "exact"})
    await _grant(harness, "ls -l", {"scope": "session"}, session_key="agent:main:main")
    grants = (await harness.call("exec.approval.grants.list"))["grants"]
    assert sorted((g["scope"], g["persistent"]) for g in grants) == [("exact", True), ("session", False)]
    await harness.until(lambda: len(tab.grants.ids()) == 2, what="both grants shown")  # reloads on resolve
    exact = next(g for g in grants if g["scope"] == "exact")
    assert tab.grants.text(exact["grantId"]).endswith(f"exactly, in {harness.gateway.exec_service.workspace}")
    assert "-a" in tab.grants.text(exact["grantId"])
    assert tab.allowlist.ids() == []  # the persistent grant is not shown twice
    tab.grants.button(exact["grantId"], "Revoke").click()
    await harness.idle()
    left = (await harness.call("exec.approval.grants.list"))["grants"]
    assert [g["scope"] for g in left] == ["session"] and tab.grants.ids() == [left[0]["grantId"]]
    assert tab.status.text() == "Grant revoked."
    agents = (await harness.call("exec.approvals.get"))["file"].get("agents", {})
    assert all(not a.get("allowlist") for a in agents.values())  # gone from the document too
    tab.grants.button(left[0]["grantId"], "Revoke").click()
    await harness.idle()
    assert (await harness.call("exec.approval.grants.list"))["grants"] == [] and tab.grants.ids() == []
