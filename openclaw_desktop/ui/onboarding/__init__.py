"""First-run onboarding: what the app does and its trust model, connecting the AI, the
wake word, a microphone check and phone pairing (``OnboardingWizard``), and when to show
it (``needs_onboarding``, which imports no Qt).
"""

from .first_run import completion_patch, needs_onboarding
from .wizard import OnboardingWizard

__all__ = ["OnboardingWizard", "completion_patch", "needs_onboarding"]
