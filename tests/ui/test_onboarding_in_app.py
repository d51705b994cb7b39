"""The first-run onboarding in the tray app: shown once the hosted gateway is reachable on
a fresh state folder (decided before the gateway writes its config), recorded when
finished, not shown again; quitting half-way does not count as having run it. In-process
against a real gateway (offscreen Qt), and the real ``openclaw-desktop app`` process."""

from __future__ import annotations

import json
import queue
import threading
import time

from openclaw_desktop.config import store
from openclaw_desktop.ui.onboarding import needs_onboarding
from tests.ui.app_process import AppProcess, spawn_app
from tests.ui.qt_async import run, until
from tests.ui.test_desktop_app import Apps, connected


def finished_config() -> str:
    return json.dumps({"wizard": {"lastRunAt": "2026-01-02T03:04:05.000Z", "lastRunVersion": "0.1.0",
                                  "lastRunCommand": "desktop-onboarding", "lastRunMode": "local"}})


def wait_for_line(app: AppProcess, needle: str, timeout: float = 30.0) -> str:
    """Read the app's stdout (in a thread: readline blocks) until a line contains ``needle``."""
    lines: queue.Queue[str] = queue.Queue()
    assert app.proc.stdout is not None
    stdout = app.proc.stdout

    def pump() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            if app.proc.poll() is not None:
                break
            continue
        app.lines.append(line)
        if needle in line:
            return line
    app.kill()
    raise AssertionError(f"no {needle!r} from the app:\n" + "".join(app.lines) + app.stderr())


def test_first_run_shows_the_introduction_once_and_finishing_records_it(qloop, paths):
    assert not paths.config_path.exists()
    due = needs_onboarding(paths.config_path)  # as desktop_app.main does, before the gateway starts
    assert due is True

    async def go() -> None:
        async with Apps(paths) as apps:
            app = await connected(apps(first_run=due))
            wizard = await until(lambda: app.onboarding.window, timeout=20, what="the introduction")
            assert wizard.isVisible() and wizard.windowTitle() == "Welcome to OpenClaw Desktop"
            assert needs_onboarding(paths.config_path)  # not recorded before it ends
            finished: list[dict] = []
            wizard.finished_onboarding.connect(finished.append)
            while wizard.index < len(wizard.steps) - 1:
                wizard.skip_button.click()
            wizard.next_button.click()  # Finish
            await until(lambda: finished, what="finished")
            assert not wizard.isVisible()
            assert store.load(paths.config_path).parsed["wizard"]["lastRunCommand"] == "desktop-onboarding"
            assert finished[0]["ai"] == "skipped"
        assert not needs_onboarding(paths.config_path)
        async with Apps(paths) as apps:  # the next start: no introduction
            app = await connected(apps(first_run=needs_onboarding(paths.config_path)))
            await until(lambda: not app.busy, what="listings")
            assert app.onboarding.window is None

    run(qloop, go(), timeout=60)


def test_quitting_during_the_introduction_does_not_record_it(qloop, paths):
    async def go() -> None:
        async with Apps(paths) as apps:
            app = await connected(apps(first_run=True))
            wizard = await until(lambda: app.onboarding.window, timeout=20, what="the introduction")
            wizard.skip_button.click()
            app.request_quit("test")
            await until(lambda: app.closed, what="quit")
            assert not wizard.isVisible()
        assert needs_onboarding(paths.config_path)  # offered again next time

    run(qloop, go(), timeout=60)


def test_the_app_process_shows_it_on_a_fresh_state_folder_only(tmp_path):
    app = spawn_app(tmp_path / "fresh").wait_ready()
    try:
        assert wait_for_line(app, "first run") == "openclaw-desktop: first run: showing the introduction\n"
    finally:
        assert app.stop() == 0

    done = tmp_path / "done"
    done.mkdir()
    (done / "openclaw.json").write_text(finished_config())
    app = spawn_app(done).wait_ready()
    assert app.stop() == 0
    assert "first run" not in app.rest_of_stdout()
