"""Launch at login, per operating system.

* macOS: a LaunchAgent property list in ``~/Library/LaunchAgents`` (loaded by launchd at
  the next login; ``RunAtLoad`` starts the app, ``KeepAlive`` is off so Quit stays quit);
* Windows: a string value under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``
  holding the command line (``winreg`` is imported only on Windows, inside
  :class:`WinregRunKey`);
* Linux and other XDG desktops: a ``.desktop`` file in ``$XDG_CONFIG_HOME/autostart``
  (``~/.config/autostart``), as the XDG Autostart specification describes.

The three ``render_*`` functions are pure (they return the file contents or the registry
value) so every platform's output is unit-tested on any machine; the installers take
their target folder (or registry store) as an argument so tests use temporary ones.
Must not import Qt.
"""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

APP_ID = "ai.openclaw.desktop"
"""Reverse-DNS identifier: the LaunchAgent label and plist file name."""
APP_NAME = "OpenClaw Desktop"
DESKTOP_FILE_NAME = "openclaw-desktop.desktop"
"""Matches ``QGuiApplication.setDesktopFileName("openclaw-desktop")``."""
RUN_KEY_PATH = r"Software\Microsoft\Windows\CurrentVersion\Run"


@dataclass(frozen=True)
class LaunchCommand:
    """What to start at login: the program and its arguments (never a shell string)."""

    argv: tuple[str, ...]
    name: str = APP_NAME
    app_id: str = APP_ID

    def __post_init__(self) -> None:
        if not self.argv or not self.argv[0]:
            raise ValueError("the launch command needs a program")
        for part in (*self.argv, self.name, self.app_id):
            if any(ord(ch) < 0x20 for ch in part):  # newlines would break every format below
                raise ValueError(f"control characters are not allowed in {part!r}")


def launch_command(executable: str = sys.executable, *, frozen: bool | None = None) -> LaunchCommand:
    """The command that starts this app: the bundle's binary when packaged, else
    ``python -m openclaw_desktop`` with the interpreter running now (its venv included)."""
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    return LaunchCommand((executable,) if frozen else (executable, "-m", "openclaw_desktop"))


# ---- renderers (pure) ------------------------------------------------------------------

def render_launch_agent(cmd: LaunchCommand) -> bytes:
    """The macOS LaunchAgent plist (XML) that starts ``cmd`` when the user logs in."""
    doc = {
        "Label": cmd.app_id,
        "ProgramArguments": list(cmd.argv),
        "RunAtLoad": True,
        "KeepAlive": False,  # the user's Quit must not be undone by launchd
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",  # GUI logins only, not ssh sessions
    }
    return plistlib.dumps(doc, fmt=plistlib.FMT_XML, sort_keys=True)


_XDG_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def _xdg_quote(arg: str) -> str:
    """One Exec argument, quoted per the Desktop Entry spec when it needs quoting.

    Inside double quotes ``"``, `````, ``$`` and ``\\`` take a backslash; then the whole
    value is a desktop-entry string, whose own escaping doubles every backslash again.
    ``%`` starts a field code, so a literal one is written ``%%``.
    """
    arg = arg.replace("%", "%%")
    if arg and not (set(arg) & _XDG_RESERVED):
        return arg
    inner = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
    return '"' + inner.replace("\\", "\\\\") + '"'


def render_xdg_desktop_entry(cmd: LaunchCommand) -> str:
    """The XDG autostart ``.desktop`` file that starts ``cmd`` at login."""
    exec_line = " ".join(_xdg_quote(a) for a in cmd.argv)
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",  # 1.5 is newer than what Debian 12's desktop-file-validate knows
        f"Name={cmd.name}",
        "Comment=Your AI assistant with an OpenClaw gateway, in the tray",
        f"Exec={exec_line}",
        "Icon=openclaw-desktop",
        "Terminal=false",
        "Categories=Utility;",
        "StartupNotify=false",
        "X-GNOME-Autostart-enabled=true",
        "X-GNOME-Autostart-Delay=2",  # let the panel (the tray host) come up first
    ]
    return "\n".join(lines) + "\n"


def render_windows_run_value(cmd: LaunchCommand) -> str:
    """The ``Run`` value: a Windows command line (MSVC quoting rules)."""
    return subprocess.list2cmdline(list(cmd.argv))


# ---- installers ------------------------------------------------------------------------

class Autostart(Protocol):
    """Turns launch at login on and off for one operating system."""

    def enable(self, cmd: LaunchCommand) -> None: ...
    def disable(self) -> None: ...
    def is_enabled(self) -> bool: ...

    @property
    def location(self) -> str:
        """Where the entry lives (shown in Settings)."""
        ...


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # never a half-written entry for the session manager to read


class LaunchAgentAutostart:
    """macOS: ``<agents_dir>/ai.openclaw.desktop.plist``."""

    def __init__(self, agents_dir: Path) -> None:
        self.path = agents_dir / f"{APP_ID}.plist"

    @property
    def location(self) -> str:
        return str(self.path)

    def enable(self, cmd: LaunchCommand) -> None:
        _write_atomic(self.path, render_launch_agent(cmd))

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)

    def is_enabled(self) -> bool:
        try:
            doc = plistlib.loads(self.path.read_bytes())
        except (OSError, plistlib.InvalidFileException, ValueError):
            return False
        return bool(doc.get("RunAtLoad")) and not doc.get("Disabled", False)


class XdgAutostart:
    """Linux/BSD desktops: ``<autostart_dir>/openclaw-desktop.desktop``."""

    def __init__(self, autostart_dir: Path) -> None:
        self.path = autostart_dir / DESKTOP_FILE_NAME

    @property
    def location(self) -> str:
        return str(self.path)

    def enable(self, cmd: LaunchCommand) -> None:
        _write_atomic(self.path, render_xdg_desktop_entry(cmd).encode("utf-8"))

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)

    def is_enabled(self) -> bool:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False
        keys = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        # Desktops honour either key to switch an entry off without deleting it.
        return keys.get("Hidden", "false") != "true" and keys.get("X-GNOME-Autostart-enabled", "true") != "false"


class RunKeyStore(Protocol):
    """The current user's ``Run`` registry key (a fake in tests, winreg on Windows)."""

    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...


class WinregRunKey:
    """:class:`RunKeyStore` over ``HKEY_CURRENT_USER\\...\\Run`` (Windows only)."""

    def __init__(self) -> None:
        import winreg  # exists only on Windows, so imported here and not at module level

        self._winreg = winreg

    def get(self, name: str) -> str | None:
        w = self._winreg
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, RUN_KEY_PATH, 0, w.KEY_READ) as key:
                value, kind = w.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return value if kind in (w.REG_SZ, w.REG_EXPAND_SZ) and isinstance(value, str) else None

    def set(self, name: str, value: str) -> None:
        w = self._winreg
        with w.CreateKeyEx(w.HKEY_CURRENT_USER, RUN_KEY_PATH, 0, w.KEY_SET_VALUE) as key:
            w.SetValueEx(key, name, 0, w.REG_SZ, value)

    def delete(self, name: str) -> None:
        w = self._winreg
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, RUN_KEY_PATH, 0, w.KEY_SET_VALUE) as key:
                w.DeleteValue(key, name)
        except FileNotFoundError:
            pass


class WindowsRunAutostart:
    """Windows: the ``OpenClaw Desktop`` value of the current user's ``Run`` key."""

    def __init__(self, store: RunKeyStore, value_name: str = APP_NAME) -> None:
        self.store, self.value_name = store, value_name

    @property
    def location(self) -> str:
        return f"HKCU\\{RUN_KEY_PATH}\\{self.value_name}"

    def enable(self, cmd: LaunchCommand) -> None:
        self.store.set(self.value_name, render_windows_run_value(cmd))

    def disable(self) -> None:
        self.store.delete(self.value_name)

    def is_enabled(self) -> bool:
        return bool(self.store.get(self.value_name))


def xdg_autostart_dir(env: Mapping[str, str], home: Path) -> Path:
    """``$XDG_CONFIG_HOME/autostart``; a relative or empty value is ignored (per the spec)."""
    base = env.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else home / ".config"
    return root / "autostart"


def autostart_for_platform(platform: str = sys.platform, env: Mapping[str, str] | None = None,
                           home: Path | None = None) -> Autostart:
    """The installer for this (or the named) operating system."""
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    if platform == "darwin":
        return LaunchAgentAutostart(home / "Library" / "LaunchAgents")
    if platform == "win32":
        return WindowsRunAutostart(WinregRunKey())
    return XdgAutostart(xdg_autostart_dir(env, home))


__all__ = [
    "APP_ID", "APP_NAME", "Autostart", "LaunchAgentAutostart", "LaunchCommand", "RunKeyStore",
    "WindowsRunAutostart", "WinregRunKey", "XdgAutostart", "autostart_for_platform", "launch_command",
    "render_launch_agent", "render_windows_run_value", "render_xdg_desktop_entry", "xdg_autostart_dir",
]
