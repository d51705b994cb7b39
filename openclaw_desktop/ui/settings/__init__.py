"""The settings window (General, AI, Voice, Permissions, Devices, Skills, About).

Import :class:`SettingsWindow` from :mod:`.window`; the tabs live one per module.
"""

from .ports import HostedGateway, SettingsExtras, SettingsLink
from .window import TAB_KEYS, SettingsWindow

__all__ = ["TAB_KEYS", "HostedGateway", "SettingsExtras", "SettingsLink", "SettingsWindow"]
