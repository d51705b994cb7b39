"""``openclaw-desktop voice`` in-process: a real gateway, the fake Anthropic server, fake
audio engines, JSON lines on stdout, and shutdown by SIGTERM."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal

import pytest

from openclaw_desktop.cli import build_parser
from openclaw_desktop.config.service import Overrides
from openclaw_desktop.voice.headless import INSTALL_HINT, run_voice
from openclaw_desktop.voice.settings import VoiceSettings
from tests.conftest import TOKEN
from tests.support.anthropic_script import Text, Turn
from tests.support.fake_anthropic import FakeAnthropic
from tests.voice.world import FAST, FakeEngines, World


@pytest.fixture
async def api(monkeypatch):
    async with FakeAnthropic() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        yield server


class Run:
    """``run_voice`` as a task, its output parsed line by line."""

    def __init__(self, paths, world: World) -> None:
        self.world = world
        self.out, self.err = io.StringIO(), io.StringIO()
        self.settings: list[VoiceSettings] = []
        self.engines = FakeEngines(world)

        def factory(settings: VoiceSettings) -> FakeEngines:
            self.settings.append(settings)
            return self.engines

        self.task = asyncio.create_task(run_voice(paths, Overrides(port=0, token=TOKEN), out=self.out,
                                                  err=self.err, engines=factory, options=FAST))

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.out.getvalue().splitlines()]

    def types(self) -> list[str]:
        return [line["type"] for line in self.lines()]

    async def wait_for(self, type_name: str, timeout_s: float = 30) -> None:
        async with asyncio.timeout(timeout_s):
            while type_name not in self.types():
                if self.task.done():
                    raise AssertionError(f"ended early: {self.err.getvalue()}")
                await asyncio.sleep(0.01)

    async def terminate(self) -> int:
        os.kill(os.getpid(), signal.SIGTERM)
        return await asyncio.wait_for(self.task, 15)


async def test_one_json_line_per_event_and_an_orderly_shutdown_on_sigterm(paths, api):
    api.push(Turn([Text(["Sure. ", "It is noon ", "in Paris."], delay_s=0.2)]))
    world = World()
    run = Run(paths, world)
    await run.wait_for("listening")
    assert run.types() == ["listening"]  # the first line, once the microphone is open
    await world.say("hey", "jarvis", "what", "time", "is", "it")
    await world.until(lambda: "speaking_stopped" in run.types(), max_frames=2_000)
    assert await run.terminate() == 0
    lines = run.lines()
    assert [line["type"] for line in lines] == [
        "listening", "wake", "chime", "capturing", "transcribing", "transcript", "chime", "thinking",
        "reply_delta", "speaking_started", "reply_delta", "reply_delta", "reply_done", "speaking_started",
        "speaking_stopped", "listening", "stopped"]
    by_type = {line["type"]: line for line in lines}
    assert by_type["wake"]["phrase"] == "hey jarvis" and by_type["wake"]["stage"] == "wake_detected"
    assert by_type["transcript"]["command"] == "what time is it"
    assert [line["text"] for line in lines if line["type"] == "speaking_started"] == ["Sure.", "It is noon in Paris."]
    assert "".join(line["text"] for line in lines if line["type"] == "reply_delta") == "Sure. It is noon in Paris."
    times = [line["t"] for line in lines]
    assert times == sorted(times) and times[0] >= 0
    assert api.requests[0]["messages"][-1]["content"][0]["text"] == "what time is it"
    assert run.engines.closed == 1 and world.mic.on_frame is None  # devices released
    assert run.settings[0].wake.enabled  # listening, although the config does not switch it on
    assert "gateway on ws://127.0.0.1:" in run.err.getvalue()


async def test_barge_in_is_printed_and_aborts_the_agent_run(paths, api):
    api.push(Turn([Text(["This is a long answer. "] + ["It goes on. "] * 60, delay_s=0.05)]))
    world = World()
    run = Run(paths, world)
    await run.wait_for("listening")
    await world.say("hey", "jarvis", "talk")
    await world.until(lambda: "speaking_started" in run.types(), max_frames=2_000)
    await world.say("stop")
    await world.until(lambda: run.types().count("listening") == 2, max_frames=500)
    assert await run.terminate() == 0
    types = run.types()
    i = types.index("barge_in")
    assert types[i:i + 3] == ["barge_in", "speaking_stopped", "reply_done"]
    assert run.lines()[i + 2]["aborted"] is True
    assert await api.wait_for_disconnects_async(1)  # chat.abort closed the model stream


async def test_engines_that_cannot_load_are_a_clear_error(paths):
    def factory(_settings: VoiceSettings) -> FakeEngines:
        raise ImportError("No module named 'faster_whisper'")

    err = io.StringIO()
    assert await run_voice(paths, Overrides(port=0, token=TOKEN), out=io.StringIO(), err=err, engines=factory) == 1
    assert INSTALL_HINT in err.getvalue() and "faster_whisper" in err.getvalue()


async def test_a_bad_voice_config_names_the_key(paths):
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    paths.config_path.write_text('{"voice": {"silence_timeout_ms": "long"}}')
    err = io.StringIO()
    assert await run_voice(paths, Overrides(port=0, token=TOKEN), out=io.StringIO(), err=err) == 1
    assert "voice.silence_timeout_ms" in err.getvalue() and "must be an integer" in err.getvalue()


def test_the_voice_subcommand_parses():
    args = build_parser().parse_args(["voice", "--port", "0", "--levels"])
    assert (args.subcommand, args.port, args.levels) == ("voice", 0, True)
