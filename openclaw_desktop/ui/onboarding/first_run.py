"""When to show the first-run onboarding, and the config keys that record it ran.

Onboarding is due when the config file does not exist yet, or exists without
``wizard.lastRunAt`` (a gateway started headless writes a config with just its token;
the official ``openclaw onboard`` writes the same ``wizard`` keys, so its users are not
asked twice). Check it BEFORE starting the gateway: the gateway writes the config file
on its first start. No Qt here: the composition root calls it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import json5

WIZARD_COMMAND = "desktop-onboarding"


def needs_onboarding(config_path: Path) -> bool:
    """True when the first-run onboarding should be shown for this config file.

    An unreadable or malformed file does not trigger it: the gateway reports that error
    itself, and a wizard would only write over a file the user is editing.
    """
    try:
        doc = json5.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    wizard = doc.get("wizard") if isinstance(doc, dict) else None
    return not (isinstance(wizard, dict) and wizard.get("lastRunAt"))


def completion_patch(version: str, now: datetime | None = None) -> dict[str, Any]:
    """The config merge-patch written when the onboarding ends (finished or skipped)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return {"wizard": {"lastRunAt": stamp, "lastRunVersion": version, "lastRunCommand": WIZARD_COMMAND,
                       "lastRunMode": "local"}}
