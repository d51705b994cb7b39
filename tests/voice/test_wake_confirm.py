"""Wake-phrase confirmation and trigger matching in transcripts (table-driven)."""

from __future__ import annotations

import pytest

from openclaw_desktop.voice.wake_confirm import (
    allowed_edits,
    command_from,
    confirm_wake,
    find_all,
    fold,
    is_stop_request,
    match_trigger,
    same_phrase,
    text_after,
)


@pytest.mark.parametrize(("transcript", "accepted"), [
    ("Hey Jarvis.", True),
    ("Hey, Jarvis!", True),
    ("hey jarvis what's the weather", True),
    ("Hi Jarvis.", True),  # Whisper's take on a quick "hey"
    ("Jarvis?", True),
    ("Hey Jervis.", True),  # one letter off, same first sound
    ("Hey Jarvus.", True),
    ("Blah blah. Hey Jarvis.", True),  # the pre-roll may hold earlier speech
    ("HEY JARVIS", True),
    ("Hey Travis.", False),  # the measured false accept of the acoustic model
    ("Hey, Travis, how are you?", False),
    ("Hey Charles.", False),
    ("Hey Carvis.", False),  # another first sound
    ("Hey Davis.", False),
    ("Harvest time.", False),
    ("Service.", False),
    ("Hey.", False),
    ("", False),
])
def test_confirm_wake_hey_jarvis(transcript, accepted):
    assert (confirm_wake(transcript, "hey jarvis") is not None) is accepted


@pytest.mark.parametrize(("transcript", "triggers", "trigger", "command"), [
    ("Computer, what time is it?", ["openclaw", "claude", "computer"], "computer", "what time is it?"),
    ("Hey computer, lights on.", ["computer"], "computer", "lights on."),
    ("Um, so, Claude: help me.", ["claude"], "claude", "help me."),  # two fillers allowed
    ("Claud, help", ["claude"], "claude", "help"),
    ("Open Claw, turn on the lights", ["openclaw"], "openclaw", "turn on the lights"),  # split compound
    ("OpenClaw.", ["openclaw"], "openclaw", ""),
    ("Ordinateur, allume la lumière.", ["Ordinateur"], "Ordinateur", "allume la lumière."),
    ("Привет! Как дела?", ["привет"], "привет", "Как дела?"),
    ("Café, ouvre.", ["cafe"], "cafe", "ouvre."),  # accents folded both ways
    ("cafe ouvre", ["Café"], "Café", "ouvre"),
    ("ＣＯＭＰＵＴＥＲ、時間", ["computer"], "computer", "時間"),  # full-width letters
    ("コンピューター、今何時？", ["コンピューター"], "コンピューター", "今何時？"),
    ("コンピューター今何時", ["コンピューター"], "コンピューター", "今何時"),  # no spaces at all
    ("小爱同学，开灯", ["小爱同学"], "小爱同学", "开灯"),
    ("Hey Jarvis and computer", ["hey jarvis", "computer"], "hey jarvis", "and computer"),
])
def test_match_trigger_at_the_start(transcript, triggers, trigger, command):
    found = match_trigger(transcript, triggers)
    assert found is not None and found.phrase == trigger
    assert text_after(transcript, found) == command


@pytest.mark.parametrize(("transcript", "triggers"), [
    ("My computer is slow.", ["computer"]),  # mentioned, not addressed
    ("So um well computer", ["computer"]),  # more than two fillers first
    ("Cloud storage", ["claude"]),  # two edits on a short word
    ("今日はコンピューター", ["コンピューター"]),
    ("", ["computer"]),
    ("Computer", []),
])
def test_match_trigger_rejects(transcript, triggers):
    assert match_trigger(transcript, triggers) is None


@pytest.mark.parametrize(("transcript", "mentions", "command"), [
    ("Hey Jarvis, what time is it?", 1, "what time is it?"),
    ("Hey Jarvis, who is Jarvis?", 1, "who is Jarvis?"),  # a later mention belongs to the command
    ("Jarvis hello. Hey Jarvis, hi.", 2, "hi."),  # the pre-roll held an earlier mention
    ("Jarvis hello. Hey Jarvis, hi.", 5, "hi."),  # never past the last one
    ("what time is it", 1, "what time is it"),  # talk mode or push-to-talk: no wake phrase
    ("Hey Jarvis.", 1, ""),
])
def test_command_from(transcript, mentions, command):
    assert command_from(transcript, "hey jarvis", mentions) == command


@pytest.mark.parametrize(("text", "stop"), [
    ("Stop.", True), ("Stop talking!", True), ("never mind", True), ("That's enough.", True),
    ("OK, stop.", True), ("stop the timer", False), ("Don't stop", False), ("", False),
])
def test_stop_requests(text, stop):
    assert is_stop_request(text) is stop


@pytest.mark.parametrize(("word", "edits"), [("hey", 0), ("claude", 1), ("computer", 1), ("openclaw1", 2)])
def test_edit_allowance_grows_with_length(word, edits):
    assert allowed_edits(word) == edits


def test_folding_and_phrase_identity():
    assert fold("Ça ÉTÉ ｆｕｌｌ") == "ca ete full"
    assert same_phrase("Hey Jarvis!", "hey jarvis") and not same_phrase("hey jarvis", "jarvis")
    assert [m.start for m in find_all("hey jarvis, hey jarvis", "hey jarvis")] == [0, 12]
    found = confirm_wake("Oh, hey Jarvis!", "hey jarvis")
    assert found is not None and (found.start, found.end) == (4, 14)  # offsets into the original text
