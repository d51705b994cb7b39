"""The pure retry policy: error classification, retry-after parsing, backoff."""

from __future__ import annotations

import email.utils

import pytest

from openclaw_desktop.agent.llm.failures import (
    BackoffPolicy,
    classify_status,
    parse_retry_after,
)


@pytest.mark.parametrize(
    ("status", "error_type", "message", "expected"),
    [
        (429, "rate_limit_error", "slow down", ("rate_limit", "rate_limit")),
        (529, "overloaded_error", "Overloaded", ("server", "overloaded")),
        (500, "api_error", "boom", ("server", "server_error")),
        (503, None, "unavailable", ("server", "server_error")),
        (401, "authentication_error", "bad key", ("auth", None)),
        (403, "permission_error", "no", ("auth", None)),
        (400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000",
         ("context_length", None)),
        (400, "invalid_request_error", "input exceeds the context window", ("context_length", None)),
        (400, "invalid_request_error", "messages: field required", ("bad_request", None)),
        (404, "not_found_error", "model: claude-nope", ("bad_request", None)),
        (422, None, "unprocessable", ("bad_request", None)),
        (413, "request_too_large", "too big", ("context_length", None)),
        (408, None, "timeout", ("timeout", None)),
        # Errors inside a 200 stream are classified by their type alone.
        (200, "overloaded_error", "Overloaded", ("server", "overloaded")),
        (None, "rate_limit_error", "", ("rate_limit", "rate_limit")),
        (200, "authentication_error", "", ("auth", None)),
        (200, "something_new", "", ("server", None)),
    ],
)
def test_classify_status(status, error_type, message, expected):
    assert classify_status(status, error_type, message) == expected


NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # ms is more precise
        ({"retry-after-ms": "junk", "retry-after": "2"}, 2.0),
        ({"retry-after": email.utils.formatdate(NOW + 7, usegmt=True)}, 7.0),
        ({"retry-after": email.utils.formatdate(NOW - 30, usegmt=True)}, 0.0),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after": "soon"}, None),
    ],
)
def test_parse_retry_after(headers, expected):
    assert parse_retry_after(headers, now=NOW) == expected


def test_backoff_is_exponential_and_capped():
    policy = BackoffPolicy(max_retries=6, base_delay_s=0.5, max_delay_s=3.0)
    assert [policy.delay_s(n, None, jitter=0.0) for n in range(1, 7)] == [0.5, 1, 2, 3, 3, 3]
    assert policy.delay_s(7, None, jitter=0.0) is None


def test_jitter_only_shortens_the_wait():
    policy = BackoffPolicy(max_retries=4, base_delay_s=1.0, max_delay_s=20.0)
    assert policy.delay_s(3, None, jitter=0.999) == pytest.approx(3.0, abs=0.01)
    assert 3.0 <= policy.delay_s(3, None, jitter=0.5) <= 4.0


def test_retry_after_is_honoured_exactly_up_to_the_cap():
    policy = BackoffPolicy(max_retries=4, base_delay_s=0.5, max_delay_s=20.0)
    assert policy.delay_s(1, 12.0, jitter=0.9) == 12.0
    assert policy.delay_s(1, 0.0, jitter=0.9) == 0.0
    # Longer than we are willing to block a turn: give up rather than retry early.
    assert policy.delay_s(1, 60.0, jitter=0.0) is None
    assert policy.delay_s(5, 1.0, jitter=0.0) is None
