"""First-run onboarding: what the app does and its trust model, connecting the AI, the
wake word, a microphone check and phone pairing (``OnboardingWizard``), and when to show
it (``needs_onboarding``, which imports no Qt).

``OnboardingWizard`` is imported on first access: the app checks ``needs_onboarding``
before its gateway starts, and the wizard's Qt and settings modules would cost that
start-up a quarter of a second.
"""

from typing import Any

from .first_run import completion_patch, needs_onboarding

__all__ = ["OnboardingWizard", "completion_patch", "needs_onboarding"]


def __getattr__(name: str) -> Any:
    if name == "OnboardingWizard":
        from .wizard import OnboardingWizard

        return OnboardingWizard
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
