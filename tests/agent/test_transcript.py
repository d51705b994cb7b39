"""Transcripts and the session index on real files: fsynced appends, torn tails, resets."""

from __future__ import annotations

import json

from openclaw_desktop.agent.messages import to_model_messages
from openclaw_desktop.agent.session_keys import normalize_session_key
from openclaw_desktop.agent.session_store import SessionStore
from openclaw_desktop.agent.transcript import Transcript, load


def test_append_and_load_round_trip(tmp_path):
    t = Transcript.create(tmp_path, "s1", "/w", 1_000)
    a = t.append_message({"role": "user", "content": [{"type": "text", "text": "hi"}]}, 2_000)
    b = t.append_message({"role": "assistant", "content": [{"type": "text", "text": "hello"}]}, 3_000)
    lines = [json.loads(line) for line in (tmp_path / "s1.jsonl").read_text().splitlines()]
    assert lines[0]["type"] == "session" and lines[0]["version"] == 4 and lines[0]["id"] == "s1"
    assert lines[2]["parentId"] == lines[1]["id"] and lines[2]["message"]["content"][0]["text"] == "hello"
    loaded = load(tmp_path / "s1.jsonl")
    assert [m["__openclaw"]["seq"] for m in loaded.messages] == [1, 2]
    assert loaded.messages[1]["__openclaw"]["id"] == b["__openclaw"]["id"] and a["timestamp"] == 2_000


def test_torn_last_line_is_ignored_reported_and_repaired(tmp_path):
    t = Transcript.create(tmp_path, "s2", "/w", 0)
    t.append_message({"role": "user", "content": [{"type": "text", "text": "kept"}]}, 1)
    with open(tmp_path / "s2.jsonl", "a") as fh:
        fh.write('{"type":"message","id":"x","message":{"role":"assis')  # killed mid-write
    t2, loaded = Transcript.open(tmp_path / "s2.jsonl")
    assert [m["content"][0]["text"] for m in loaded.messages] == ["kept"]
    assert loaded.torn_lines == 1 and "torn last line" in loaded.problems[0]
    t2.append_message({"role": "assistant", "content": [{"type": "text", "text": "after"}]}, 2)
    assert [m["content"][0]["text"] for m in load(tmp_path / "s2.jsonl").messages] == ["kept", "after"]


def test_reset_starts_a_new_window(tmp_path):
    t = Transcript.create(tmp_path, "s3", "/w", 0)
    t.append_message({"role": "user", "content": [{"type": "text", "text": "old"}]}, 1)
    t.append_reset(2)
    t.append_message({"role": "user", "content": [{"type": "text", "text": "new"}]}, 3)
    assert [m["content"][0]["text"] for m in load(tmp_path / "s3.jsonl").messages] == ["new"]


def test_session_index_persists_and_survives_damage(tmp_path):
    store = SessionStore(tmp_path)
    entry, transcript, loaded = store.open("agent:main:main", 10, "/w")
    assert loaded.messages == [] and (tmp_path / "main" / "sessions" / f"{entry.session_id}.jsonl").exists()
    store.update("agent:main:main", label="Groceries", updated_at=20)
    again = SessionStore(tmp_path).get("agent:main:main")
    assert again.label == "Groceries" and again.session_id == entry.session_id
    (tmp_path / "main" / "sessions" / "sessions.json").write_text("{broken")
    assert SessionStore(tmp_path).list() == []  # unreadable index: not trusted, not fatal
    assert SessionStore(tmp_path).delete("agent:main:main") is None


def test_session_key_normalisation():
    assert normalize_session_key(None) == "agent:main:main"
    assert normalize_session_key("MAIN") == "agent:main:main"
    assert normalize_session_key("agent:Work:main") == "agent:work:main"
    assert normalize_session_key("notes") == "agent:main:notes"


def test_model_messages_pair_tool_calls_with_results():
    stored = [
        {"role": "assistant", "content": [{"type": "text", "text": "orphan"}]},  # dropped: must start with user
        {"role": "user", "content": [{"type": "text", "text": "list files"}]},
        {"role": "assistant", "content": [{"type": "toolCall", "id": "t1", "name": "ls", "arguments": {}},
                                          {"type": "toolCall", "id": "t2", "name": "read", "arguments": {"path": "a"}}]},
        {"role": "toolResult", "toolCallId": "t1", "toolName": "ls", "content": [{"type": "text", "text": "a"}]},
        {"role": "user", "content": [{"type": "text", "text": "and?"}]},
    ]
    out = to_model_messages(stored)
    assert [m["role"] for m in out] == ["user", "assistant", "user"]
    results = out[2]["content"]
    assert results[0] == {"type": "tool_result", "tool_use_id": "t1", "is_error": False, "content": "a"}
    # t2 never got a result (crash mid-tool): a synthetic error result keeps the API happy.
    assert any(b.get("tool_use_id") == "t2" and b["is_error"] for b in results)
    assert results[-1] == {"type": "text", "text": "and?"}
