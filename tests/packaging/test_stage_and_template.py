"""The staging project Briefcase runs in, and our Linux template rendered and compiled."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from installers.briefcase_stage import dump_toml, staged_config

from . import briefcase_configs as bc

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "installers/briefcase/linux-system"


def test_toml_writer_round_trips_what_our_configs_use():
    doc = {"project": {"name": "x", "authors": [{"name": "A", "email": "a@b"}], "n": 3, "f": True,
                       "scripts": {"x": "x.cli:main"}},
           "tool": {"briefcase": {"app": {"my-app": {"long": "two\nlines \"quoted\" é",
                                                     "entitlement": {"com.apple.x-y": True},
                                                     "windows": {}}}}}}
    assert tomllib.loads(dump_toml(doc)) == doc


def test_staged_config_appends_the_extras_and_fails_on_a_missing_one():
    pyproject = {"project": {"name": "p", "dependencies": ["a"], "optional-dependencies": {"ui": ["b"], "voice": ["c"]}}}
    briefcase = {"tool": {"briefcase": {"app": {"openclaw-desktop": {"requires": ["d"]}}}}}
    staged = staged_config(pyproject, briefcase)
    assert staged["tool"]["briefcase"]["app"]["openclaw-desktop"]["requires"] == ["b", "c", "d"]
    assert briefcase["tool"]["briefcase"]["app"]["openclaw-desktop"]["requires"] == ["d"]  # not mutated
    with pytest.raises(KeyError, match="voice"):
        staged_config({"project": {"optional-dependencies": {"ui": []}}}, briefcase)


def test_stage_holds_sources_licences_changelog_and_the_desktop_entry():
    root = bc.staged()
    doc = tomllib.loads((root / "pyproject.toml").read_text())
    assert doc["project"]["name"] == "openclaw-desktop" and "tool" in doc and "setuptools" not in doc["tool"]
    for name in ("LICENSE", "THIRD_PARTY_LICENSES.md", "CHANGELOG.md", "openclaw_desktop/cli.py",
                 "openclaw_desktop/bundled_skills", "installers/icons/openclaw-desktop-256.png"):
        assert (root / name).exists(), name
    assert not (root / "openclaw_desktop/bundled_skills").is_symlink()  # a real copy for Briefcase
    assert not list((root / "openclaw_desktop").rglob("__pycache__"))
    entry = next((root / "installers/briefcase/linux-system").rglob("*.desktop"))
    assert entry.read_bytes() == (REPO / "installers/linux/openclaw-desktop.desktop").read_bytes()


def test_icons_exist_for_every_size_the_template_installs():
    context = json.loads((TEMPLATE / "cookiecutter.json").read_text())
    index = (TEMPLATE / "{{ cookiecutter.format }}/briefcase.toml").read_text()
    sizes = [line.split("=")[0].strip() for line in index.split("[paths.icon]")[1].splitlines() if "=" in line]
    assert sizes == ["16", "32", "64", "128", "256", "512"]
    for size in sizes:
        png = REPO / f"installers/icons/openclaw-desktop-{size}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(png.read_bytes()[16:20], "big") == int(size)  # IHDR width
    assert (REPO / "installers/icons/openclaw-desktop.icns").read_bytes()[:4] == b"icns"
    assert (REPO / "installers/icons/openclaw-desktop.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert context["app_name"] == "openclaw-desktop"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("template")
    cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(out), extra_context={
        "format": "bookworm", "app_name": "openclaw-desktop", "module_name": "openclaw_desktop",
        "version": "0.1.0", "python_version": f"{sys.version_info.major}.{sys.version_info.minor}",
        "qt_modules": "QtCore,QtGui", "qt_plugins": "platforms", "description": "a test"})
    return out / "bookworm"


def test_template_path_index_is_what_briefcase_reads(rendered: Path):
    index = tomllib.loads((rendered / "briefcase.toml").read_text())["paths"]
    root = "openclaw-desktop-0.1.0/usr"
    assert index["app_path"] == f"{root}/lib/openclaw-desktop/app"
    assert index["app_packages_path"] == f"{root}/lib/openclaw-desktop/app_packages"
    assert index["icon"]["256"] == f"{root}/share/icons/hicolor/256x256/apps/openclaw-desktop.png"
    assert "support_path" not in index and "stub_binary_revision" not in index  # nothing to download
    assert (rendered / "openclaw-desktop.1").read_text().startswith(".TH OPENCLAW-DESKTOP 1")
    # Briefcase creates app_path with a plain mkdir: its parent must exist, then go away.
    assert (rendered / f"{root}/lib/openclaw-desktop/placeholder").is_file()
    assert f"{root}/lib/openclaw-desktop/placeholder" in index["cleanup_paths"]
    makefile = (rendered / "bootstrap/Makefile").read_text()
    assert "--keep QtCore,QtGui --plugins platforms" in makefile


def test_launcher_compiles_against_this_python(rendered: Path, tmp_path: Path):
    if shutil.which("cc") is None:
        pytest.fail("needs a C compiler (apt-get install build-essential; scripts/build-deb.sh installs it)")
    include = sysconfig.get_paths()["include"]
    binary = tmp_path / "launcher"
    proc = subprocess.run(["cc", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", f"-I{include}",
                           "-DAPP_NAME=\"openclaw-desktop\"", "-DAPP_MODULE=\"openclaw_desktop\"",
                           str(rendered / "bootstrap/launcher.c"), "-o", str(binary)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr


def test_qt_trim_keeps_what_the_modules_link_and_drops_the_rest(rendered: Path):
    spec = importlib.util.spec_from_file_location("trim_qt", rendered / "bootstrap/trim_qt.py")
    trim_qt = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(trim_qt)  # type: ignore[union-attr]
    import PySide6

    pyside = Path(PySide6.__file__).parent
    kept = {p.name for p in trim_qt.closure([pyside / "QtWidgets.abi3.so"], pyside / "Qt/lib")}
    assert {"libQt6Widgets.so.6", "libQt6Gui.so.6", "libQt6Core.so.6"} <= kept
    assert not any(name.startswith(("libQt63D", "libQt6Quick", "libQt6Designer")) for name in kept)
