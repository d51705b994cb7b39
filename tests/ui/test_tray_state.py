"""The tray's pure status model: events in, one state and status lines out."""

from __future__ import annotations

import pytest

from openclaw_desktop.ui.tray_state import GatewayMode, StatusTracker, TrayState

OWN = "own-device"


def hosted(**kw) -> StatusTracker:
    tracker = StatusTracker(own_device_id=OWN, mode=GatewayMode.HOSTED, url="ws://127.0.0.1:18789",
                            model="claude-x", **kw)
    tracker.set_link("connected", None)
    return tracker


def lifecycle(run: str, phase: str) -> dict:
    return {"runId": run, "stream": "lifecycle", "data": {"phase": phase}}


@pytest.mark.parametrize(("events", "voice", "expected"), [
    ([], "idle", TrayState.IDLE),
    ([("agent", lifecycle("r1", "start"))], "idle", TrayState.THINKING),
    ([("agent", lifecycle("r1", "start")), ("agent", lifecycle("r1", "end"))], "idle", TrayState.IDLE),
    ([("agent", lifecycle("r1", "start")), ("chat", {"runId": "r1", "state": "final"})], "idle", TrayState.IDLE),
    ([], "listening", TrayState.LISTENING),
    ([], "speaking", TrayState.SPEAKING),
    ([("agent", lifecycle("r1", "start"))], "speaking", TrayState.SPEAKING),
    ([("exec.approval.requested", {"id": "a1"})], "speaking", TrayState.ATTENTION),
    ([("exec.approval.requested", {"id": "a1"}), ("exec.approval.resolved", {"id": "a1"})], "idle", TrayState.IDLE),
    ([("device.pair.requested", {"requestId": "p1", "deviceId": "d1"})], "idle", TrayState.ATTENTION),
    ([("device.pair.requested", {"requestId": "p1"}), ("device.pair.resolved", {"requestId": "p1"})], "idle",
     TrayState.IDLE),
    ([("node.pair.requested", {"requestId": "n1", "nodeId": "other"})], "idle", TrayState.ATTENTION),
    # The app approves its own node itself: never "needs attention".
    ([("node.pair.requested", {"requestId": "n1", "nodeId": OWN})], "idle", TrayState.IDLE),
    ([("unknown.event", {"id": "x"})], "idle", TrayState.IDLE),
])
def test_state_follows_events(events, voice, expected):
    tracker = hosted()
    tracker.set_voice(voice)
    for name, payload in events:
        tracker.on_event(name, payload)
    assert tracker.state() is expected


@pytest.mark.parametrize(("mode", "link", "error", "pending", "expected"), [
    (GatewayMode.FAILED, "stopped", None, True, TrayState.ERROR),
    (GatewayMode.PAUSED, "disconnected", "closed", True, TrayState.STOPPED),
    (GatewayMode.ATTACHED, "disconnected", "cannot reach", False, TrayState.ERROR),
    (GatewayMode.ATTACHED, "connected", None, False, TrayState.IDLE),
    (GatewayMode.HOSTED, "connecting", None, False, TrayState.IDLE),
    (GatewayMode.HOSTED, "disconnected", "refused", False, TrayState.ERROR),
])
def test_gateway_and_link_states(mode, link, error, pending, expected):
    tracker = StatusTracker(mode=mode, url="ws://h:1")
    tracker.set_link(link, error)
    if pending:
        tracker.on_event("exec.approval.requested", {"id": "a"})
    assert tracker.state() is expected


def test_change_reporting_and_duplicates():
    tracker = hosted()
    assert tracker.on_event("exec.approval.requested", {"id": "a"}) is True
    assert tracker.on_event("exec.approval.requested", {"id": "a"}) is False
    assert tracker.on_event("exec.approval.resolved", {"id": "zzz"}) is False
    assert tracker.pending_count == 1


def test_presence_counts_distinct_clients_without_gateway_and_self():
    tracker = hosted()
    entries = [
        {"reason": "self", "roles": ["gateway"], "instanceId": "boot"},
        {"deviceId": OWN, "roles": ["operator"]}, {"deviceId": OWN, "roles": ["node"]},
        {"deviceId": "phone", "roles": ["operator"]}, {"deviceId": "phone", "roles": ["node"]},
        {"instanceId": "cli-1", "roles": ["operator"]},
        "garbage",
    ]
    assert tracker.on_event("presence", {"presence": entries}) is True
    assert tracker.devices == {"phone", "cli-1"}
    assert tracker.status_lines() == ["ws://127.0.0.1:18789", "Model: claude-x", "2 devices connected"]


def test_link_loss_forgets_live_state_and_snapshot_restores_pending():
    tracker = hosted()
    tracker.on_event("agent", lifecycle("r", "start"))
    tracker.on_event("presence", {"presence": [{"deviceId": "phone"}]})
    assert tracker.set_link("disconnected", "gateway closed") is True
    assert tracker.runs == set() and tracker.devices == set()
    assert tracker.gateway_text() == "ws://127.0.0.1:18789: gateway closed"
    tracker.set_link("connected", None)
    tracker.load_pending([{"id": "a1"}, {"bad": 1}], [{"requestId": "d1", "deviceId": "x"}],
                         [{"requestId": "n1", "nodeId": OWN}, {"requestId": "n2", "nodeId": "phone"}])
    assert tracker.approvals == {"a1"}
    assert sorted(tracker.pairings) == ["d1", "n2"]
    assert tracker.pairings["n2"].kind == "node"
    assert "2 waiting" not in tracker.tooltip() and "3 waiting for you" in tracker.tooltip()


def test_texts_per_mode():
    assert StatusTracker().gateway_text() == "Gateway starting…"
    assert StatusTracker(mode=GatewayMode.PAUSED, url="ws://a:1").gateway_text() == "Gateway paused (ws://a:1)"
    attached = StatusTracker(mode=GatewayMode.ATTACHED, url="ws://a:1", link_state="connected")
    assert attached.gateway_text() == "ws://a:1 (attached)"
    assert StatusTracker().status_lines()[1:] == ["Model: not set", "0 devices connected"]


def test_voice_state_is_validated():
    with pytest.raises(ValueError, match="voice state"):
        StatusTracker().set_voice("singing")


def test_events_during_a_listing_are_not_lost():
    tracker = hosted()
    tracker.begin_snapshot()
    # The listing was taken before these arrived (its reply is processed after them).
    tracker.on_event("exec.approval.requested", {"id": "new"})
    tracker.on_event("device.pair.resolved", {"requestId": "old"})
    tracker.load_pending([{"id": "listed"}], [{"requestId": "old"}], [])
    assert tracker.approvals == {"listed", "new"}
    assert tracker.pairings == {}
    tracker.on_event("exec.approval.resolved", {"id": "new"})  # journal closed: applied directly
    assert tracker.approvals == {"listed"}


def test_a_voice_problem_needs_attention_and_says_why():
    tracker = hosted()
    tracker.set_voice("listening", "talk mode")
    assert tracker.state() is TrayState.LISTENING and tracker.tooltip().endswith("\nVoice: talk mode")
    assert tracker.set_voice_problem("no microphone (unplugged); retrying every 3 s")
    assert not tracker.set_voice_problem("no microphone (unplugged); retrying every 3 s")
    assert tracker.state() is TrayState.ATTENTION
    assert tracker.tooltip().endswith("\nVoice: no microphone (unplugged); retrying every 3 s")
    tracker.set_voice_problem(None)
    assert tracker.state() is TrayState.LISTENING
    tracker.set_voice("idle")
    assert "Voice:" not in tracker.tooltip()
