"""Per-OS files and folders of an installed app, checked for every OS on this machine.

* The autostart templates in installers/autostart/ are exactly what the app's own
  launch-at-login code writes for the packaged binary on that OS (so the files an
  administrator copies and what Settings writes never drift apart).
* Where things live per OS: the state folder (~/.openclaw everywhere, as the official
  app keeps it, so both find each other's token and port), the models folder under it,
  and the launch-at-login location, whose XDG rule must agree with platformdirs'.
"""

from __future__ import annotations

import plistlib
import subprocess
from pathlib import Path, PurePosixPath

import platformdirs.macos
import platformdirs.unix
import platformdirs.windows
import pytest

from openclaw_desktop.assets.store import models_dir
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.desktop.autostart import (
    APP_ID,
    LaunchAgentAutostart,
    LaunchCommand,
    XdgAutostart,
    autostart_for_platform,
    render_launch_agent,
    render_windows_run_value,
    render_xdg_desktop_entry,
)

REPO = Path(__file__).resolve().parents[2]
LINUX_BINARY = "/usr/bin/openclaw-desktop"
MAC_BINARY = "/Applications/OpenClaw Desktop.app/Contents/MacOS/OpenClaw Desktop"


def test_linux_autostart_template_is_what_the_app_writes_for_the_deb():
    template = (REPO / "installers/autostart/linux/openclaw-desktop.desktop").read_text()
    assert template == render_xdg_desktop_entry(LaunchCommand((LINUX_BINARY,)))
    keys = dict(line.split("=", 1) for line in template.splitlines() if "=" in line)
    assert keys["Exec"] == LINUX_BINARY and keys["Icon"] == "openclaw-desktop"
    desktop = REPO / "installers/linux/openclaw-desktop.desktop"
    entry = dict(line.split("=", 1) for line in desktop.read_text().splitlines() if "=" in line)
    assert entry["Name"] == keys["Name"] and entry["Icon"] == keys["Icon"]
    assert Path(entry["Exec"]).name == Path(keys["Exec"]).name == "openclaw-desktop"


def test_desktop_files_pass_desktop_file_validate():
    validate = subprocess.run(["sh", "-c", "command -v desktop-file-validate"], capture_output=True, text=True,
                              check=False)
    if validate.returncode != 0:
        pytest.fail("needs desktop-file-validate (apt package desktop-file-utils); scripts/bootstrap.sh installs it")
    for path in (REPO / "installers/linux/openclaw-desktop.desktop",
                 REPO / "installers/autostart/linux/openclaw-desktop.desktop"):
        proc = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True, check=False)
        assert proc.returncode == 0 and proc.stdout.strip() == "", proc.stdout


def test_macos_launch_agent_template_starts_the_app_bundle():
    raw = (REPO / f"installers/autostart/macos/{APP_ID}.plist").read_bytes()
    assert raw == render_launch_agent(LaunchCommand((MAC_BINARY,)))
    doc = plistlib.loads(raw)
    assert doc["Label"] == APP_ID and doc["ProgramArguments"] == [MAC_BINARY]
    assert doc["RunAtLoad"] is True and doc["KeepAlive"] is False


def test_windows_run_value_quotes_the_installed_exe():
    exe = r"C:\Users\Ann Lee\AppData\Local\Programs\OpenClaw Desktop developers\OpenClaw Desktop\OpenClaw Desktop.exe"
    assert render_windows_run_value(LaunchCommand((exe,))) == f'"{exe}"'
    notes = (REPO / "installers/windows/README.md").read_text()
    assert "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run" in notes


@pytest.mark.parametrize("home", ["/home/ann", "/Users/ann", "C:/Users/ann"])
def test_state_and_models_folders_are_the_same_on_every_os(home):
    paths = StatePaths.resolve({"OPENCLAW_HOME": home})
    assert PurePosixPath(paths.state_dir.as_posix()).parts[-1] == ".openclaw"
    assert paths.config_path == paths.state_dir / "openclaw.json"
    assert models_dir(paths.state_dir) == paths.state_dir / "models"
    moved = StatePaths.resolve({"OPENCLAW_STATE_DIR": f"{home}/elsewhere"})
    assert models_dir(moved.state_dir) == moved.state_dir / "models"


def test_launch_at_login_location_per_os(tmp_path, monkeypatch):
    mac = autostart_for_platform("darwin", env={}, home=tmp_path)
    assert isinstance(mac, LaunchAgentAutostart)
    assert mac.location == str(tmp_path / "Library/LaunchAgents" / f"{APP_ID}.plist")
    # platformdirs' macOS data dir is a sibling under ~/Library: the same Library folder.
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Path(platformdirs.macos.MacOS("x").user_data_dir).parents[1] == tmp_path / "Library"
    linux = autostart_for_platform("linux", env={}, home=tmp_path)
    assert isinstance(linux, XdgAutostart) and linux.location == str(tmp_path / ".config/autostart/openclaw-desktop.desktop")


@pytest.mark.parametrize("xdg", [None, "/srv/conf"])
def test_xdg_autostart_folder_agrees_with_platformdirs(tmp_path, monkeypatch, xdg):
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
    env = {} if xdg is None else {"XDG_CONFIG_HOME": xdg}
    ours = Path(autostart_for_platform("linux", env=env, home=tmp_path).location).parent
    assert ours == platformdirs.unix.Unix().user_config_path / "autostart"


def test_windows_folders_come_from_the_known_folder_variables(monkeypatch):
    # On Windows platformdirs asks the shell for known folders; elsewhere it reads the same
    # environment variables, which lets this machine check the per-user layout.
    monkeypatch.setenv("LOCALAPPDATA", r"C:\Users\ann\AppData\Local")
    monkeypatch.setenv("APPDATA", r"C:\Users\ann\AppData\Roaming")
    monkeypatch.setattr(platformdirs.windows, "get_win_folder",
                        lambda csidl: {"CSIDL_LOCAL_APPDATA": r"C:\Users\ann\AppData\Local",
                                       "CSIDL_APPDATA": r"C:\Users\ann\AppData\Roaming"}[csidl])
    win = platformdirs.windows.Windows("OpenClaw Desktop", appauthor=False)
    assert win.user_data_dir.replace("/", "\\") == r"C:\Users\ann\AppData\Local\OpenClaw Desktop"
