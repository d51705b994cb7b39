"""Streaming sentence splitting and speakable text (table-driven)."""

from __future__ import annotations

import pytest

from openclaw_desktop.voice.sentences import CODE_NOTE, SentenceSplitter, speakable


def split(deltas: list[str], **kw: int) -> list[tuple[int, str]]:
    """(index of the delta after which it came out, sentence); flush counts as len(deltas)."""
    splitter = SentenceSplitter(**kw)
    out = [(i, s) for i, d in enumerate(deltas) for s in splitter.feed(d)]
    return out + [(len(deltas), s) for s in splitter.flush()]


@pytest.mark.parametrize(("deltas", "expected"), [
    # a sentence is out as soon as the next character proves it ended
    (["Hello there. I am", " here."], [(0, "Hello there."), (2, "I am here.")]),
    (["Hello there.", " I am here. "], [(1, "Hello there."), (1, "I am here.")]),
    (["Really?! Yes… ", "ok"], [(0, "Really?!"), (0, "Yes…"), (2, "ok")]),
    # decimals, abbreviations, initials and list numbers are not sentence ends
    (["It is 21.5 degrees. ", "Ask Dr. Smith, e.g. today. "], [(0, "It is 21.5 degrees."),
                                                               (1, "Ask Dr. Smith, e.g. today.")]),
    (["J. R. R. Tolkien wrote it. "], [(0, "J. R. R. Tolkien wrote it.")]),
    (["Steps:\n1. Open it.\n2. Close it.\n"], [(0, "Steps:"), (0, "Open it."), (0, "Close it.")]),
    # quotes and brackets stay with their sentence
    (['He said "stop." Then left. '], [(0, 'He said "stop."'), (0, "Then left.")]),
    # CJK full stops need no space
    (["今日は晴れです。明日", "は雨です。"], [(0, "今日は晴れです。"), (1, "明日は雨です。")]),
    # line breaks end a spoken unit; Markdown marks are not read out
    (["# Weather\n- **Sunny** in *Paris*\n- see [the map](http://x.y)\n"],
     [(0, "Weather"), (0, "Sunny in Paris"), (0, "see the map")]),
    # code blocks are not read: one short note instead, even split across deltas
    (["Here:\n``", "`python\nprint('a. b. c.')\n`", "``\nDone. "], [(0, "Here:"), (1, CODE_NOTE), (2, "Done.")]),
    (["```\nx = 1\n```\nand\n```\ny\n```\nend"], [(0, CODE_NOTE), (0, "and"), (1, "end")]),
    # nothing speakable is dropped
    (["---\n", "**\n", "Hi"], [(3, "Hi")]),
    ([""], []),
])
def test_streamed_sentences(deltas, expected):
    assert split(deltas) == expected


def test_a_run_on_is_cut_at_a_comma_before_max_chars():
    text = "one, two, three, four, five, six, seven, eight and so on without any end"
    out = split([text], max_chars=40)
    assert out[0] == (0, "one, two, three, four, five, six,")
    assert " ".join(s for _, s in out) == text


def test_char_by_char_streaming_gives_the_same_sentences_as_one_delta():
    text = "Sure! The answer is 42. Dr. Who? Yes.\n\n- item one\n```\ncode. here.\n```\nBye. "
    assert [s for _, s in split(list(text))] == [s for _, s in split([text])]


@pytest.mark.parametrize(("text", "expected"), [
    ("**bold** and __strong__", "bold and strong"),
    ("a `code` word", "a code word"),
    ("snake_case_name stays", "snake_case_name stays"),
    ("2 * 3 = 6", "2 3 = 6"),
    ("> quoted", "quoted"),
    ("visit https://example.com/a?b=c now", "visit the link now"),
    ("![logo](x.png) Logo", "logo Logo"),
    ("  many   spaces\n\there ", "many spaces here"),
    ("...", ""),
])
def test_speakable(text, expected):
    assert speakable(text) == expected
