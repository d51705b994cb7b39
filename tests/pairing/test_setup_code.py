"""Setup codes as pure functions: encoding, every accepted input form, URL rules, access."""

from __future__ import annotations

import base64
import json

import pytest

from openclaw_desktop.pairing.setup import default_gateway_url
from openclaw_desktop.pairing.setup_code import (
    SetupPayload,
    decode_setup_code,
    encode_setup_code,
    normalize_gateway_url,
    pair_link,
    plaintext_allowed,
    resolve_access,
)

PAYLOAD = SetupPayload("ws://192.168.1.10:18789", "tok-" + "x" * 39, 1_795_521_453_952)


def test_encoding_is_base64url_json_without_padding():
    code = encode_setup_code(PAYLOAD)
    assert "=" not in code and "+" not in code and "/" not in code
    doc = json.loads(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4)))
    assert doc == {"url": "ws://192.168.1.10:18789", "bootstrapToken": PAYLOAD.bootstrap_token,
                   "expiresAtMs": 1_795_521_453_952}


def test_optional_fields_round_trip():
    payload = SetupPayload("wss://gw.example.com", "t", 5, "ab" * 32, ("wss://gw.example.com", "ws://gw.local:1"))
    assert decode_setup_code(encode_setup_code(payload)) == payload


@pytest.mark.parametrize("wrap", [
    lambda c: c,
    lambda c: f"  {c}\n",
    pair_link,
    lambda c: "OC-PAIR://" + c,
    lambda c: "Oc-Pair://" + c + "/",
    lambda c: json.dumps({"setupCode": c}),
])
def test_every_accepted_form_decodes(wrap):
    assert decode_setup_code(wrap(encode_setup_code(PAYLOAD))) == PAYLOAD


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("oc-pair://", "empty"),
    ("!!!not-base64!!!", "base64url"),
    (base64.urlsafe_b64encode(b"[1,2]").decode().rstrip("="), "object"),
    (base64.urlsafe_b64encode(b'{"url":"ws://127.0.0.1:1"}').decode().rstrip("="), "bootstrapToken"),
    ('{"code": "x"}', "setupCode"),
    ("{not json", "malformed"),
])
def test_malformed_codes_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        decode_setup_code(text)


def test_expired_codes_are_refused_only_when_a_clock_is_given():
    code = encode_setup_code(PAYLOAD)
    assert decode_setup_code(code, now_ms=PAYLOAD.expires_at_ms - 1) == PAYLOAD
    with pytest.raises(ValueError, match="expired"):
        decode_setup_code(code, now_ms=PAYLOAD.expires_at_ms)


@pytest.mark.parametrize("host, allowed", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("10.1.2.3", True), ("10.0.2.2", True),
    ("172.16.0.1", True), ("172.31.255.254", True), ("192.168.1.10", True), ("169.254.3.4", True),
    ("fe80::1", True), ("fd12:3456::1", True), ("laptop.local", True), ("Laptop.LOCAL.", True),
    ("172.32.0.1", False), ("8.8.8.8", False), ("100.64.1.2", False), ("gw.example.com", False),
    ("gw.tail1234.ts.net", False), ("2001:db8::1", False), ("192.0.2.2", False),
])
def test_plaintext_host_rules(host, allowed):
    assert plaintext_allowed(host) is allowed


@pytest.mark.parametrize("url, normalized", [
    ("ws://192.168.1.10:18789/", "ws://192.168.1.10:18789"),
    ("WS://127.0.0.1:18789/gw/?q=1#f", "ws://127.0.0.1:18789/gw"),
    ("wss://gw.example.com", "wss://gw.example.com"),
    ("wss://[2001:db8::1]:443/", "wss://[2001:db8::1]:443"),
    ("ws://[fd00::1]:18789", "ws://[fd00::1]:18789"),
])
def test_urls_are_normalized(url, normalized):
    assert normalize_gateway_url(url) == normalized


@pytest.mark.parametrize("url, message", [
    ("http://127.0.0.1:1", "ws:// or wss://"),
    ("ws://gw.example.com:18789", "use wss://"),
    ("ws://8.8.8.8", "use wss://"),
    ("wss://user:pw@gw.example.com", "credentials"),
    ("wss://:443", "no host"),
    ("ws://127.0.0.1:99999", "bad port"),
])
def test_bad_urls_are_refused(url, message):
    with pytest.raises(ValueError, match=message):
        normalize_gateway_url(url)


@pytest.mark.parametrize("url, requested, expected", [
    ("ws://127.0.0.1:18789", "full", ("full", False)),
    ("ws://192.168.1.10:18789", "full", ("limited", True)),
    ("ws://laptop.local:18789", "full", ("limited", True)),
    ("wss://192.168.1.10:18789", "full", ("full", False)),
    ("ws://192.168.1.10:18789", "limited", ("limited", False)),
    ("ws://192.168.1.10:18789", "node", ("node", False)),
])
def test_full_access_is_downgraded_on_plaintext_lan(url, requested, expected):
    assert resolve_access(url, requested) == expected


@pytest.mark.parametrize("bind, tls, lan, expected", [
    ("127.0.0.1", False, "192.168.1.10", ("ws://127.0.0.1:18789", "loopback")),
    ("0.0.0.0", False, "192.168.1.10", ("ws://192.168.1.10:18789", "lan")),
    ("0.0.0.0", True, "192.168.1.10", ("wss://192.168.1.10:18789", "lan")),
    ("0.0.0.0", False, None, ("ws://127.0.0.1:18789", "loopback")),
    ("10.0.0.5", False, "192.168.1.10", ("ws://10.0.0.5:18789", "bind")),
    ("::1", False, None, ("ws://[::1]:18789", "loopback")),
])
def test_default_gateway_url_follows_the_bind(bind, tls, lan, expected):
    assert default_gateway_url(bind, 18789, tls=tls, lan_ip=lan) == expected
