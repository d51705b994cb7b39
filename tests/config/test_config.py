"""Config files: validation names file/key/problem, bad files are never overwritten,
first-run token generation, atomic writes, redaction and merge-patch."""

from __future__ import annotations

import os

import pytest

from openclaw_desktop.app import build_gateway
from openclaw_desktop.config import store
from openclaw_desktop.config.paths import StatePaths
from openclaw_desktop.config.service import ConfigService, Overrides
from openclaw_desktop.errors import ConfigError


@pytest.mark.parametrize(("text", "key", "problem"), [
    ('{gateway: {port: "x"}}', "gateway.port", "must be an integer, got a string"),
    ("{gateway: {port: 70000}}", "gateway.port", "between 0 and 65535"),
    ('{gateway: {bind: "moon"}}', "gateway.bind", "must be one of"),
    ('{gateway: {bind: "custom"}}', "gateway.customBindHost", "is required"),
    ('{gateway: {auth: {mode: "magic"}}}', "gateway.auth.mode", "must be one of"),
    ("{gateway: {nodes: {pairing: {autoApproveLocal: 1}}}}", "gateway.nodes.pairing.autoApproveLocal", "boolean"),
    ("{gateway: []}", "gateway", "must be an object"),
    ("[1]", "", "top level must be an object"),
    ("{unclosed: ", "", "invalid JSON5"),
])
def test_bad_config_names_file_key_and_problem(tmp_path, text, key, problem):
    path = tmp_path / "openclaw.json"
    path.write_text(text)
    with pytest.raises(ConfigError) as exc:
        store.load(path)
    assert exc.value.key == key and problem in exc.value.problem
    assert str(path) in str(exc.value)


def test_json5_and_unknown_keys_are_accepted(tmp_path):
    path = tmp_path / "openclaw.json"
    path.write_text("// comment\n{gateway: {port: 19000, bind: 'lan',}, channels: {telegram: {}},}")
    snap = store.load(path)
    assert snap.settings.gateway.port == 19000 and snap.settings.gateway.bind == "lan"


async def test_corrupt_config_stops_startup_and_is_left_alone(paths):
    paths.config_path.parent.mkdir(parents=True)
    paths.config_path.write_text("{gateway: {port: 'nope'}")
    before = paths.config_path.read_bytes()
    with pytest.raises(ConfigError):
        await build_gateway(paths, Overrides(port=0), log_to_file=False)
    assert paths.config_path.read_bytes() == before


def test_first_run_writes_config_with_token_0600(tmp_path):
    paths = StatePaths(tmp_path / "s", tmp_path / "s" / "openclaw.json")
    svc = ConfigService(paths, Overrides())
    token = svc.ensure_token()
    assert token and len(token) >= 32
    assert (os.stat(paths.config_path).st_mode & 0o777) == 0o600
    assert store.load(paths.config_path).settings.gateway.auth.token == token
    assert ConfigService(paths, Overrides()).ensure_token() == token  # stable across runs


def test_existing_user_config_is_not_rewritten_for_the_token(tmp_path):
    paths = StatePaths(tmp_path, tmp_path / "openclaw.json")
    paths.config_path.write_text("// mine\n{logging: {level: 'debug'}}")
    token = ConfigService(paths, Overrides()).ensure_token()
    assert paths.config_path.read_text() == "// mine\n{logging: {level: 'debug'}}"
    assert paths.token_path.read_text().strip() == token
    assert (os.stat(paths.token_path).st_mode & 0o777) == 0o600
    assert ConfigService(paths, Overrides()).ensure_token() == token


def test_overrides_win_and_env_resolution():
    env = {"OPENCLAW_STATE_DIR": "/x/state", "OPENCLAW_CONFIG_PATH": "/y/c.json"}
    assert StatePaths.resolve(env) == StatePaths.resolve(env)
    assert str(StatePaths.resolve(env).config_path) == "/y/c.json"
    assert str(StatePaths.resolve({"OPENCLAW_HOME": "/h"}).state_dir) == "/h/.openclaw"


def test_atomic_write_leaves_no_temp_files(tmp_path):
    target = tmp_path / "a.json"
    store.atomic_write_text(target, "1")
    store.atomic_write_text(target, "2")
    assert target.read_text() == "2" and os.listdir(tmp_path) == ["a.json"]


def test_redaction_and_restore():
    doc = {"gateway": {"auth": {"token": "t0p", "mode": "token"}}, "models": [{"apiKey": "k"}]}
    red = store.redact(doc)
    assert red["gateway"]["auth"] == {"token": "__OPENCLAW_REDACTED__", "mode": "token"}
    assert red["models"][0]["apiKey"] == "__OPENCLAW_REDACTED__"
    assert store.restore_sentinels(red, doc) == doc
    raw = '{gateway: {auth: {token: "t0p"}}}'
    assert "t0p" not in store.redact_raw(raw, {"gateway": {"auth": {"token": "t0p"}}})


def test_merge_patch():
    assert store.merge_patch({"a": {"b": 1, "c": 2}, "d": 1}, {"a": {"b": None, "e": 3}, "d": None}) == {
        "a": {"c": 2, "e": 3}}


async def test_approval_timeout_comes_from_config(paths):
    paths.config_path.parent.mkdir(parents=True)
    paths.config_path.write_text("{tools: {exec: {approvalTimeoutMs: 5000}}}")
    gw = await build_gateway(paths, Overrides(port=0, token="t"), log_to_file=False)
    try:
        assert gw.broker.default_timeout_ms == 5000
    finally:
        await gw.close()
    paths.config_path.write_text("{tools: {exec: {approvalTimeoutMs: 10}}}")
    with pytest.raises(ConfigError, match="tools.exec.approvalTimeoutMs"):
        await build_gateway(paths, Overrides(port=0, token="t"), log_to_file=False)
