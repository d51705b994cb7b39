"""A system-wide push-to-talk hotkey (works while another application has the focus).

Qt has no portable global shortcuts, so this uses pynput, which grabs the key through
X11 (Xlib) on Linux, a keyboard hook on Windows and a Quartz event tap on macOS (the user
grants "Input Monitoring" there). Wayland sessions without XWayland offer no global keys:
:meth:`GlobalHotkey.start` then raises :class:`HotkeyUnavailable` and the app keeps the
tray's *Push to talk* item.

``on_trigger`` runs on pynput's own thread; callers marshal it to their loop
(``loop.call_soon_threadsafe``). pynput is imported lazily (only when a hotkey is set).
Must not import Qt.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_HOTKEY = "<ctrl>+<alt>+<space>"
"""The default push-to-talk combination (pynput's syntax: ``<ctrl>+<shift>+k``)."""


class HotkeyUnavailable(Exception):
    """No global hotkey here (no display, Wayland only, library missing, bad combination);
    the message says which, in words for the user."""


def check_combo(combo: str) -> str:
    """The combination, stripped, if pynput can parse it; else :class:`HotkeyUnavailable`."""
    keyboard = _keyboard()
    text = combo.strip()
    try:
        keyboard.HotKey.parse(text)
    except ValueError as exc:
        raise HotkeyUnavailable(f"'{combo}' is not a key combination ({exc}); "
                                "write it like <ctrl>+<alt>+<space>") from None
    return text


class GlobalHotkey:
    """One registered combination; ``start()``/``stop()`` are idempotent."""

    def __init__(self, combo: str, on_trigger: Callable[[], None]) -> None:
        self.combo = combo
        self.on_trigger = on_trigger
        self._listener: Any = None

    @property
    def active(self) -> bool:
        return self._listener is not None

    def start(self) -> None:
        """Grab the combination; raises :class:`HotkeyUnavailable` when this desktop cannot."""
        if self._listener is not None:
            return
        if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
            raise HotkeyUnavailable("global hotkeys need an X11 display (this session has none; "
                                    "on Wayland use the tray's Push to talk)")
        combo = check_combo(self.combo)
        keyboard = _keyboard()
        try:
            listener = keyboard.GlobalHotKeys({combo: self._fire})
            listener.start()
            listener.wait()  # returns once the grab is in place (or the thread died)
        except Exception as exc:  # Xlib connection refused, no accessibility permission, ...
            raise HotkeyUnavailable(f"the global hotkey could not be registered: {exc}") from None
        if not listener.is_alive():
            raise HotkeyUnavailable("the global hotkey listener stopped at once")
        self._listener = listener
        log.info("push-to-talk hotkey %s registered", combo)

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
            listener.join(2.0)  # its X connection must be closed before the display may go away

    def _fire(self) -> None:
        try:
            self.on_trigger()
        except Exception:  # never let a callback kill the listener thread
            log.exception("push-to-talk hotkey callback failed")


def _keyboard() -> Any:
    try:
        from pynput import keyboard
    except Exception as exc:  # not installed, or its backend cannot load (no X libraries, no display)
        raise HotkeyUnavailable(f"global hotkeys are not available here ({exc})") from None
    return keyboard


HOTKEY_KEY = "voice.push_to_talk_hotkey"
"""Config key: the combination, or ``""``/``false`` for none (default :data:`DEFAULT_HOTKEY`)."""


def combo_from_config(voice_section: object) -> str | None:
    """The configured combination from the config's ``voice`` section (None = turned off)."""
    value = voice_section.get("push_to_talk_hotkey", DEFAULT_HOTKEY) if isinstance(voice_section, dict) \
        else DEFAULT_HOTKEY
    if value is None or value is False or (isinstance(value, str) and not value.strip()):
        return None
    return value if isinstance(value, str) else DEFAULT_HOTKEY


def start_hotkey(combo: str | None, on_trigger: Callable[[], None]) -> GlobalHotkey | None:
    """Register ``combo`` if set; None (logged, never raised) when it is off or unavailable."""
    if combo is None:
        return None
    hotkey = GlobalHotkey(combo, on_trigger)
    try:
        hotkey.start()
    except HotkeyUnavailable as exc:
        log.warning("push-to-talk hotkey %s not available: %s", combo, exc)
        return None
    return hotkey
