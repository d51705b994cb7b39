"""Briefcase's own reading of our configuration, per platform (Briefcase runs here as a library).

The staged project (installers/briefcase_stage.py) is what Briefcase sees; its create
commands are instantiated without running them, and asked for exactly what their
templates would get: Info.plist entries and entitlements (macOS), the MSI context
(Windows), the merged app config (Linux).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from briefcase.console import Console
from briefcase.platforms.linux.system import LinuxSystemCreateCommand
from briefcase.platforms.macOS.app import macOSAppCreateCommand
from briefcase.platforms.windows.app import WindowsAppCreateCommand

from installers.briefcase_stage import stage

APP = "openclaw-desktop"
STAGE = Path(__file__).resolve().parents[2] / "build" / "briefcase-test-stage"


@cache
def staged() -> Path:
    return stage(dest=STAGE)


def command(cls: type) -> Any:
    cmd = cls(console=Console(), base_path=staged())
    cmd.parse_config(staged() / "pyproject.toml", overrides={})
    return cmd


def macos() -> tuple[Any, dict[str, Any]]:
    """(app config, {"info": Info.plist additions, "entitlements": …}) for macOS."""
    cmd = command(macOSAppCreateCommand)
    app = cmd.apps[APP]
    return app, cmd.permissions_context(app, cmd._x_permissions(app))


def windows() -> Any:
    return command(WindowsAppCreateCommand).apps[APP]


def linux() -> Any:
    return command(LinuxSystemCreateCommand).apps[APP]
