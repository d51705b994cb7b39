"""The voice pipeline with fake engines: the whole event sequence of each scenario."""

from __future__ import annotations

import asyncio

import pytest

from openclaw_desktop.voice import events as ev
from openclaw_desktop.voice.events import ErrorCode, Stage
from openclaw_desktop.voice.pipeline import SORRY_NO_COMMAND, PipelineOptions
from openclaw_desktop.voice.responder import ReplyError
from tests.voice.fakes import FRAME_S, ScriptedReply, frame_of
from tests.voice.world import World, settings

_KEYS = {"listening": "talk_mode", "wake": "source", "wake_rejected": "transcript", "chime": "name",
         "transcript": "command", "thinking": "command", "reply_delta": "text", "speaking_started": "text",
         "speaking_stopped": "reason", "no_command": "reason", "device_missing": "kind", "device_ready": "kind",
         "error": "code", "reply_done": "aborted", "talk_mode_ended": "reason", "frames_dropped": "total"}


def seq(world: World) -> list[tuple[str, object] | str]:
    """The events as (type, its most telling field) — or just the type."""
    out: list[tuple[str, object] | str] = []
    for event in world.events.events:
        if event.type == "level":
            continue
        key = _KEYS.get(event.type)
        out.append((event.type, str(getattr(event, key)) if key else None) if key else event.type)
    return out


async def test_wake_command_and_a_reply_spoken_sentence_by_sentence_while_it_streams():
    async with World() as w:
        # The second delta is held until the first sentence plays: proof that speech starts
        # while the reply is still streaming.
        w.responder.script.append(ScriptedReply(["It is noon. The", " sun is out."], gates={1: w.spoken(1)}))
        await w.silence(3)
        await w.say("hey", "jarvis", "what", "time", "is", "it")
        await w.until_event("listening", 2)
    assert seq(w) == [
        ("listening", "False"),
        ("wake", "wake_word"), ("chime", "wake"), "capturing", "transcribing",
        ("transcript", "what time is it"), ("chime", "send"), ("thinking", "what time is it"),
        ("reply_delta", "It is noon. The"), ("speaking_started", "It is noon."),
        ("reply_delta", " sun is out."), ("reply_done", "False"), ("speaking_started", "The sun is out."),
        ("speaking_stopped", "done"), ("listening", "False"), "stopped",
    ]
    wake = w.events.of(ev.WakeDetected)[0]
    assert (wake.phrase, wake.score, wake.transcript) == ("hey jarvis", 0.99, "hey jarvis what")
    assert w.events.of(ev.TranscriptReady)[0].text == "hey jarvis what time is it"
    assert w.responder.commands == ["what time is it"] and w.responder.finished == ["what time is it"]
    assert w.tts.texts == ["It is noon.", "The sun is out."]
    chimes = w.pipeline.chimes
    assert chimes is not None
    assert [size for size, _ in w.speaker.played[:2]] == [chimes.wake.audio.size, chimes.send.audio.size]
    assert w.pipeline.stage is Stage.STOPPED and w.mic.closes >= 1


async def test_a_wake_with_no_command_times_out_politely():
    async with World(settings(no_speech_timeout_ms=1_000)) as w:
        await w.say("hey", "jarvis")
        await w.until_event("listening", 2)
    assert seq(w) == [
        ("listening", "False"), ("wake", "wake_word"), ("chime", "wake"), "capturing",
        ("no_command", "timeout"), ("speaking_started", SORRY_NO_COMMAND), ("speaking_stopped", "done"),
        ("listening", "False"), "stopped",
    ]
    assert w.responder.commands == []


async def test_the_near_miss_hey_travis_is_rejected_by_the_transcript_check():
    async with World() as w:
        await w.say("hey", "travis", "how", "are", "you")
        await w.until_event("wake_rejected")
        await w.silence(15)
        # ...and the real phrase still works afterwards.
        await w.say("hey", "jarvis", "hello")
        await w.until_event("listening", 2)
    assert seq(w)[:2] == [("listening", "False"), ("wake_rejected", "hey travis how")]
    rejected = w.events.of(ev.WakeRejected)[0]
    assert (rejected.phrase, rejected.score) == ("hey jarvis", 0.91)
    assert seq(w)[2:4] == [("wake", "wake_word"), ("chime", "wake")]
    assert w.responder.commands == ["hello"]


async def test_without_the_transcript_check_a_near_miss_would_wake():
    async with World(settings(wake_confirm=False)) as w:
        await w.say("hey", "travis")
        await w.until_event("capturing")
    assert w.events.count("wake_rejected") == 0 and w.events.count("wake") == 1


async def test_a_trigger_word_without_an_acoustic_model_wakes_from_the_transcript():
    async with World(triggers=["openclaw", "computer"]) as w:
        await w.say("computer", "what", "time", "is", "it")
        await w.until_event("listening", 2)
    assert seq(w) == [
        ("listening", "False"), ("wake", "trigger"), ("chime", "wake"), ("transcript", "what time is it"),
        ("chime", "send"), ("thinking", "what time is it"), ("reply_delta", "You said what time is it."),
        ("reply_done", "False"), ("speaking_started", "You said what time is it."), ("speaking_stopped", "done"),
        ("listening", "False"), "stopped",
    ]
    assert w.events.of(ev.WakeDetected)[0].phrase == "computer"


async def test_a_trigger_alone_then_the_command_after_a_pause():
    async with World(triggers=["computer"]) as w:
        await w.say("computer")
        await w.until_event("capturing")
        await w.say("lights", "on")
        await w.until_event("listening", 2)
    assert seq(w)[:6] == [("listening", "False"), ("wake", "trigger"), ("chime", "wake"), "capturing",
                          "transcribing", ("transcript", "lights on")]
    assert w.responder.commands == ["lights on"]


async def test_triggers_apply_without_restart_and_must_start_the_utterance():
    async with World(triggers=["computer"]) as w:
        await w.say("my", "computer", "is", "slow")  # mentioned, not addressed
        await w.silence(15)
        await w.say("ordinateur", "allume")  # not a trigger yet
        await w.silence(15)
        w.triggers = ["Ordinateur", "コンピューター"]  # as after voicewake.changed
        await w.say("ordinateur", "allume", "la", "lumière")
        await w.until_event("listening", 2)
        await w.say("コンピューター", "今何時")
        await w.until_event("listening", 3)
    assert [e.phrase for e in w.events.of(ev.WakeDetected)] == ["Ordinateur", "コンピューター"]
    assert w.responder.commands == ["allume la lumière", "今何時"]


async def test_talk_mode_listens_again_without_the_wake_word_then_times_out():
    async with World(settings(talk_mode=True, talk_timeout_ms=1_000)) as w:
        await w.say("hey", "jarvis", "weather")
        await w.until_event("listening", 2)
        await w.say("and", "tomorrow")
        await w.until_event("talk_mode_ended")
    assert seq(w) == [
        ("listening", "False"), ("wake", "wake_word"), ("chime", "wake"), "capturing", "transcribing",
        ("transcript", "weather"), ("chime", "send"), ("thinking", "weather"), ("reply_delta", "You said weather."),
        ("reply_done", "False"), ("speaking_started", "You said weather."), ("speaking_stopped", "done"),
        ("listening", "True"),
        "capturing", "transcribing", ("transcript", "and tomorrow"), ("chime", "send"),
        ("thinking", "and tomorrow"), ("reply_delta", "You said and tomorrow."), ("reply_done", "False"),
        ("speaking_started", "You said and tomorrow."), ("speaking_stopped", "done"), ("listening", "True"),
        ("talk_mode_ended", "timeout"), ("listening", "False"), "stopped",
    ]
    assert w.responder.commands == ["weather", "and tomorrow"]


async def test_barge_in_stops_playback_within_300_ms_and_cancels_the_reply():
    async with World() as w:
        never = ScriptedReply(["The first sentence is long enough to talk over. ", "The rest never comes."],
                              gates={1: lambda: False})
        w.responder.script.append(never)
        await w.say("hey", "jarvis", "tell", "me", "a", "story")
        await w.until_event("speaking_started")
        await w.silence(6)  # only our own echo: the canceller removes it, no barge-in
        assert w.events.count("barge_in") == 0
        first_speech_frame = w.frame_no + 1
        await w.say("stop")
        await w.until_event("listening", 2)
    assert seq(w)[9:] == [
        ("speaking_started", "The first sentence is long enough to talk over."), "barge_in",
        ("speaking_stopped", "barge_in"), ("reply_done", "True"), "capturing", "transcribing",
        ("transcript", "stop"), ("listening", "False"), "stopped",
    ]
    assert w.responder.aborted == ["tell me a story"]
    assert w.responder.commands == ["tell me a story"]  # "stop" is not sent to the agent
    stopped_at = w.stop_frames[0]
    assert (stopped_at - first_speech_frame + 1) * FRAME_S * 1000 <= 300
    assert w.events.of(ev.BargeIn)[0].frames == 2
    assert not w.speaker.busy


async def test_what_the_user_says_over_the_reply_becomes_the_next_command():
    async with World() as w:
        w.responder.script.append(ScriptedReply(["A very long answer that goes on and on. "] * 3))
        await w.say("hey", "jarvis", "explain")
        await w.until_event("speaking_started")
        await w.say("actually", "what", "time", "is", "it")
        await w.until_event("listening", 2)
    assert w.responder.commands == ["explain", "actually what time is it"]
    assert w.events.count("barge_in") == 1


async def test_without_an_echo_canceller_our_own_voice_would_barge_in():
    async with World(echo=False) as w:
        await w.say("hey", "jarvis", "explain")
        await w.until_event("speaking_started")
        await w.until_event("barge_in", max_frames=10)


async def test_push_to_talk_without_the_wake_word():
    async with World(settings(wake_enabled=False)) as w:
        await w.say("hey", "jarvis", "ignored")  # no passive listening at all
        await w.silence(12)
        assert w.events.count("wake") == 0
        assert w.pipeline.push_to_talk()
        await w.say("what", "time")
        await w.until_event("listening", 2)
    assert seq(w)[:6] == [("listening", "False"), ("wake", "push_to_talk"), ("chime", "wake"), "capturing",
                          "transcribing", ("transcript", "what time")]
    assert w.responder.commands == ["what time"]


async def test_push_to_talk_release_ends_the_command_at_once():
    async with World() as w:
        w.pipeline.push_to_talk()
        await w.say("lights", "off")
        w.pipeline.release_push_to_talk()
        await w.until_event("listening", 2)
    assert w.responder.commands == ["lights off"]
    assert seq(w)[4:6] == ["transcribing", ("transcript", "lights off")]


async def test_push_to_talk_interrupts_a_reply():
    async with World() as w:
        w.responder.script.append(ScriptedReply(["One. ", "Two. "], gates={1: lambda: False}))
        await w.say("hey", "jarvis", "count")
        await w.until_event("speaking_started")
        w.pipeline.push_to_talk()
        await w.say("stop", "counting")
        await w.until_event("listening", 2)
    assert w.responder.aborted == ["count"] and w.responder.commands == ["count", "stop counting"]
    i = seq(w).index(("wake", "push_to_talk"))
    assert seq(w)[i - 2:i + 3] == [("speaking_stopped", "stopped"), ("reply_done", "True"),
                                   ("wake", "push_to_talk"), ("chime", "wake"), "capturing"]


async def test_a_missing_microphone_is_a_state_and_is_retried_until_it_appears():
    w = World()
    w.mic.missing = 2
    async with w:
        await w.wait(lambda: w.events.count("listening") == 1)
        await w.say("hey", "jarvis", "hi")
        await w.until_event("listening", 2)
    assert seq(w)[:3] == [("device_missing", "input"), ("device_ready", "input"), ("listening", "False")]
    assert w.events.of(ev.DeviceMissing)[0].stage is Stage.DEVICE_MISSING
    assert w.mic.opens == 3 and w.responder.commands == ["hi"]


async def test_a_microphone_that_goes_silent_is_reopened():
    options = PipelineOptions(device_retry_s=0.02, input_stall_s=0.2, playback_poll_s=0.005)
    async with World(options=options) as w:
        w.mic.missing = 1  # unplugged: it stops delivering and the next open fails
        await w.wait(lambda: w.events.count("listening") == 2, timeout_s=5)
    assert seq(w)[:4] == [("listening", "False"), ("device_missing", "input"), ("device_ready", "input"),
                          ("listening", "False")]
    assert w.mic.opens == 3


async def test_a_missing_speaker_still_shows_the_reply_and_is_retried():
    w = World()
    w.speaker.missing = True
    async with w:
        await w.say("hey", "jarvis", "hello")
        await w.until_event("listening", 2)
        w.speaker.missing = False
        await w.wait(lambda: w.events.count("device_ready") == 1)
    assert seq(w) == [
        ("listening", "False"), ("wake", "wake_word"), ("device_missing", "output"), "capturing",
        "transcribing", ("transcript", "hello"), ("thinking", "hello"), ("reply_delta", "You said hello."),
        ("reply_done", "False"), ("listening", "False"), ("device_ready", "output"), "stopped",
    ]
    assert w.events.of(ev.DeviceMissing)[0].stage is None  # still listening without a speaker
    assert w.tts.texts == []  # nothing synthesised for a missing speaker


async def test_queue_overflow_drops_the_oldest_frames_and_counts_them():
    options = PipelineOptions(queue_frames=8, device_retry_s=0.02, playback_poll_s=0.005)
    async with World(options=options) as w:
        assert w.mic.on_frame is not None
        for code in range(1, 21):  # 20 frames while the loop cannot run: 12 dropped
            w.mic.on_frame(frame_of(code))
        await w.wait(lambda: w.events.count("frames_dropped") == 1)
        await w.silence(2)
    assert w.pipeline.queue.dropped == 12
    assert w.events.of(ev.FramesDropped)[0].total == 12
    assert w.echo is not None and w.echo.frames == 8 + 2  # the 8 newest made it


async def test_pause_discards_audio_and_resume_listens_again():
    async with World() as w:
        w.pipeline.pause()
        await w.say("hey", "jarvis", "hello")
        await w.silence(12)
        w.pipeline.resume()
        await w.say("hey", "jarvis", "hi")
        await w.until_event("listening", 3)
    assert seq(w)[:4] == [("listening", "False"), "paused", ("listening", "False"), ("wake", "wake_word")]
    assert w.responder.commands == ["hi"]


async def test_pause_while_speaking_stops_playback_and_aborts():
    async with World() as w:
        w.responder.script.append(ScriptedReply(["One. ", "Two. "], gates={1: lambda: False}))
        await w.say("hey", "jarvis", "count")
        await w.until_event("speaking_started")
        w.pipeline.pause()
        await w.silence(3)
    assert seq(w)[-5:] == [("speaking_started", "One."), ("speaking_stopped", "stopped"),
                           ("reply_done", "True"), "paused", "stopped"]
    assert w.responder.aborted == ["count"] and not w.speaker.busy


async def test_stop_speaking_returns_to_listening():
    async with World() as w:
        w.responder.script.append(ScriptedReply(["One. ", "Two. "], gates={1: lambda: False}))
        await w.say("hey", "jarvis", "count")
        await w.until_event("speaking_started")
        w.pipeline.stop_speaking()
        await w.silence(2)
    assert seq(w)[-5:] == [("speaking_started", "One."), ("speaking_stopped", "stopped"),
                           ("reply_done", "True"), ("listening", "False"), "stopped"]


async def test_a_recogniser_failure_is_reported_and_apologised_for():
    async with World(settings(wake_confirm=False)) as w:
        w.stt.fail = True
        await w.say("hey", "jarvis", "hello")
        await w.until_event("listening", 2)
    assert seq(w)[4:] == ["transcribing", ("error", "stt_failed"),
                          ("speaking_started", "Sorry, I couldn't understand that."), ("speaking_stopped", "done"),
                          ("listening", "False"), "stopped"]


@pytest.mark.parametrize(("code", "apology"), [
    (ErrorCode.REPLY_FAILED, "Sorry, something went wrong with the answer."),
    (ErrorCode.GATEWAY_UNAVAILABLE, "Sorry, I can't reach the assistant right now."),
])
async def test_a_reply_error_is_reported_and_apologised_for(code, apology):
    async with World() as w:
        w.responder.script.append(ScriptedReply([], error=ReplyError(code, "no model configured")))
        await w.say("hey", "jarvis", "hello")
        await w.until_event("listening", 2)
    assert seq(w)[-6:] == [("thinking", "hello"), ("error", str(code)), ("speaking_started", apology),
                           ("speaking_stopped", "done"), ("listening", "False"), "stopped"]
    assert w.events.of(ev.PipelineError)[0].message == "no model configured"


async def test_levels_feed_the_overlay_waveform_when_asked():
    options = PipelineOptions(levels=True, device_retry_s=0.02, playback_poll_s=0.005)
    async with World(options=options) as w:
        await w.say("hey")
        await w.silence(1)
    levels = w.events.of(ev.AudioLevel)
    assert len(levels) == 4 and {lv.source for lv in levels} == {"mic"}
    assert levels[0].rms > 0 and levels[-1].rms == 0


async def test_cancelling_the_run_ends_it_with_stopped_and_propagates():
    w = World()
    w.task = asyncio.create_task(w.pipeline.run())
    await w.wait(lambda: w.mic.on_frame is not None)
    w.task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await w.task
    assert w.events.types()[-1] == "stopped" and w.mic.closes == 1


async def test_a_failing_event_listener_does_not_stop_the_pipeline():
    w = World()
    calls = []

    def broken(event: ev.VoiceEvent) -> None:
        calls.append(event.type)
        raise RuntimeError("UI bug")

    w.pipeline.on_event = broken
    async with w:
        await w.say("hey", "jarvis", "hello")
        await w.until(lambda: "thinking" in calls)
    assert w.responder.commands == ["hello"]



async def test_an_earlier_mention_in_the_pre_roll_is_not_taken_for_the_wake():
    async with World() as w:
        w.wake.patience = 2
        await w.say("jarvis", frames=1)  # too short for the model: it does not fire
        await w.silence(2)
        await w.say("hey", "jarvis", "what", "time")
        await w.until_event("listening", 2)
    assert w.events.of(ev.WakeDetected)[0].transcript == "jarvis hey jarvis what"
    assert w.events.of(ev.TranscriptReady)[0].command == "what time"


async def test_with_headphones_barge_in_listens_past_the_canceller():
    # No echo reaches the microphone, and the canceller (not having learned an echo path)
    # muffles the user during playback: the pipeline notices and uses the raw signal.
    async with World(headphones=True) as w:
        w.responder.script.append(ScriptedReply(["A long answer that goes on and on and on. "] * 3))
        await w.say("hey", "jarvis", "explain")
        await w.until_event("speaking_started")
        await w.silence(4)
        await w.say("stop")
        await w.until_event("listening", 2)
    assert w.events.count("barge_in") == 1
    assert w.events.of(ev.TranscriptReady)[-1].text == "stop"
