"""Opening the app's windows: Settings, Chat and the first-run onboarding (built
elsewhere, imported lazily), and non-blocking message boxes whose answer is awaited on
the shared Qt/asyncio loop.

Settings, Chat and the onboarding live in ``ui/settings/``, ``ui/chat/`` and
``ui/onboarding/``; they are imported on first use (start-up stays fast) and, if a build
lacks them, a short message says so instead of failing. :class:`AppWindows` opens them
for the app, Settings and the onboarding with ``SettingsExtras`` (the voice devices and
level meter, listed off the loop first). ``ask()`` shows a ``QMessageBox`` with
``open()`` — never ``exec()``, which would start a nested event loop under asyncio — and
returns the clicked button's role name.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from shiboken6 import isValid

log = logging.getLogger(__name__)

SETTINGS_MODULE = "openclaw_desktop.ui.settings.window"
CHAT_MODULE = "openclaw_desktop.ui.chat.window"
ONBOARDING_MODULE = "openclaw_desktop.ui.onboarding.wizard"


def load_class(module: str, name: str) -> type | None:
    """``module.name``, or None when the module is not part of this build."""
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):  # the module itself (or its package) is absent
            return None
        raise  # a dependency of it is missing: that is a bug worth a traceback in the log
    except AttributeError:
        return None


def info_box(title: str, text: str, parent: QWidget | None = None) -> QMessageBox:
    """A non-modal information box that deletes itself when closed.

    The caller must keep a reference while it is open: a parentless widget whose Python
    wrapper is collected is deleted at once (see :class:`Notices`).
    """
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setModal(False)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()
    return box


class Notices:
    """Short non-modal messages, kept alive until the user closes them."""

    def __init__(self) -> None:
        self.open: list[QMessageBox] = []

    def show(self, text: str, title: str = "OpenClaw") -> QMessageBox:
        box = info_box(title, text)
        self.open.append(box)
        box.finished.connect(lambda _code, b=box: self.open.remove(b) if b in self.open else None)
        return box

    def close(self) -> None:
        for box in list(self.open):
            if isValid(box):
                box.close()
        self.open.clear()


class WindowSlot:
    """At most one window of a kind: the first call creates it, later calls raise it."""

    def __init__(self, module: str, class_name: str, missing_text: str,
                 on_create: Callable[[QWidget], None] | None = None) -> None:
        self.module, self.class_name, self.missing_text = module, class_name, missing_text
        self.on_create = on_create
        """Called once with each new window (the composition root connects its signals)."""
        self.window: QWidget | None = None
        self.placeholder: QMessageBox | None = None

    @property
    def is_open(self) -> bool:
        """The window exists (shown or hidden, not yet deleted): ``open()`` only raises it."""
        if self.window is not None and not isValid(self.window):
            self.window = None  # it deleted itself on close
        return self.window is not None

    def open(self, *args: Any, then: Callable[[QWidget], None] | None = None, **kwargs: Any) -> QWidget | None:
        """Create (with ``args`` and ``kwargs``) or raise the window; None and a message when
        unavailable."""
        if not self.is_open:
            cls = load_class(self.module, self.class_name)
            if cls is None:
                self.placeholder = info_box("OpenClaw", self.missing_text)
                return None
            self.window = cls(*args, **kwargs)
            if self.on_create is not None:
                self.on_create(self.window)
        window = self.window
        assert window is not None
        window.show()
        window.raise_()
        window.activateWindow()
        if then is not None:
            then(window)
        return window

    def close(self) -> None:
        """Quit path: let the window detach (``dispose()`` when it has one), then close it."""
        for widget in (self.window, self.placeholder):
            if widget is not None and isValid(widget):
                dispose = getattr(widget, "dispose", None)
                if callable(dispose):
                    dispose()
                widget.close()
        self.window = self.placeholder = None


class AppWindows:
    """The app's windows, opened on demand: Settings, Chat, the onboarding, and notes.

    ``extras(**more)`` awaits the ``SettingsExtras`` for a new Settings or onboarding
    window; ``spawn`` runs a coroutine as one of the app's helper tasks.
    """

    def __init__(self, extras: Callable[..., Awaitable[Any]], spawn: Callable[[Coroutine[Any, Any, Any]], None],
                 on_chat_created: Callable[[QWidget], None] | None = None) -> None:
        self.settings = WindowSlot(SETTINGS_MODULE, "SettingsWindow", "The settings window is not part of this build.")
        self.chat = WindowSlot(CHAT_MODULE, "ChatWindow", "The chat window is not part of this build.",
                               on_create=on_chat_created)
        self.onboarding = WindowSlot(ONBOARDING_MODULE, "OnboardingWizard",
                                     "The introduction is not part of this build.")
        self.notices = Notices()
        self._extras, self._spawn = extras, spawn
        self.closed = False

    def open_chat(self, link: Any) -> None:
        self.chat.open(link)

    def open_settings(self, link: Any, host: Any, then: Callable[[QWidget], None] | None = None) -> None:
        """Raise Settings, or build it (after listing the voice extras off the loop)."""
        if self.settings.is_open:
            self.settings.open(then=then)
        else:
            self._spawn(self._open_settings(link, host, then))

    async def _open_settings(self, link: Any, host: Any, then: Callable[[QWidget], None] | None) -> None:
        extras = await self._extras(open_onboarding=lambda: self._spawn(self.open_onboarding(link)))
        if not self.closed:
            self.settings.open(link, host, None, extras=extras, then=then)

    def open_pair_phone(self, link: Any, host: Any) -> None:
        """Settings → Devices with a fresh QR code."""
        def focus(window: Any) -> None:
            show_pairing = getattr(window, "show_pair_phone", None)
            if callable(show_pairing):
                show_pairing()

        self.open_settings(link, host, then=focus)

    async def open_onboarding(self, link: Any) -> None:
        """The introduction (first run, or Settings → About → Run the introduction again)."""
        if self.onboarding.is_open:
            window = self.onboarding.window
            if window is not None and window.isVisible():
                self.onboarding.open()  # raise it
                return
            self.onboarding.close()  # finished or closed: a new run starts from the first page
        extras = await self._extras()
        if not self.closed:
            self.onboarding.open(link, extras=extras)

    def close(self) -> None:
        """Quit path: every window detaches and closes; an unfinished onboarding is not
        recorded as run (it comes back next time)."""
        self.closed = True
        self.settings.close()
        self.chat.close()
        self.onboarding.close()
        self.notices.close()


async def ask(box: QMessageBox, buttons: Sequence[tuple[str, QMessageBox.ButtonRole]]) -> str:
    """Add ``buttons`` (text, role), show ``box`` non-modally and await the click.

    Returns the clicked button's text; closing the box counts as the last button
    (give it the cautious choice).
    """
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str] = loop.create_future()
    made = [box.addButton(text, role) for text, role in buttons]
    box.setEscapeButton(made[-1])
    box.setDefaultButton(made[-1])

    def clicked(button: Any) -> None:
        if not answer.done():
            answer.set_result(button.text() if button in made else buttons[-1][0])

    box.buttonClicked.connect(clicked)
    box.finished.connect(lambda _code: clicked(box.clickedButton()))
    box.setModal(False)
    box.show()
    box.raise_()
    box.activateWindow()
    try:
        return await answer
    finally:
        box.close()
