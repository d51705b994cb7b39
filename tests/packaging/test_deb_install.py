"""The Linux .deb, built here with Briefcase, installed into a clean Debian root, smoke-tested.

The package comes from ``$OPENCLAW_DEB`` when an earlier CI step built it, else from
``scripts/build-deb.sh`` (which reuses ``build/briefcase/dist/*.deb`` when no source is
newer). A minbase bookworm root (debootstrap, cached under ``~/.cache/openclaw-desktop``)
gets it with ``apt-get install``, so the package's Depends must be complete; then:

* every shared library in the package resolves (``ldd`` inside the root),
* the installed ``openclaw-desktop gateway`` answers ``health`` over HTTP and WebSocket,
* the installed app starts under Xvfb and its icon appears in the tray (trayer as the
  tray host; the window tree and the screen pixels both show it).

Timings: see docs/packaging.md (warm cache: about two minutes plus the build when sources
changed). Needs root and debootstrap; missing tools fail the test with the install step.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from openclaw_desktop.client.gateway_client import ClientOptions, GatewayClient

from .debian_root import DebianRoot, RootSetupError, require_root_tools

REPO = Path(__file__).resolve().parents[2]
APP_ENV = {"OPENCLAW_STATE_DIR": "/root/.openclaw", "XDG_RUNTIME_DIR": "/tmp"}
# Plugins that only load on desktops that have their toolkit (GTK theme integration).
OPTIONAL_LIBS = ("platformthemes/libqgtk3.so",)
IDLE_BLUE = (0x3B, 0x6F, 0xD8)


def built_deb() -> Path:
    if os.environ.get("OPENCLAW_DEB"):
        return Path(os.environ["OPENCLAW_DEB"])
    proc = subprocess.run([str(REPO / "scripts" / "build-deb.sh")], capture_output=True, text=True, timeout=1800,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return Path(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def deb() -> Path:
    path = built_deb()
    assert path.is_file() and path.suffix == ".deb"
    return path


@pytest.fixture(scope="module")
def installed(deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DebianRoot]:
    try:
        require_root_tools()
        root = DebianRoot.unpack(tmp_path_factory.mktemp("debian") / "root")
    except RootSetupError as exc:
        pytest.fail(str(exc))
    try:
        root.install_deb(deb)
        yield root
    finally:
        root.remove()


def test_package_metadata(deb: Path) -> None:
    info = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True).stdout
    fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", info, re.MULTILINE))
    assert fields["Package"] == "openclaw-desktop" and fields["Architecture"] == "amd64"
    assert fields["Version"] == "0.1.0" and fields["Section"] == "utils"
    depends = {d.split()[0] for d in fields["Depends"].split(", ")}
    assert {"libpython3.11", "libglib2.0-0", "libxcb-cursor0", "libportaudio2"} <= depends


def test_installed_layout(installed: DebianRoot) -> None:
    files = set(installed.run(["dpkg", "-L", "openclaw-desktop"]).stdout.splitlines())
    for expected in ("/usr/bin/openclaw-desktop", "/usr/share/applications/openclaw-desktop.desktop",
                     "/usr/share/icons/hicolor/256x256/apps/openclaw-desktop.png",
                     "/usr/share/man/man1/openclaw-desktop.1.gz", "/usr/share/doc/openclaw-desktop/copyright",
                     "/usr/share/metainfo/ai.openclaw.openclaw-desktop.metainfo.xml",
                     "/usr/lib/openclaw-desktop/app/openclaw_desktop/cli.py",
                     "/usr/lib/openclaw-desktop/app/openclaw_desktop/__pycache__/cli.cpython-311.pyc"):
        assert expected in files, expected
    assert not any("/PySide6/Qt/qml" in p or p.endswith("/PySide6/designer") for p in files)  # trimmed
    assert not any(p.endswith("/placeholder") for p in files)
    shipped = (installed.path / "usr/share/applications/openclaw-desktop.desktop").read_bytes()
    assert shipped == (REPO / "installers/linux/openclaw-desktop.desktop").read_bytes()
    assert "piper-tts" in (installed.path / "usr/share/doc/openclaw-desktop/copyright").read_text()  # third-party licences


def test_every_shared_library_resolves_in_a_clean_root(installed: DebianRoot) -> None:
    script = ("find /usr/lib/openclaw-desktop /usr/bin/openclaw-desktop -name '*.so*' -type f -o "
              "-name openclaw-desktop -type f | while read -r f; do "
              "ldd \"$f\" 2>/dev/null | grep 'not found' | sed \"s|^|$f: |\"; done")
    out = installed.run(["sh", "-c", script], timeout=600).stdout
    missing = [line for line in out.splitlines() if not any(opt in line for opt in OPTIONAL_LIBS)]
    assert missing == [], "\n".join(missing[:40])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen[str], timeout: float = 15) -> int:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode


async def ws_health(url: str, token: str) -> dict:
    opts = ClientOptions(token=token, client_id="cli", client_mode="cli", scopes=["operator.read"])
    async with GatewayClient.connect(url, opts) as client:
        return await client.call("health")


def test_installed_gateway_answers_health(installed: DebianRoot, tmp_path: Path) -> None:
    port, token = free_port(), "deb-smoke-token"
    log = (tmp_path / "gateway.log").open("w")
    proc = installed.popen(["openclaw-desktop", "gateway", "--port", str(port), "--token", token], APP_ENV,
                           stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "gateway.log").read_text()[-3000:]
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline, "the installed gateway did not answer /health in 60 s"
                time.sleep(0.2)
        assert json.loads(body)["ok"] is True
        health = asyncio.run(ws_health(f"ws://127.0.0.1:{port}", token))
        assert health["ok"] is True
    finally:
        assert stop(proc) == 0, (tmp_path / "gateway.log").read_text()[-3000:]


def start_tcp_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb listening on TCP loopback (the chroot has no /tmp/.X11-unix of the host)."""
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-listen", "tcp",
                             "-ac"], pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    os.close(write)
    with os.fdopen(read) as fh:
        number = fh.readline().strip()
    assert number, "Xvfb did not report a display number"
    return proc, number


def tray_icon_window(tree: str) -> tuple[int, int, int, int] | None:
    """Root-relative geometry of our window inside trayer's panel (``xwininfo -root -tree``)."""
    lines = tree.splitlines()
    for i, line in enumerate(lines):
        if '("panel" "trayer")' not in line:
            continue
        indent = len(line) - len(line.lstrip())
        for child in lines[i + 1:]:
            if child.strip() and len(child) - len(child.lstrip()) <= indent:
                break  # left the panel's subtree
            if '"openclaw-desktop"' in child or '"OpenClaw Desktop")' in child:
                match = re.search(r"(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)", child)
                if match:
                    w, h, x, y = map(int, match.groups())
                    return x, y, w, h
    return None


def pixels(display: str, x: int, y: int, w: int, h: int) -> list[tuple[int, int, int]]:
    out = subprocess.run(["import", "-display", display, "-window", "root", "-crop", f"{w}x{h}+{x}+{y}",
                          "txt:-"], capture_output=True, text=True, check=True, timeout=30).stdout
    return [tuple(int(v) for v in m.groups()) for m in re.finditer(r"\((\d+),(\d+),(\d+)", out)]


def test_installed_app_shows_its_tray_icon(installed: DebianRoot, tmp_path: Path) -> None:
    for tool, package in (("Xvfb", "xvfb"), ("trayer", "trayer"), ("xwininfo", "x11-utils"),
                          ("import", "imagemagick")):
        if shutil.which(tool) is None:
            pytest.fail(f"needs {tool} (apt package {package}); scripts/bootstrap.sh installs it as root")
    xvfb, number = start_tcp_xvfb()
    env = {**os.environ, "DISPLAY": f":{number}"}
    trayer = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                               "--height", "32", "--SetDockType", "true", "--transparent", "false",
                               "--tint", "0x2b2f36", "--distance", "0"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    log = (tmp_path / "app.log").open("w")
    app: subprocess.Popen[str] | None = None
    try:
        def tree() -> str:
            return subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True,
                                  timeout=10, check=True).stdout

        deadline = time.monotonic() + 10
        while '("panel" "trayer")' not in tree():
            assert time.monotonic() < deadline, "trayer did not start"
            time.sleep(0.05)
        started = time.monotonic()
        app = installed.popen(["openclaw-desktop"], {**APP_ENV, "DISPLAY": f"127.0.0.1:{number}",
                                                     "QT_QPA_PLATFORM": "xcb"}, stdout=log, stderr=subprocess.STDOUT)
        geometry = None
        while geometry is None:
            assert app.poll() is None, (tmp_path / "app.log").read_text()[-3000:]
            assert time.monotonic() - started < 60, f"no tray icon after 60 s:\n{tree()}"
            geometry = tray_icon_window(tree())
            time.sleep(0.1)
        shown_after = time.monotonic() - started
        x, y, w, h = geometry
        assert x > 1280 - 100 and y < 32 and w > 8 and h > 8  # in trayer's panel, top right
        deadline = time.monotonic() + 10
        while not any(all(abs(a - b) < 30 for a, b in zip(px, IDLE_BLUE, strict=True))
                      for px in pixels(env["DISPLAY"], x, y, w, h)):
            assert time.monotonic() < deadline, "the tray icon window never showed the blue idle icon"
            time.sleep(0.2)
        print(f"tray icon shown {shown_after:.1f} s after launch in the clean root")
    finally:
        if app is not None:
            assert stop(app) == 0, (tmp_path / "app.log").read_text()[-3000:]
        stop(trayer)  # type: ignore[arg-type]
        stop(xvfb)  # type: ignore[arg-type]
