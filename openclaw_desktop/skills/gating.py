"""Decide whether a skill is eligible on this host (reference §10.3).

Everything the decision looks at is passed in: ``which`` probes PATH, ``env`` is the
process environment, ``config_lookup`` resolves a dotted ``openclaw.json`` path (``None``
when absent) and ``platform`` is a ``sys.platform`` value. That keeps the gate pure and
lets tests describe a host in one line.

Config paths consulted, as OpenClaw does: ``skills.entries.<key>.enabled`` (``false``
disables), ``skills.entries.<key>.env.<VAR>`` and ``.apiKey`` (satisfy ``requires.env``;
the API key only for ``primaryEnv``), ``skills.allowBundled`` (a non-empty list limits
bundled skills) and every ``requires.config`` path (must be truthy). ``<key>`` is the
skill key, then the name.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from .model import ConfigCheck, Gate, Requirements, SkillManifest

Which = Callable[[str], "str | None"]
ConfigLookup = Callable[[str], object]


@dataclass(frozen=True, slots=True)
class Host:
    """What the gate may ask about the machine and the config."""

    which: Which
    env: Mapping[str, str]
    config_lookup: ConfigLookup
    platform: str
    agent_filter: Collection[str] | None = None


def normalize_platform(platform: str) -> str:
    """Map a ``sys.platform`` value onto the reference's ``darwin``/``linux``/``win32``."""
    if platform.startswith("linux"):
        return "linux"
    if platform in ("win32", "cygwin", "msys"):
        return "win32"
    return platform


def evaluate(manifest: SkillManifest, host: Host, *, bundled: bool) -> tuple[Gate, bool]:
    """Return the gate verdict and whether the skill is eligible.

    Eligibility (§10.3, in order): ``os`` matches, not disabled in config, allowed by
    ``skills.allowBundled`` when bundled, and (unless ``always``) every requirement met.
    The agent filter is reported separately (``blocked_by_agent_filter``) because
    ``skills.status`` shows it beside ``eligible``. ``missing`` is filled even for
    ``always`` skills so the UI can still say what is absent.
    """
    req = manifest.requirements
    keys = _entry_keys(manifest)
    platform = normalize_platform(host.platform)
    missing_os = req.os if req.os and platform not in req.os else ()
    checks = tuple(ConfigCheck(path, bool(host.config_lookup(path))) for path in req.config)
    missing = Requirements(
        bins=tuple(b for b in req.bins if not host.which(b)),
        any_bins=req.any_bins if req.any_bins and not any(host.which(b) for b in req.any_bins) else (),
        env=tuple(var for var in req.env if not _env_present(var, manifest, keys, host)),
        config=tuple(check.path for check in checks if not check.satisfied),
        os=missing_os,
    )
    disabled = any(host.config_lookup(f"skills.entries.{key}.enabled") is False for key in keys)
    allow = host.config_lookup("skills.allowBundled")
    blocked_by_allowlist = (bundled and isinstance(allow, list | tuple) and bool(allow)
                            and not any(key in allow for key in keys))
    blocked_by_agent = host.agent_filter is not None and manifest.name not in host.agent_filter
    gate = Gate(missing=missing, disabled=disabled, blocked_by_allowlist=blocked_by_allowlist,
                blocked_by_agent_filter=blocked_by_agent, config_checks=checks)
    requirements_met = not (missing.bins or missing.any_bins or missing.env or missing.config)
    eligible = (not missing_os and not disabled and not blocked_by_allowlist
                and (manifest.always or requirements_met))
    return gate, eligible


def _entry_keys(manifest: SkillManifest) -> tuple[str, ...]:
    return (manifest.key,) if manifest.key == manifest.name else (manifest.key, manifest.name)


def _env_present(var: str, manifest: SkillManifest, keys: tuple[str, ...], host: Host) -> bool:
    if host.env.get(var):
        return True
    for key in keys:
        if host.config_lookup(f"skills.entries.{key}.env.{var}"):
            return True
        if var == manifest.primary_env and host.config_lookup(f"skills.entries.{key}.apiKey"):
            return True
    return False
