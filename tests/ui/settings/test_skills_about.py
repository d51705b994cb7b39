"""Settings → Skills (skills.status with eligibility and why not), About (version, log
folder, diagnostics without secrets) and the window's link-state line."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication

from openclaw_desktop import __version__
from openclaw_desktop.ui.settings.skills import SkillsTab, why_not

from .conftest import Harness, on_loop

GATED_SKILL = """---
name: needs-tools
description: A skill that needs a program and a variable this machine does not have.
metadata: {"openclaw": {"requires": {"bins": ["surely-not-installed-xyz"], "env": ["NEEDS_TOOLS_TOKEN"]}}}
---
Use the tools.
"""


@on_loop
async def test_skills_are_listed_with_why_not(harness: Harness) -> None:
    skills_dir = harness.gateway.exec_service.workspace / "skills" / "needs-tools"
    skills_dir.mkdir(parents=True)
    (skills_dir / "SKILL.md").write_text(GATED_SKILL)
    tab: SkillsTab = await harness.open_tab("skills")
    status = await harness.call("skills.status")
    rows = {name: (source, usable, why) for name, source, usable, why in tab.rows()}
    assert set(rows) == {s["name"] for s in status["skills"]} and len(rows) >= 5
    assert rows["needs-tools"] == ("workspace", "no",
                                   "missing program surely-not-installed-xyz; set NEEDS_TOOLS_TOKEN")
    eligible = [s["name"] for s in status["skills"] if s["eligible"]]
    assert eligible and all(rows[name][1:] == ("yes", "") for name in eligible)
    assert str(harness.gateway.exec_service.workspace) in tab.workspace.text()


def test_why_not_wording() -> None:
    assert why_not({"eligible": True}) == ""
    assert why_not({"eligible": False, "disabled": True}) == "turned off in the config"
    assert why_not({"eligible": False, "missing": {"os": ["darwin"], "anyBins": ["a", "b"],
                                                   "config": ["x.y"]}}) == (
        "needs darwin; needs one of a, b; set config x.y")


@on_loop
async def test_about_shows_version_logs_and_copies_diagnostics(harness: Harness) -> None:
    tab = await harness.open_tab("about")
    assert tab.version.text() == f"OpenClaw Desktop {__version__}"
    log_dir = Path(harness.gateway.services.log_path).parent
    assert tab.log_folder.text() == str(log_dir)
    tab.open_logs_button.click()
    assert harness.opened == [log_dir]
    tab.copy_button.click()
    text = QGuiApplication.clipboard().text()
    assert text.startswith(f"OpenClaw Desktop {__version__}\n")
    for expected in (f"Gateway: {harness.gateway.url} (hosted in this app), version {__version__}",
                     "Link: connected", f"State folder: {harness.gateway.services.config.paths.state_dir}",
                     f"Log folder: {log_dir}", "Qt: 6."):
        assert expected in text, expected
    token = harness.link.token
    assert token and token not in text
    assert "no tokens or keys" in tab.status.text()


@on_loop
async def test_link_state_line_follows_the_link(harness: Harness) -> None:
    window = harness.window
    assert window.link_state.text().startswith(f"Connected to this computer's gateway at {harness.gateway.url}")
    await harness.link.close()
    assert window.link_state.text() == "Not connected to this computer's gateway."
    assert not window.tabs["devices"].isEnabled() and window.tabs["about"].isEnabled()
    await harness.link.start()
    await harness.link.wait_connected(10)
    assert window.link_state.text().startswith("Connected") and window.tabs["devices"].isEnabled()


@on_loop
async def test_show_tab_opens_the_window_on_devices(harness: Harness) -> None:
    tab = harness.window.show_tab("devices")
    assert harness.window.isVisible() and harness.window.current_tab() is tab
    await harness.until(lambda: tab.loaded, what="devices loaded on show")
    assert [harness.window.tab_widget.tabText(i) for i in range(harness.window.tab_widget.count())] == [
        "General", "AI", "Voice", "Models", "Permissions", "Devices", "Skills", "About"]


@on_loop
async def test_pair_a_phone_entry_point_shows_a_fresh_code(harness: Harness) -> None:
    harness.window.show_pair_phone()
    panel = harness.window.tabs["devices"].pair_panel
    await harness.until(lambda: panel.setup is not None and panel.timer.isActive(), what="a code")
    first = panel.setup["setupId"]
    await harness.idle()
    harness.window.show_pair_phone()  # still valid: the same code stays up
    await harness.idle()
    assert panel.setup["setupId"] == first and harness.window.current_tab() is harness.window.tabs["devices"]
