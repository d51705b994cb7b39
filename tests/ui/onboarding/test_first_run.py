"""When onboarding is due, and what records that it ran (pure, no Qt)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openclaw_desktop.ui.onboarding.first_run import completion_patch, needs_onboarding


@pytest.mark.parametrize(("content", "due"), [
    (None, True),
    ('{"gateway": {"auth": {"mode": "token", "token": "x"}}}', True),  # a headless gateway's first config
    ('{wizard: {lastRunAt: "2026-01-01T00:00:00.000Z"}}', False),  # JSON5, as the official CLI writes it
    ('{"wizard": {"lastRunAt": ""}}', True),
    ('{"wizard": "yes"}', True),
    ("{ not json", False),  # the gateway reports a broken file; a wizard must not write over it
    ("[]", True),
])
def test_needs_onboarding(tmp_path, content, due):
    path = tmp_path / "openclaw.json"
    if content is not None:
        path.write_text(content)
    assert needs_onboarding(path) is due


def test_completion_patch_matches_the_official_wizard_keys():
    patch = completion_patch("0.1.0", datetime(2026, 11, 25, 23, 5, 7, 123456, tzinfo=UTC))
    assert patch == {"wizard": {"lastRunAt": "2026-11-25T23:05:07.123Z", "lastRunVersion": "0.1.0",
                                "lastRunCommand": "desktop-onboarding", "lastRunMode": "local"}}
