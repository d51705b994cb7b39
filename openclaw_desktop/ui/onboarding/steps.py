"""The onboarding steps: welcome and trust model, connect your AI, wake word, microphone
check, phone pairing, done. Each is a page of :class:`~.wizard.OnboardingWizard`.

A step may be skipped (the wizard then never calls :meth:`Step.commit`); Next commits what
the user chose. Steps record what happened in the shared ``results`` (for the summary, the
``finished_onboarding`` signal and tests). They talk to the rest of the app only through
the settings ports: the gateway link (config, setup codes), the key store (OS keyring),
the connection checker and the microphone level callable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from openclaw_desktop.agent.credentials import KeyringUnavailable
from openclaw_desktop.config.settings import DEFAULT_MODEL

from ..settings.ai import BASE_URL_KEY, MODEL_KEY
from ..settings.config_access import ConfigAccess
from ..settings.pair_phone import PairPhonePanel
from ..settings.ports import SettingsExtras, SettingsLink
from ..settings.tasks import TaskRunner
from ..settings.voice import DEFAULT_WAKE_PHRASE, WAKE_ENABLED, WAKE_PHRASE
from ..settings.widgets import ERROR_STYLE, OK_STYLE, LevelMeter, StatusLine, hint

HEARD_LEVEL = 0.1
"""A level (0..1) above which the microphone check counts as "we hear you"."""


@dataclass
class WizardContext:
    """What every step shares: the ports, a config writer, a task runner and the results."""

    link: SettingsLink
    extras: SettingsExtras
    config: ConfigAccess
    tasks: TaskRunner
    status: StatusLine
    results: dict[str, str] = field(default_factory=dict)


class Step(QWidget):
    """One page. ``key`` names it in ``results``; ``title`` is shown in the step list."""

    key = ""
    title = ""

    def __init__(self, ctx: WizardContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.layout_ = QVBoxLayout(self)
        heading = QLabel(f"<h2>{self.heading()}</h2>")
        heading.setWordWrap(True)
        self.layout_.addWidget(heading)

    def heading(self) -> str:
        return self.title

    def add_text(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        self.layout_.addWidget(label)
        return label

    def entered(self) -> None:
        """The page became current."""

    def left(self) -> None:
        """Another page became current (or the wizard closed)."""

    async def commit(self) -> None:
        """Next was pressed: apply the choice on this page (Skip never calls this)."""


class WelcomeStep(Step):
    key, title = "welcome", "Welcome"

    def heading(self) -> str:
        return "Welcome to OpenClaw Desktop"

    def __init__(self, ctx: WizardContext) -> None:
        super().__init__(ctx)
        self.add_text("OpenClaw Desktop runs your AI assistant's gateway on this computer. You can chat with "
                      "the assistant, talk to it, and pair your phone and other OpenClaw apps with it.")
        self.trust = self.add_text(
            "<b>You stay in control.</b> The assistant can run commands on this computer <b>only with your "
            "approval</b>: each command it wants to run is shown to you first, with what it does and why it "
            "needs asking, and <i>Deny</i> is always the default. Screen, camera and location are used only "
            "when you or a paired device ask, and only as far as you allow in Settings.")
        self.add_text("Voice runs on this computer. What you type or say goes to the AI provider you connect "
                      "in the next step, and nowhere else.")
        self.add_text("Every step is optional: <i>Skip</i> moves on, and Settings can open this again.")
        self.layout_.addStretch(1)

    async def commit(self) -> None:
        self.ctx.results[self.key] = "read"


class ConnectAiStep(Step):
    key, title = "ai", "Connect your AI"

    def __init__(self, ctx: WizardContext) -> None:
        super().__init__(ctx)
        self.add_text("Paste an API key for Anthropic's Claude (or a compatible service). It is stored in this "
                      "computer's keyring, never in a file, and a test request checks that it works.")
        self.key_field = QLineEdit()
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_field.setPlaceholderText("sk-ant-…")
        self.test_button = QPushButton("Save and test")
        self.test_button.clicked.connect(lambda: ctx.tasks.spawn(self.save_and_test(), "connecting"))
        row = QHBoxLayout()
        row.addWidget(self.key_field, 1)
        row.addWidget(self.test_button)
        self.layout_.addLayout(row)
        self.key_state = hint("")
        self.layout_.addWidget(self.key_state)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.layout_.addWidget(self.result)
        self.layout_.addStretch(1)

    def entered(self) -> None:
        self.ctx.tasks.spawn(self._show_key_state(), "reading the keyring")

    async def _show_key_state(self) -> None:
        creds = await asyncio.to_thread(self.ctx.extras.key_store.load)
        if creds.source == "env":
            self.key_state.setText("ANTHROPIC_API_KEY is set in the environment; it is used instead of a stored key.")
        elif creds.source == "keyring":
            self.key_state.setText("A key is already stored in the keyring. Paste a new one to replace it.")
        else:
            self.key_state.setText("")

    async def save_and_test(self) -> bool:
        """Store the pasted key (if any), then make one test request. True when it worked."""
        self.test_button.setEnabled(False)
        try:
            typed = self.key_field.text().strip()
            if typed:
                try:
                    await asyncio.to_thread(self.ctx.extras.key_store.store, typed)
                except KeyringUnavailable as exc:
                    self._show(False, f"{exc}. You can set ANTHROPIC_API_KEY in the environment instead.")
                    self.ctx.results[self.key] = "keyring-unavailable"
                    return False
                self.key_field.clear()
                self.ctx.results[self.key] = "saved"
            key = typed or (await asyncio.to_thread(self.ctx.extras.key_store.load)).api_key or ""
            if not key:
                self._show(False, "Paste a key first (or skip this step).")
                return False
            view = await self.ctx.config.load()
            model = view.effective_value(MODEL_KEY) or view.get(MODEL_KEY) or DEFAULT_MODEL
            base_url = view.get(BASE_URL_KEY) or view.effective_value(BASE_URL_KEY) or None
            self.result.setText("Testing…")
            outcome = await self.ctx.extras.check_connection(key, base_url, str(model))
            self._show(outcome.ok, outcome.message)
            self.ctx.results[self.key] = "connected" if outcome.ok else "test-failed"
            return outcome.ok
        finally:
            self.test_button.setEnabled(True)

    def _show(self, ok: bool, text: str) -> None:
        self.result.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.result.setText(("✓ " if ok else "✗ ") + text)

    async def commit(self) -> None:
        if self.key_field.text().strip():  # pasted but not tested yet: do it now
            await self.save_and_test()
        self.ctx.results.setdefault(self.key, "skipped")


class WakeWordStep(Step):
    key, title = "wake", "Wake word"

    def __init__(self, ctx: WizardContext) -> None:
        super().__init__(ctx)
        self.enabled = QCheckBox(f"Listen for “{DEFAULT_WAKE_PHRASE}”")
        self.add_text("With the wake word on, you can start talking to the assistant without touching the "
                      "keyboard. The microphone then listens all the time, on this computer only: nothing "
                      "leaves it until you say the wake word and a request.")
        self.layout_.addWidget(self.enabled)
        self.layout_.addWidget(hint("Off unless you turn it on. Settings → Voice changes the phrase and the "
                                    "microphone later."))
        self.layout_.addStretch(1)

    def entered(self) -> None:
        self.ctx.tasks.spawn(self._load(), "reading the voice settings")

    async def _load(self) -> None:
        view = await self.ctx.config.load()
        phrase = view.effective_value(WAKE_PHRASE) or DEFAULT_WAKE_PHRASE
        self.enabled.setText(f"Listen for “{phrase}”")
        self.enabled.setChecked(view.get(WAKE_ENABLED) is True)

    async def commit(self) -> None:
        on = self.enabled.isChecked()
        await self.ctx.config.set_value(WAKE_ENABLED, on)
        self.ctx.results[self.key] = "on" if on else "off"


class MicrophoneStep(Step):
    key, title = "mic", "Microphone"

    def __init__(self, ctx: WizardContext, poll_ms: int = 100) -> None:
        super().__init__(ctx)
        source: Callable[[], float] | None = ctx.extras.level_source
        if source is None:
            self.add_text("No microphone can be checked here: none is connected, or voice is not installed "
                          "on this computer. You can still type to the assistant.")
        else:
            self.add_text("Say something. The bar should move while you speak.")
        self.meter = LevelMeter(source)
        self.layout_.addWidget(self.meter)
        self.verdict = QLabel("")
        self.layout_.addWidget(self.verdict)
        self.layout_.addStretch(1)
        self.heard = False
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self._check)

    def entered(self) -> None:
        if self.ctx.extras.level_source is None:
            self.ctx.results[self.key] = "unavailable"
        else:
            self.timer.start()

    def left(self) -> None:
        self.timer.stop()

    def _check(self) -> None:
        if self.meter.bar.value() >= HEARD_LEVEL * 100 and not self.heard:
            self.heard = True
            self.verdict.setStyleSheet(OK_STYLE)
            self.verdict.setText("✓ Your microphone works.")
            self.ctx.results[self.key] = "heard"

    async def commit(self) -> None:
        self.ctx.results.setdefault(self.key, "silent")


class PairPhoneStep(Step):
    key, title = "pair", "Your phone"

    def __init__(self, ctx: WizardContext) -> None:
        super().__init__(ctx)
        self.add_text("Optional: pair the OpenClaw app on your phone to talk to this assistant from anywhere "
                      "in your home network. Press the button, then scan the code with the app.")
        self.panel = PairPhonePanel(ctx.link, ctx.status, ctx.tasks)
        self.panel.completed.connect(lambda _payload: ctx.results.__setitem__(self.key, "paired"))
        self.layout_.addWidget(self.panel)
        self._unlisten = ctx.link.add_event_listener(self.panel.on_event)

    def left(self) -> None:
        self.panel.stop()

    def dispose(self) -> None:
        self.panel.stop()
        self._unlisten()

    async def commit(self) -> None:
        self.ctx.results.setdefault(self.key, "skipped")


class DoneStep(Step):
    key, title = "done", "Done"

    def heading(self) -> str:
        return "You are set"

    def __init__(self, ctx: WizardContext) -> None:
        super().__init__(ctx)
        self.summary = self.add_text("")
        self.add_text("OpenClaw Desktop now lives in the system tray. Settings changes any of this later, "
                      "and can open this introduction again.")
        self.layout_.addStretch(1)

    def entered(self) -> None:
        r = self.ctx.results
        lines = [
            {"connected": "✓ Your AI is connected.", "test-failed": "✗ The key is saved, but the test request "
             "failed: see Settings → AI.", "saved": "The key is saved."}.get(r.get("ai", ""),
                                                                             "No AI connected yet (Settings → AI)."),
            "The wake word is on." if r.get("wake") == "on" else "The wake word is off.",
            {"heard": "✓ The microphone works.", "unavailable": "Voice is not available here."}.get(
                r.get("mic", ""), "The microphone was not checked."),
            "✓ A phone is paired." if r.get("pair") == "paired" else "No phone paired (Settings → Devices).",
        ]
        self.summary.setText("<br>".join(lines))
