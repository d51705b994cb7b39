"""``python -m openclaw_desktop`` is the same as the ``openclaw-desktop`` command."""

import sys

from openclaw_desktop.cli import main

sys.exit(main())
