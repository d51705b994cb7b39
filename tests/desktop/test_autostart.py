"""Launch at login: the three renderers parsed back, and the installers on tmp folders."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest

from openclaw_desktop.desktop.autostart import (
    APP_ID,
    LaunchAgentAutostart,
    LaunchCommand,
    WindowsRunAutostart,
    XdgAutostart,
    autostart_for_platform,
    launch_command,
    render_launch_agent,
    render_windows_run_value,
    render_xdg_desktop_entry,
    xdg_autostart_dir,
)

AWKWARD = LaunchCommand(("/opt/Open Claw/bin/python3", "-m", "openclaw_desktop", 'say "hi"', "100%", "a\\b",
                         "$HOME", "`x`"))
PLAIN = LaunchCommand(("/usr/bin/python3", "-m", "openclaw_desktop"))


def desktop_keys(text: str) -> dict[str, str]:
    assert text.startswith("[Desktop Entry]\n")
    return dict(line.split("=", 1) for line in text.splitlines()[1:])


def parse_exec(value: str) -> list[str]:
    """Undo the desktop-entry string escapes, then the Exec quoting (inside double quotes a
    backslash escapes a double quote, backquote, ``$`` and ``\\``), then ``%%``."""
    text = value.replace("\\\\", "\\")
    args, cur, quoted, have, i = [], "", False, False, 0
    while i < len(text):
        ch = text[i]
        if quoted and ch == "\\" and i + 1 < len(text) and text[i + 1] in '"`$\\':
            cur, i = cur + text[i + 1], i + 2
            continue
        if ch == '"':
            quoted, have = not quoted, True
        elif ch == " " and not quoted:
            if have:
                args.append(cur)
            cur, have = "", False
        else:
            cur, have = cur + ch, True
        i += 1
    assert not quoted, "unterminated quote"
    if have:
        args.append(cur)
    return [a.replace("%%", "%") for a in args]


def parse_windows_cmdline(line: str) -> list[str]:
    """CommandLineToArgvW's rules: backslashes are literal unless they precede a quote."""
    args, cur, i, quoted, have = [], "", 0, False, False
    while i < len(line):
        ch = line[i]
        if ch == "\\":
            n = len(line[i:]) - len(line[i:].lstrip("\\"))
            if i + n < len(line) and line[i + n] == '"':
                cur += "\\" * (n // 2)
                if n % 2:
                    cur += '"'
                    i += n + 1
                else:
                    i += n
                have = True
                continue
            cur += "\\" * n
            i += n
            have = True
            continue
        if ch == '"':
            quoted, have = not quoted, True
        elif ch in " \t" and not quoted:
            if have:
                args.append(cur)
            cur, have = "", False
        else:
            cur, have = cur + ch, True
        i += 1
    if have:
        args.append(cur)
    return args


@pytest.mark.parametrize("cmd", [PLAIN, AWKWARD])
def test_xdg_entry_round_trips_the_command(cmd: LaunchCommand) -> None:
    keys = desktop_keys(render_xdg_desktop_entry(cmd))
    assert keys["Type"] == "Application" and keys["Name"] == "OpenClaw Desktop"
    assert keys["X-GNOME-Autostart-enabled"] == "true" and keys["Terminal"] == "false"
    assert parse_exec(keys["Exec"]) == list(cmd.argv)


def test_xdg_plain_command_is_unquoted() -> None:
    assert desktop_keys(render_xdg_desktop_entry(PLAIN))["Exec"] == "/usr/bin/python3 -m openclaw_desktop"


@pytest.mark.parametrize("cmd", [PLAIN, AWKWARD])
def test_launch_agent_plist(cmd: LaunchCommand) -> None:
    doc = plistlib.loads(render_launch_agent(cmd))
    assert doc == {"Label": APP_ID, "ProgramArguments": list(cmd.argv), "RunAtLoad": True, "KeepAlive": False,
                   "ProcessType": "Interactive", "LimitLoadToSessionType": "Aqua"}
    assert render_launch_agent(cmd).startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


@pytest.mark.parametrize("cmd", [PLAIN, AWKWARD, LaunchCommand((r"C:\Program Files\OpenClaw\app.exe",
                                                                 r"C:\dir with space\\", 'q"uote'))])
def test_windows_run_value_round_trips(cmd: LaunchCommand) -> None:
    assert parse_windows_cmdline(render_windows_run_value(cmd)) == list(cmd.argv)


def test_windows_program_path_with_spaces_is_quoted() -> None:
    value = render_windows_run_value(LaunchCommand((r"C:\Program Files\OpenClaw\OpenClaw.exe",)))
    assert value == r'"C:\Program Files\OpenClaw\OpenClaw.exe"'


def test_control_characters_are_refused() -> None:
    with pytest.raises(ValueError):
        LaunchCommand(("/bin/app", "line\nbreak"))
    with pytest.raises(ValueError):
        LaunchCommand(())


def test_xdg_installer_writes_and_removes(tmp_path: Path) -> None:
    auto = XdgAutostart(tmp_path / "autostart")
    assert not auto.is_enabled()
    auto.enable(PLAIN)
    path = tmp_path / "autostart" / "openclaw-desktop.desktop"
    assert auto.location == str(path) and path.read_text() == render_xdg_desktop_entry(PLAIN)
    assert auto.is_enabled()
    path.write_text(path.read_text() + "Hidden=true\n")  # a desktop's own "off" switch
    assert not auto.is_enabled()
    auto.disable()
    assert not path.exists() and not auto.is_enabled()
    auto.disable()  # idempotent


def test_launch_agent_installer(tmp_path: Path) -> None:
    auto = LaunchAgentAutostart(tmp_path / "LaunchAgents")
    assert not auto.is_enabled()
    auto.enable(AWKWARD)
    path = tmp_path / "LaunchAgents" / f"{APP_ID}.plist"
    assert plistlib.loads(path.read_bytes())["ProgramArguments"] == list(AWKWARD.argv)
    assert auto.is_enabled()
    path.write_bytes(b"not a plist")
    assert not auto.is_enabled()
    auto.disable()
    assert not path.exists()


class DictRunKey:
    """A recording stand-in for the registry's Run key."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def test_windows_installer_uses_the_run_key() -> None:
    key = DictRunKey()
    auto = WindowsRunAutostart(key)
    assert not auto.is_enabled()
    auto.enable(PLAIN)
    assert key.values == {"OpenClaw Desktop": "/usr/bin/python3 -m openclaw_desktop"}
    assert auto.is_enabled()
    assert auto.location.endswith(r"Software\Microsoft\Windows\CurrentVersion\Run\OpenClaw Desktop")
    auto.disable()
    assert key.values == {} and not auto.is_enabled()


def test_platform_choice_and_xdg_dir(tmp_path: Path) -> None:
    home = tmp_path / "home"
    mac = autostart_for_platform("darwin", {}, home)
    assert isinstance(mac, LaunchAgentAutostart) and mac.location == str(
        home / "Library" / "LaunchAgents" / f"{APP_ID}.plist")
    linux = autostart_for_platform("linux", {"XDG_CONFIG_HOME": str(tmp_path / "cfg")}, home)
    assert isinstance(linux, XdgAutostart) and linux.location == str(tmp_path / "cfg" / "autostart"
                                                                     / "openclaw-desktop.desktop")
    assert xdg_autostart_dir({"XDG_CONFIG_HOME": "relative/path"}, home) == home / ".config" / "autostart"
    assert xdg_autostart_dir({}, home) == home / ".config" / "autostart"


def test_launch_command_for_source_and_bundle() -> None:
    assert launch_command("/venv/bin/python", frozen=False).argv == ("/venv/bin/python", "-m", "openclaw_desktop")
    assert launch_command("/Applications/OpenClaw.app/Contents/MacOS/OpenClaw", frozen=True).argv == (
        "/Applications/OpenClaw.app/Contents/MacOS/OpenClaw",)
