"""What Briefcase makes of our configuration on each OS (checked here, built elsewhere).

macOS and Windows builds cannot run on this machine; these tests run Briefcase's own
config parsing and template-context code for those platforms, so a typo in
briefcase.toml, a lost usage string or a changed identifier fails here first.
"""

from __future__ import annotations

import ast
import plistlib
import tomllib
import uuid
from pathlib import Path

import pytest

from . import briefcase_configs as bc

REPO = Path(__file__).resolve().parents[2]
BUNDLE_ID = "ai.openclaw.openclaw-desktop"
UPGRADE_CODE = "1ab48083-f71e-5d7b-99d7-ea8e723cd2b6"


def test_bundle_identifier_is_stable_on_every_platform():
    mac, _ = bc.macos()
    assert mac.bundle_identifier == BUNDLE_ID  # TCC grants (mic, camera, screen) are keyed to it
    assert bc.windows().bundle_identifier == BUNDLE_ID
    assert bc.linux().bundle_identifier == BUNDLE_ID


@pytest.mark.parametrize(("key", "words"), [
    ("NSMicrophoneUsageDescription", "wake word"),
    ("NSCameraUsageDescription", "photo"),
    ("NSLocationUsageDescription", "location"),
    ("NSLocationWhenInUseUsageDescription", "location"),
    ("NSScreenCaptureUsageDescription", "screen"),
])
def test_macos_usage_strings_are_in_the_info_plist(key, words):
    _, context = bc.macos()
    text = context["info"][key]
    assert text.startswith("OpenClaw Desktop ") and words in text and len(text) < 200


def test_macos_is_a_menu_bar_app_with_hardened_runtime_entitlements():
    _, context = bc.macos()
    assert context["info"]["LSUIElement"] is True
    for entitlement in ("com.apple.security.device.audio-input", "com.apple.security.device.camera",
                        "com.apple.security.personal-information.location"):
        assert context["entitlements"][entitlement] is True


def test_installers_macos_plists_match_what_briefcase_generates():
    _, context = bc.macos()
    entitlements = plistlib.loads((REPO / "installers/macos/entitlements.plist").read_bytes())
    usage = plistlib.loads((REPO / "installers/macos/usage-strings.plist").read_bytes())
    assert entitlements == context["entitlements"]
    assert usage == context["info"]


def test_windows_msi_keeps_its_upgrade_code_and_installs_per_user():
    app = bc.windows()
    assert app.guid == UPGRADE_CODE
    # Briefcase's default for this bundle id, pinned so a rename cannot orphan installs.
    assert str(uuid.uuid5(uuid.NAMESPACE_DNS, ".".join(BUNDLE_ID.split(".")[::-1]))) == UPGRADE_CODE
    assert app.system_installer is False
    assert app.formal_name == "OpenClaw Desktop" and len(app.description) <= 80


def test_linux_system_package_uses_our_template_and_the_extras():
    app = bc.linux()
    assert app.template == "installers/briefcase/linux-system"
    assert (bc.staged() / app.template / "cookiecutter.json").is_file()
    requires = " ".join(app.requires)
    for name in ("websockets", "PySide6-Essentials", "qasync", "faster-whisper", "piper-tts", "sounddevice"):
        assert name in requires, name
    assert app.license_files == ["LICENSE", "THIRD_PARTY_LICENSES.md"]


def _pyside_modules_imported() -> set[str]:
    modules: set[str] = set()
    for path in (REPO / "openclaw_desktop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            modules.update(n.split(".")[1] for n in names if n.startswith("PySide6.") and n.count(".") >= 1)
    return modules


def test_every_pyside_module_the_app_imports_survives_the_qt_trim():
    linux = tomllib.loads((REPO / "briefcase.toml").read_text())["tool"]["briefcase"]["app"]["openclaw-desktop"]
    kept = set(linux["linux"]["system"]["qt_modules"].split(","))
    imported = _pyside_modules_imported()
    assert {"QtCore", "QtGui", "QtWidgets"} <= imported
    assert imported <= kept, f"add {sorted(imported - kept)} to qt_modules in briefcase.toml"
