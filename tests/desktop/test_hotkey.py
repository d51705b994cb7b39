"""The global push-to-talk hotkey: a real X server (Xvfb), real key presses (xdotool)."""

from __future__ import annotations

import subprocess
import threading

import pytest

from openclaw_desktop.desktop.hotkey import (
    DEFAULT_HOTKEY,
    GlobalHotkey,
    HotkeyUnavailable,
    check_combo,
    combo_from_config,
    start_hotkey,
)
from tests.desktop_node.qt_support import xvfb


@pytest.fixture
def display(monkeypatch):
    with xvfb() as number:
        monkeypatch.setenv("DISPLAY", number)
        yield number


def press(display: str, keys: str) -> None:
    subprocess.run(["xdotool", "key", keys], env={"DISPLAY": display}, check=True, timeout=10)


def test_the_combination_fires_and_others_do_not(display):
    hits: list[str] = []
    fired = threading.Event()
    hotkey = GlobalHotkey("<ctrl>+<alt>+<space>", lambda: (hits.append("ptt"), fired.set()))
    hotkey.start()
    try:
        press(display, "ctrl+space")  # not the combination
        press(display, "alt+space")
        assert not fired.wait(0.5)
        press(display, "ctrl+alt+space")
        assert fired.wait(5) and hits == ["ptt"]
    finally:
        hotkey.stop()
    assert not hotkey.active
    fired.clear()
    press(display, "ctrl+alt+space")  # released: nothing listens any more
    assert not fired.wait(0.5)


def test_a_failing_callback_does_not_kill_the_listener(display):
    calls: list[int] = []
    second = threading.Event()

    def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        second.set()

    hotkey = GlobalHotkey("<ctrl>+<alt>+k", flaky)
    hotkey.start()
    try:
        press(display, "ctrl+alt+k")
        press(display, "ctrl+alt+k")
        assert second.wait(5) and len(calls) == 2
    finally:
        hotkey.stop()


def test_unavailable_is_reported_not_raised(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(HotkeyUnavailable, match="X11 display"):
        GlobalHotkey(DEFAULT_HOTKEY, lambda: None).start()
    assert start_hotkey(DEFAULT_HOTKEY, lambda: None) is None  # the app keeps running
    with pytest.raises(HotkeyUnavailable, match="not a key combination"):
        check_combo("<ctrl>+<nosuchkey>")


@pytest.mark.parametrize(("section", "expected"), [
    (None, DEFAULT_HOTKEY),
    ({}, DEFAULT_HOTKEY),
    ({"push_to_talk_hotkey": "<ctrl>+<shift>+p"}, "<ctrl>+<shift>+p"),
    ({"push_to_talk_hotkey": ""}, None),
    ({"push_to_talk_hotkey": False}, None),
    ({"push_to_talk_hotkey": None}, None),
    ({"push_to_talk_hotkey": 5}, DEFAULT_HOTKEY),
])
def test_combo_from_config(section, expected):
    assert combo_from_config(section) == expected
