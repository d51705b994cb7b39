"""Join codes as pure code: single use, expiry, bounds, and the join URL rules."""

from __future__ import annotations

import itertools

import pytest

from openclaw_desktop.pairing.join_codes import (
    JoinCodeStore,
    is_shortcode,
    join_url,
    new_shortcode,
)

PAYLOAD = {"url": "ws://127.0.0.1:18789", "bootstrapToken": "t", "expiresAtMs": 601_000}


def test_shortcodes_are_128_random_bits():
    codes = {new_shortcode() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == 22 and is_shortcode(c) for c in codes)


def test_a_code_is_fetched_once():
    store = JoinCodeStore()
    code = store.register(PAYLOAD, 601_000, 1_000)
    assert store.redeem(code, 2_000) == PAYLOAD
    assert store.redeem(code, 2_000) is None
    assert len(store) == 0


def test_codes_expire_with_their_token():
    store = JoinCodeStore()
    code = store.register(PAYLOAD, 601_000, 1_000)
    assert store.redeem(code, 601_000) is None
    with pytest.raises(ValueError, match="future expiry"):
        store.register(PAYLOAD, 1_000, 1_000)


@pytest.mark.parametrize("code", ["", "short", "a" * 23, "a" * 21 + "!", "../" + "a" * 19])
def test_malformed_codes_are_not_looked_up(code):
    store = JoinCodeStore(shortcode=lambda: "a" * 22)
    store.register(PAYLOAD, 601_000, 1_000)
    assert store.redeem(code, 2_000) is None and len(store) == 1


def test_live_codes_are_bounded_and_expired_ones_make_room():
    counter = itertools.count()
    store = JoinCodeStore(max_live=2, shortcode=lambda: f"{next(counter):022d}")
    store.register(PAYLOAD, 10_000, 1_000)
    store.register(PAYLOAD, 20_000, 1_000)
    with pytest.raises(ValueError, match="too many unused join codes"):
        store.register(PAYLOAD, 20_000, 1_000)
    assert store.register(PAYLOAD, 20_000, 10_000)  # the first one expired


def test_the_stored_payload_is_a_copy():
    store = JoinCodeStore()
    doc = dict(PAYLOAD)
    code = store.register(doc, 601_000, 1_000)
    doc["url"] = "ws://evil"
    assert store.redeem(code, 2_000) == PAYLOAD


@pytest.mark.parametrize("gateway_url, expected", [
    ("wss://gw.example.com", "https://gw.example.com/j/C"),
    ("wss://192.168.1.10:18789", "https://192.168.1.10:18789/j/C"),
    ("wss://gw.example.com/openclaw/", "https://gw.example.com/openclaw/j/C"),
    ("ws://127.0.0.1:18789", "http://127.0.0.1:18789/j/C"),
    ("ws://localhost:18789", "http://localhost:18789/j/C"),
    ("ws://[::1]:18789", "http://[::1]:18789/j/C"),
])
def test_join_url(gateway_url, expected):
    assert join_url(gateway_url, "C") == expected


@pytest.mark.parametrize("gateway_url", ["ws://192.168.1.10:18789", "ws://laptop.local:18789"])
def test_plaintext_lan_gets_no_join_url(gateway_url):
    with pytest.raises(ValueError, match="need a TLS"):
        join_url(gateway_url, "C")
