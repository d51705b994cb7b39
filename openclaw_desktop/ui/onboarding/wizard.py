"""The first-run onboarding window: one page per step, each skippable.

``OnboardingWizard(link, extras)`` takes the same ports as the settings window (the
gateway link and :class:`~openclaw_desktop.ui.settings.ports.SettingsExtras`), so the
composition root shows it on first run and Settings can open it again with what it
already holds. Back / Skip / Next (Finish on the last page); closing the window or Esc
counts as skipping the rest. Either way the wizard records that it ran
(``wizard.lastRunAt`` …, see :mod:`.first_run`) and then emits ``finished_onboarding``
with what happened per step. Non-modal: it never blocks the loop the gateway runs on.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from openclaw_desktop import __version__

from ..settings.config_access import ConfigAccess
from ..settings.ports import SettingsExtras, SettingsLink
from ..settings.tasks import TaskRunner
from ..settings.widgets import StatusLine
from .first_run import completion_patch
from .steps import (
    ConnectAiStep,
    DoneStep,
    MicrophoneStep,
    PairPhoneStep,
    Step,
    WakeWordStep,
    WelcomeStep,
    WizardContext,
)


class OnboardingWizard(QDialog):
    """First-run onboarding; ``finished_onboarding`` carries ``{step key: outcome}``."""

    finished_onboarding = Signal(dict)

    def __init__(self, link: SettingsLink, extras: SettingsExtras | None = None, parent: QWidget | None = None,
                 *, version: str = __version__) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to OpenClaw Desktop")
        self.setModal(False)
        self.resize(640, 460)
        self.version = version
        self.status = StatusLine()
        self.tasks = TaskRunner(self.status.show_error)
        self.ctx = WizardContext(link, extras or SettingsExtras(), ConfigAccess(link), self.tasks, self.status)
        self.results = self.ctx.results
        self.steps: list[Step] = [WelcomeStep(self.ctx), ConnectAiStep(self.ctx), WakeWordStep(self.ctx),
                                  MicrophoneStep(self.ctx), PairPhoneStep(self.ctx), DoneStep(self.ctx)]
        self.ended = False
        self.index: int = -1  # no page shown yet; go(0) below shows the first

        self.step_list = QLabel()
        self.step_list.setMinimumWidth(150)
        self.step_list.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.stack = QStackedWidget()
        for step in self.steps:
            self.stack.addWidget(step)
        self.back_button = QPushButton("Back")
        self.skip_button = QPushButton("Skip")
        self.next_button = QPushButton("Next")
        self.next_button.setDefault(True)
        self.back_button.clicked.connect(lambda: self.go(self.index - 1))
        self.skip_button.clicked.connect(self.skip)
        self.next_button.clicked.connect(lambda: self.tasks.spawn(self.next(), "saving"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.next_button)
        body = QHBoxLayout()
        body.addWidget(self.step_list)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        self.go(0)

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    def go(self, index: int) -> None:
        """Show page ``index`` (clamped), telling the old and new page."""
        index = max(0, min(index, len(self.steps) - 1))
        if index == self.index:
            return
        if self.index >= 0:
            self.step.left()
        self.index = index
        self.stack.setCurrentIndex(index)
        last = index == len(self.steps) - 1
        self.back_button.setEnabled(index > 0)
        self.skip_button.setVisible(not last)
        self.next_button.setText("Finish" if last else "Next")
        self.status.show_info("")
        self.step_list.setText("<br>".join(
            f"<b>{i + 1}. {s.title}</b>" if i == index else f"{i + 1}. {s.title}" for i, s in enumerate(self.steps)))
        self.step.entered()

    def skip(self) -> None:
        """Move on without applying this page."""
        self.results.setdefault(self.step.key, "skipped")
        self.go(self.index + 1)

    async def next(self) -> None:
        """Apply this page, then move on (or finish on the last one)."""
        self.next_button.setEnabled(False)
        try:
            await self.step.commit()
        finally:
            self.next_button.setEnabled(True)
        if self.index == len(self.steps) - 1:
            await self.finish()
        else:
            self.go(self.index + 1)

    async def finish(self) -> None:
        """Record that onboarding ran, close, and emit ``finished_onboarding`` (once)."""
        if self.ended:
            return
        self.ended = True
        self.step.left()
        try:
            await self.ctx.config.patch(completion_patch(self.version))
        finally:
            self._dispose_steps()
            super().accept()
            self.finished_onboarding.emit(dict(self.results))

    def reject(self) -> None:  # Esc, or the window's close button via closeEvent
        """Closing skips the remaining steps; the run is still recorded."""
        if not self.ended:
            for step in self.steps[self.index:-1]:
                self.results.setdefault(step.key, "skipped")
            self.tasks.spawn(self.finish(), "finishing")
        self.hide()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt's name
        if not self.ended:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    def dispose(self) -> None:
        """The app is quitting: close without recording the run, so it is offered again."""
        if not self.ended:
            self.ended = True
            self.step.left()
            self._dispose_steps()
        self.tasks.cancel_all()

    def _dispose_steps(self) -> None:
        for step in self.steps:
            dispose: Any = getattr(step, "dispose", None)
            if dispose is not None:
                dispose()
