"""The "Copy diagnostics" text: versions, platform, gateway address and state, paths.

Pure (no Qt, no I/O): the About tab gathers the facts and passes them in. It never
includes secrets: only the fields listed here are printed, and any value that contains
one of the ``secrets`` passed in (the gateway token, say) is masked as a last guard.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DiagnosticFacts:
    app_version: str
    qt_version: str
    pyside_version: str
    gateway_url: str
    link_state: str
    link_error: str | None = None
    gateway_version: str | None = None
    hosted: bool = True
    state_dir: str | None = None
    config_path: str | None = None
    log_dir: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def diagnostics_text(facts: DiagnosticFacts, secrets: Iterable[str | None] = ()) -> str:
    """A plain-text block to paste into a bug report."""
    lines = [
        f"OpenClaw Desktop {facts.app_version}",
        f"Platform: {platform.platform()} ({platform.machine()})",
        f"Python: {sys.version.split()[0]} ({sys.executable})",
        f"Qt: {facts.qt_version}  PySide6: {facts.pyside_version}",
        f"Gateway: {facts.gateway_url} ({'hosted in this app' if facts.hosted else 'remote'})"
        + (f", version {facts.gateway_version}" if facts.gateway_version else ""),
        f"Link: {facts.link_state}" + (f" ({facts.link_error})" if facts.link_error else ""),
    ]
    for label, value in (("State folder", facts.state_dir), ("Config file", facts.config_path),
                         ("Log folder", facts.log_dir)):
        if value:
            lines.append(f"{label}: {value}")
    lines += [f"{k}: {v}" for k, v in facts.extra]
    text = "\n".join(lines) + "\n"
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
