"""The chat window on a real (virtual) display, for the screenshot test; run as a child process.

``python chat_scene.py STATE_DIR`` on an Xvfb display: a real gateway (port 0) whose model
is the fake Anthropic server, a real ``GatewayLink``, and a ``ChatWindow`` on a qasync loop
(as in the app). It holds a short conversation and saves, into ``artifacts/screenshots/``:

* ``chat-window``: mid-reply, after a tool call, with the reply still streaming;
* ``chat-approval``: a command waiting for approval inline, with its "Open approval" button;

then prints one JSON line of facts (what the rows showed at each shot) and shuts down in
order. Needs ``QT_QPA_PLATFORM=xcb`` and ``DISPLAY``.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from shots import run_scene, save_screenshot

from openclaw_desktop.app import build_gateway
from openclaw_desktop.chat_view.items import AssistantText
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.remote.link import GatewayLink
from openclaw_desktop.ui.chat.rows import ApprovalRow, NoteRow, TextRow, ToolRow
from openclaw_desktop.ui.chat.window import ChatWindow
from tests.support.anthropic_script import Text, ToolUse, Turn
from tests.support.fake_anthropic import FakeAnthropic

TOKEN = "testtoken"


async def until(condition, timeout: float = 20.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := condition()):
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
    return value


def describe(window: ChatWindow) -> list[list[str]]:
    out: list[list[str]] = []
    for row in window.view.rows:
        if isinstance(row, TextRow):
            out.append([row.objectName(), row.header.text(), row.text])
        elif isinstance(row, ToolRow):
            out.append(["toolRow", row.name.text(), row.args.text(), row.status.text()])
        elif isinstance(row, ApprovalRow):
            out.append(["approvalRow", row.title.text(), row.command.text(),
                        "open" if row.open_button.isVisible() else ""])
        elif isinstance(row, NoteRow):
            out.append([row.objectName(), row.text])
    return out


def streaming(window: ChatWindow) -> bool:
    items = window.transcript.items
    return bool(items) and isinstance(items[-1], AssistantText) and items[-1].streaming and \
        len(items[-1].text) > 40


async def scene(state_dir: Path) -> dict:
    facts: dict = {}
    paths = StatePaths(state_dir, state_dir / "openclaw.json")
    state_dir.mkdir(parents=True, exist_ok=True)
    async with FakeAnthropic() as api:
        os.environ.update(ANTHROPIC_API_KEY="sk-test", ANTHROPIC_BASE_URL=api.base_url)
        gateway = await build_gateway(paths, Overrides(port=0, token=TOKEN), log_to_file=False)
        (gateway.exec_service.workspace / "shopping.md").write_text("- oat milk\n- eggs\n- coffee beans\n")
        link = GatewayLink(gateway.url, state_dir / "desktop", token=TOKEN)
        window: ChatWindow | None = None
        try:
            await link.start()
            await link.wait_connected()
            window = ChatWindow(link)
            window.resize(760, 640)
            window.show()
            await until(lambda: not window.loading, what="history")

            api.push(Turn([Text(["Let me ", "check your ", "notes."], delay_s=0.05),
                           ToolUse("toolu_1", "read", {"path": "shopping.md"})]))
            reply = ("You need three things: oat milk, eggs and coffee beans. The coffee is the one you "
                     "marked last week, so it is probably the most urgent.")
            api.push(Turn([Text([w + " " for w in reply.split()], delay_s=0.12)]))
            window.composer.setPlainText("What's on my shopping list?")
            window.send(window.composer.toPlainText())
            await until(lambda: streaming(window), what="the reply streaming after the tool call")
            await asyncio.sleep(0.3)
            facts["mid_stream"] = describe(window)
            save_screenshot(window, "chat-window")
            await until(lambda: not window.transcript.running, what="the first reply")

            api.push(Turn([ToolUse("toolu_2", "exec", {"command": "rm -rf build/"})]))
            api.push(Turn([Text("Understood, I left the build folder alone.")]))
            window.send("Please clean up the build folder")
            await until(lambda: any(isinstance(r, ApprovalRow) for r in window.view.rows), what="the approval row")
            await asyncio.sleep(0.3)
            facts["approval"] = describe(window)
            save_screenshot(window, "chat-approval")
            approval_id = window.transcript.items[-1].approval_id  # type: ignore[union-attr]
            await link.call("exec.approval.resolve", {"id": approval_id, "decision": "deny"})
            await until(lambda: not window.transcript.running, what="the second reply")
            facts["end"] = describe(window)
        finally:
            if window is not None:
                await window.shutdown()
                window.close()
            await link.close()
            await gateway.close()
    return facts


if __name__ == "__main__":
    sys.exit(run_scene(scene))
