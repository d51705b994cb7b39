"""The talk overlay's view-model: event sequences in, what the overlay shows out."""

from __future__ import annotations

import pytest

from openclaw_desktop.voice.events import (
    AudioLevel,
    BargeIn,
    Capturing,
    Chime,
    DeviceMissing,
    DeviceReady,
    ErrorCode,
    FramesDropped,
    Listening,
    NoCommand,
    Paused,
    PipelineError,
    ReplyDelta,
    ReplyDone,
    SpeakingStarted,
    SpeakingStopped,
    Stage,
    Stopped,
    TalkModeEnded,
    Thinking,
    Transcribing,
    TranscriptReady,
    VoiceEvent,
    WakeDetected,
    WakeRejected,
    WakeSource,
)
from openclaw_desktop.voice.overlay_model import (
    Change,
    LevelHistory,
    OverlayModel,
    level_height,
    tail_text,
)

WAKE = WakeDetected(source=WakeSource.WAKE_WORD, phrase="hey jarvis", score=0.9)
HEARD = TranscriptReady(text="Hey Jarvis, what time is it?", command="what time is it?")
TURN: list[VoiceEvent] = [Listening(), WAKE, Chime(name="wake"), Capturing(),
                          Transcribing(audio_s=1.8), HEARD, Chime(name="send"), Thinking(command="what time is it?")]
REPLY: list[VoiceEvent] = [ReplyDelta(text="It is "), ReplyDelta(text="ten past three. "),
                           SpeakingStarted(text="It is ten past three.", index=0), ReplyDelta(text="Anything else?")]


def fold(events: list[VoiceEvent], **kw) -> OverlayModel:
    model = OverlayModel(**kw)
    for event in events:
        model.apply(event)
    return model


# (name, events, expected view fields)
SCENARIOS = [
    ("fresh model", [],
     {"stage": Stage.LISTENING, "label": "Listening", "hint": "Say “hey jarvis”", "transcript": "", "reply": "",
          "notice": "", "wave_source": "mic", "talk_mode": False}),
    ("listening in talk mode", [Listening(talk_mode=True)],
     {"label": "Listening", "hint": "Go ahead, I'm listening", "talk_mode": True}),
    ("talk mode times out back to the wake word", [Listening(talk_mode=True), TalkModeEnded(), Listening()],
     {"hint": "Say “hey jarvis”", "talk_mode": False}),
    ("wake", [Listening(), WAKE], {"stage": Stage.WAKE_DETECTED, "label": "Yes?", "wave_source": "mic"}),
    ("the wake segment's transcript shows while the command is captured",
     [Listening(), WakeDetected(source=WakeSource.TRIGGER, phrase="computer", transcript=" Computer, "), Capturing()],
     {"stage": Stage.CAPTURING, "transcript": "Computer,"}),
    ("capturing", [Listening(), WAKE, Capturing()],
     {"stage": Stage.CAPTURING, "label": "Listening to you", "hint": "Pause when you're done", "wave_source": "mic"}),
    ("transcribing has no live wave", TURN[:5],
     {"stage": Stage.TRANSCRIBING, "label": "Transcribing", "transcript": "", "wave_source": None}),
    ("transcript shows what was heard", TURN[:6],
     {"stage": Stage.TRANSCRIBING, "transcript": "Hey Jarvis, what time is it?"}),
    ("thinking keeps the transcript", TURN,
     {"stage": Stage.THINKING, "label": "Thinking", "transcript": "Hey Jarvis, what time is it?", "reply": "",
          "wave_source": None}),
    ("thinking without a transcript event shows the command", [Listening(), Capturing(), Thinking(command="hi")],
     {"transcript": "hi"}),
    ("reply streams in while the first sentence is spoken", TURN + REPLY,
     {"stage": Stage.SPEAKING, "label": "Speaking", "hint": "Double-click to stop", "wave_source": "playback",
          "reply": "It is ten past three. Anything else?", "speaking": "It is ten past three.", "reply_stopped": False}),
    ("reply done replaces the deltas with the whole text", TURN + REPLY + [ReplyDone(text="It is 3:10. Anything else?")],
     {"reply": "It is 3:10. Anything else?"}),
    ("playback ends, talk mode listens again, the exchange stays visible",
     TURN + REPLY + [ReplyDone(text="It is ten past three. Anything else?"), SpeakingStopped(), Listening(talk_mode=True)],
     {"stage": Stage.LISTENING, "transcript": "Hey Jarvis, what time is it?",
          "reply": "It is ten past three. Anything else?", "speaking": "", "wave_source": "mic", "reply_stopped": False}),
    ("barge-in marks the reply as cut short", TURN + REPLY + [BargeIn(frames=2), SpeakingStopped(reason="barge_in")],
     {"speaking": "", "reply_stopped": True}),
    ("stopped reply", TURN + REPLY + [SpeakingStopped(reason="stopped"), ReplyDone(text="It is", aborted=True)],
     {"reply": "It is", "reply_stopped": True}),
    ("the next turn clears the last exchange", TURN + REPLY + [SpeakingStopped(), Listening(talk_mode=True),
                                                               WakeDetected(source=WakeSource.TALK_MODE), Capturing()],
     {"stage": Stage.CAPTURING, "transcript": "", "reply": "", "speaking": "", "reply_stopped": False}),
    ("a wake with no command says so until the next turn", [Listening(), WAKE, Capturing(), NoCommand(reason="timeout"),
                                                           Listening()],
     {"stage": Stage.LISTENING, "notice": "Sorry, I didn't catch that."}),
    ("a near miss changes nothing visible", [Listening(), WakeRejected(phrase="hey jarvis", transcript="hey travis")],
     {"stage": Stage.LISTENING, "label": "Listening", "notice": ""}),
    ("paused", [Listening(), Paused()],
     {"stage": Stage.PAUSED, "label": "Paused", "hint": "Click to resume", "wave_source": None}),
    ("pause clears an old notice", [Listening(), NoCommand(reason="empty"), Listening(), Paused()], {"notice": ""}),
    ("resumed", [Listening(), Paused(), Listening()], {"stage": Stage.LISTENING, "label": "Listening"}),
    ("microphone missing", [DeviceMissing(kind="input", message="No microphone found.", retry_s=2.0)],
     {"stage": Stage.DEVICE_MISSING, "label": "No microphone", "notice": "No microphone found. Retrying every 2 s.",
          "wave_source": None}),
    ("an engine message without a full stop gets one before the retry sentence",
     [DeviceMissing(kind="input", message="Error opening InputStream: no default input audio", retry_s=2)],
     {"notice": "Error opening InputStream: no default input audio. Retrying every 2 s."}),
    ("a missing speaker is a notice while listening goes on",
     [DeviceMissing(kind="output", message="The speaker was unplugged.", retry_s=0.5), Listening()],
     {"stage": Stage.LISTENING, "label": "Listening", "notice": "The speaker was unplugged. Retrying every 0.5 s."}),
    ("speaker back", [DeviceMissing(kind="output", message="The speaker was unplugged.", retry_s=0.5),
                      DeviceReady(kind="output")],
     {"stage": Stage.LISTENING, "notice": ""}),
    ("device back", [DeviceMissing(kind="input", message="No microphone found.", retry_s=2), DeviceReady(kind="input"),
                     Listening()],
     {"stage": Stage.LISTENING, "label": "Listening", "notice": ""}),
    ("another device coming back keeps the message",
     [DeviceMissing(kind="input", message="No microphone found.", retry_s=2), DeviceReady(kind="output")],
     {"stage": Stage.DEVICE_MISSING, "notice": "No microphone found. Retrying every 2 s."}),
    ("error", TURN + [PipelineError(code=ErrorCode.REPLY_FAILED, message="No API key is set.")],
     {"stage": Stage.ERROR, "label": "No reply from the assistant", "notice": "No API key is set."}),
    ("error stays readable after listening resumes",
     TURN + [PipelineError(code=ErrorCode.STT_FAILED, message="decoder crashed"), Listening()],
     {"stage": Stage.LISTENING, "label": "Listening", "notice": "decoder crashed"}),
    ("stopped", [Listening(), Stopped()], {"stage": Stage.STOPPED, "label": "Stopped", "wave_source": None}),
]


@pytest.mark.parametrize(("events", "expected"), [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_events_fold_into_the_view(events: list[VoiceEvent], expected: dict) -> None:
    view = fold(events).view
    assert {key: getattr(view, key) for key in expected} == expected


def test_wake_phrase_comes_from_the_settings() -> None:
    assert fold([Listening()], wake_phrase="computer").view.hint == "Say “computer”"


@pytest.mark.parametrize(("event", "change"), [
    (Listening(), Change.NONE),  # already listening: nothing to redraw
    (Chime(name="wake"), Change.NONE),
    (FramesDropped(total=3), Change.NONE),
    (AudioLevel(source="mic", rms=0.1), Change.LEVELS),
    (AudioLevel(source="playback", rms=0.1), Change.NONE),  # not speaking: echo is not drawn
    (Paused(), Change.TEXT | Change.LEVELS),  # new stage, and the mic wave stops
    (WAKE, Change.TEXT),  # same feed (mic): the bars carry on
])
def test_apply_reports_what_changed(event: VoiceEvent, change: Change) -> None:
    assert OverlayModel().apply(event) == change


def test_waveform_follows_the_mic_while_listening_and_playback_while_speaking() -> None:
    model = fold([Listening()], history_size=4)
    for rms in (0.001, 0.01, 0.1, 1.0, 0.1):
        model.apply(AudioLevel(source="mic", rms=rms))
    assert model.levels == pytest.approx((1 / 3, 2 / 3, 1.0, 2 / 3))  # ring buffer: the oldest fell off
    for event in [WAKE, Capturing()]:
        model.apply(event)
    assert len(model.levels) == 4  # still the mic
    assert model.apply(Transcribing(audio_s=1.0)) & Change.LEVELS
    assert model.levels == ()
    assert model.apply(AudioLevel(source="mic", rms=0.5)) == Change.NONE
    model.apply(Thinking(command="x"))
    model.apply(SpeakingStarted(text="Hi.", index=0))
    assert model.apply(AudioLevel(source="mic", rms=0.5)) == Change.NONE  # our own voice in the mic
    assert model.apply(AudioLevel(source="playback", rms=0.1)) == Change.LEVELS
    assert model.levels == pytest.approx((2 / 3,))
    model.apply(Listening(talk_mode=True))
    assert model.levels == ()


@pytest.mark.parametrize(("rms", "height"), [
    (0.0, 0.0), (-1.0, 0.0), (float("nan"), 0.0), (1e-9, 0.0), (0.001, 0.0), (0.01, 1 / 3), (0.1, 2 / 3),
    (1.0, 1.0), (4.0, 1.0),
])
def test_level_height_is_linear_in_decibels(rms: float, height: float) -> None:
    assert level_height(rms) == pytest.approx(height)


def test_level_history_capacity_and_clear() -> None:
    history = LevelHistory(3)
    assert history.capacity == 3 and history.values() == ()
    for rms in (1.0, 1.0, 0.1, 0.01):
        history.push(rms)
    assert history.values() == pytest.approx((1.0, 2 / 3, 1 / 3)) and len(history) == 3
    history.clear()
    assert history.values() == ()
    with pytest.raises(ValueError):
        LevelHistory(0)


@pytest.mark.parametrize(("text", "max_chars", "expected"), [
    ("short", 20, "short"),
    ("  spaces   are\nsquashed ", 40, "spaces are squashed"),
    ("one two three four five", 12, "…four five"),
    ("abcdefghijklmnopqrstuvwxyz", 6, "…vwxyz"),
])
def test_tail_text_keeps_the_end(text: str, max_chars: int, expected: str) -> None:
    assert tail_text(text, max_chars) == expected
    assert len(tail_text(text, max_chars)) <= max_chars


def test_view_is_cached_until_something_changes() -> None:
    model = OverlayModel()
    first = model.view
    model.apply(AudioLevel(source="mic", rms=0.2))
    assert model.view is first
    model.apply(Paused())
    assert model.view is not first and model.view.paused
