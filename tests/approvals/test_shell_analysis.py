"""The analyser on its own: segments, argv after unquoting, operators, hazard placement."""

from __future__ import annotations

import pytest

from openclaw_desktop.approvals.hazards import HazardCode as H
from openclaw_desktop.approvals.shell_analysis import MAX_COMMAND_CHARS, analyze
from openclaw_desktop.approvals.shell_lexing import scan_text, scan_word


def argvs(command: str) -> list[tuple[str, ...]]:
    return [s.argv for s in analyze(command).segments]


@pytest.mark.parametrize(("command", "expected"), [
    ("r''m -rf /", [("rm", "-rf", "/")]),
    ("\\rm x", [("rm", "x")]),
    ('"l"s -la', [("ls", "-la")]),
    ("echo 'it''s'", [("echo", "its")]),
    ('echo "a\\x" "a\\"b" "a\\\\b" "a\\$b"', [("echo", "a\\x", 'a"b', "a\\b", "a$b")]),
    ("echo a\\ b 'c d' \"e f\"", [("echo", "a b", "c d", "e f")]),
    ('echo "a;b" ; ls', [("echo", "a;b"), ("ls",)]),
    ("echo a\\;b", [("echo", "a;b")]),
    ("ls\nrm x\n", [("ls",), ("rm", "x")]),
    ("a&&b||c;d", [("a",), ("b",), ("c",), ("d",)]),
    ("ls # trailing ; rm", [("ls",)]),
    ("ls -- -rf", [("ls", "--", "-rf")]),
    ("echo ''", [("echo", "")]),
])
def test_argv_after_unquoting(command, expected):
    assert argvs(command) == expected


def test_chain_operators_are_recorded_between_segments():
    segments = analyze("a && b || c; d\ne | f |& g & h").segments
    assert [s.operator for s in segments] == [None, "&&", "||", ";", "\n", "|", "|&", "&"]


def test_plain_chain_is_plain_and_has_spans():
    analysis = analyze("ls -la && git status")
    assert analysis.is_plain and not analysis.hazards
    assert [analysis.command[a:b] for a, b in (s.span for s in analysis.segments)] == ["ls -la", "git status"]


def test_hazards_point_at_their_segment():
    analysis = analyze("ls; sudo rm x; echo $(id)")
    assert analysis.hazards_for(1)[0].code == H.COMMAND_WRAPPER
    assert H.COMMAND_SUBSTITUTION in {h.code for h in analysis.hazards_for(2)}
    assert analysis.hazards_for(0) == ()


def test_nested_commands_are_exposed_for_review():
    analysis = analyze("echo $(rm -rf /) && (cat x)")
    nested = [s.argv for s in analysis.segments if s.nested]
    assert ("rm", "-rf", "/") in nested and ("cat", "x") in nested
    assert {H.COMMAND_SUBSTITUTION, H.SUBSHELL} <= analysis.codes


def test_dynamic_words_are_not_static():
    analysis = analyze("echo $HOME")
    assert not analysis.segments[0].static
    assert analysis.segments[0].argv == ("echo", "$HOME")  # display text, not a value


def test_empty_and_comment_only_text_is_empty():
    for text in ("", "   ", "# hi", "\n# a\n# b\n"):
        assert analyze(text).is_empty


def test_too_long_is_not_parsed():
    analysis = analyze("x" * (MAX_COMMAND_CHARS + 1))
    assert analysis.codes == {H.TOO_LONG} and not analysis.segments


def test_many_segments_within_the_limit_are_parsed():
    analysis = analyze("ls;" * 1000)
    assert len(analysis.segments) == 1000 and analysis.is_plain


def test_deep_nesting_fails_closed():
    analysis = analyze("(" * 400 + "ls" + ")" * 400)
    assert analysis.hazards and not analysis.is_plain


def test_parse_errors_keep_specific_second_line_findings():
    analysis = analyze("echo $((1+2)) `id`")
    assert {H.PARSE_ERROR, H.ARITHMETIC_EXPANSION, H.COMMAND_SUBSTITUTION} <= analysis.codes
    assert not analysis.segments


def test_heredoc_bodies_are_not_scanned_as_code():
    analysis = analyze("cat <<EOF\nit's * here\nEOF")
    assert analysis.codes == {H.HEREDOC}


def test_analysis_is_deterministic():
    assert analyze("ls | cat > x") == analyze("ls | cat > x")


@pytest.mark.parametrize(("raw", "value", "static"), [
    ("plain", "plain", True), ("'a b'", "a b", True), ('"$x"', "$x", False), ("$'\\n'", "$'\\n'", False),
    ("a\\*", "a*", True), ("a*", "a*", False), ("{a,b}", "{a,b}", False), ("{ab}", "{ab}", True),
    ("~", "~", False), ("a=~/x", "a=~/x", False), ("a~", "a~", True), ("$", "$", True),
])
def test_scan_word(raw, value, static):
    scan = scan_word(raw)
    assert (scan.value, scan.static) == (value, static)


def test_scan_text_skips_comments_and_single_quotes():
    assert scan_text("ls # $(id) *").findings == ()
    assert scan_text("echo '$(id)' '*'").findings == ()
    assert {c for c, _ in scan_text('echo "$(id)"').findings} == {H.COMMAND_SUBSTITUTION}
