"""The catalog shipped with the app (same format as a ``catalog.json``; see ``catalog``).

Empty on purpose for now: an entry needs the SHA-256 and size of every file, taken from
the model's publisher, and no entry is added that was not verified that way. Users and
administrators add models with ``<state dir>/models/catalog.json``.
"""

from __future__ import annotations

from typing import Any

CATALOG: dict[str, Any] = {
    "version": 1,
    "models": [],
}
