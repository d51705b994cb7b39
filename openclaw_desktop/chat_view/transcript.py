"""One session's transcript as the chat window shows it, folded from gateway events.

:class:`ChatTranscript` takes ``chat.history`` results and the ``chat``, ``agent`` and
``exec.approval.*`` events (payload shapes of ``agent/turn.py``, ``agent/service.py`` and
``approvals/broker.py``) and keeps ``items`` in display order. Every method returns the
change notes (:mod:`.items`) a view needs, so a streaming delta touches one row.

How the streams are combined:

* text comes from ``chat`` ``delta`` events, whose ``deltaText`` is the run's *cumulative*
  assistant text (across tool steps). A tool call closes the current text row; the text
  after it starts a new row at the offset where the tool began;
* tool calls come from the ``agent`` ``tool`` stream (``start`` / ``result``);
* ``final`` / ``aborted`` / ``error`` end a run (``aborted`` adds an "aborted" marker and
  keeps the partial text; ``error`` adds an error row); an abort the gateway acknowledged
  ends the run at once, because a run cancelled before it started streaming sends no
  event at all;
* a run this window did not start (another device, voice) gets a placeholder user row
  that :meth:`fill_user_messages` completes from ``chat.history`` (the stored user message
  carries the run id as its ``idempotencyKey``).

Pure: no Qt, no asyncio, no sockets, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .history import items_from_history, message_text
from .items import (
    Approval,
    ApprovalStatus,
    AssistantText,
    Change,
    ErrorItem,
    Inserted,
    Item,
    Marker,
    Reset,
    TextAppended,
    ToolCall,
    ToolStatus,
    Updated,
    UserMessage,
)
from .summaries import approval_outcome, summarize_args, summarize_live_result

ELSEWHERE_PLACEHOLDER = "(sent from another device…)"
_DECISION_STATUS = {"allow-once": ApprovalStatus.ALLOWED_ONCE, "allow-always": ApprovalStatus.ALLOWED_ALWAYS}


@dataclass
class _Run:
    run_id: str
    own: bool  # started by this window (its user row is already shown)
    resumed: bool = False  # already running when history was loaded: its early text may be shown twice
    full_text: str = ""  # the run's cumulative assistant text so far
    segment_start: int = 0  # where the current text row begins inside full_text
    text_index: int | None = None  # the row the next delta extends
    status_index: int | None = None  # the row of the latest retry notice
    tools: dict[str, int] = field(default_factory=dict)
    user_index: int | None = None  # placeholder user row of a run started elsewhere
    ended: bool = False


class ChatTranscript:
    """Transcript rows of one session (``session_key`` is a normalised key)."""

    def __init__(self, session_key: str) -> None:
        self.session_key = session_key
        self.items: list[Item] = []
        self.history_stale = False
        """True when a reload would show something better (a run resumed after a reload ended)."""
        self._runs: dict[str, _Run] = {}
        self._approvals: dict[str, int] = {}

    # ---- reading --------------------------------------------------------------------
    @property
    def active_run_ids(self) -> list[str]:
        """Runs of this session that have not ended, oldest first."""
        return [r.run_id for r in self._runs.values() if not r.ended]

    @property
    def running(self) -> bool:
        """Whether a run is going (the abort button is enabled)."""
        return any(not r.ended for r in self._runs.values())

    def missing_user_runs(self) -> list[str]:
        """Runs started elsewhere whose user message is still a placeholder."""
        return [r.run_id for r in self._runs.values()
                if r.user_index is not None and self.items[r.user_index].text == ELSEWHERE_PLACEHOLDER]  # type: ignore[union-attr]

    # ---- loading --------------------------------------------------------------------
    def load_history(self, result: Any) -> list[Change]:
        """Replace everything with a ``chat.history`` result (its runs still going stay active)."""
        result = result if isinstance(result, dict) else {}
        info = result.get("sessionInfo") if isinstance(result.get("sessionInfo"), dict) else {}
        active = [r for r in info.get("activeRunIds") or [] if isinstance(r, str)]
        self.items = items_from_history(result.get("messages"), run_active=bool(active))
        self._runs = {r: _Run(r, own=True, resumed=True) for r in active}
        self._approvals = {}
        self.history_stale = False
        return [Reset()]

    def fill_user_messages(self, messages: Any) -> list[Change]:
        """Complete placeholder user rows from ``chat.history`` messages (matched by run id)."""
        texts = {m.get("idempotencyKey"): message_text(m) for m in messages if isinstance(m, dict)
                 and m.get("role") == "user"} if isinstance(messages, list) else {}
        changes: list[Change] = []
        for run in self._runs.values():
            if run.user_index is not None and texts.get(run.run_id):
                row = self.items[run.user_index]
                assert isinstance(row, UserMessage)
                row.text = texts[run.run_id]
                changes.append(Updated(run.user_index))
        return changes

    # ---- what this window does ------------------------------------------------------
    def add_user_message(self, text: str, run_id: str) -> list[Change]:
        """The user sent ``text`` as run ``run_id``: show it and count the run as going."""
        self._runs[run_id] = _Run(run_id, own=True)
        return [self._append(UserMessage(text, run_id))]

    def send_failed(self, run_id: str, message: str) -> list[Change]:
        """``chat.send`` was refused or never reached the gateway."""
        run = self._runs.get(run_id)
        changes = self._end(run) if run is not None else []
        return changes + [self._append(ErrorItem(message, "send", run_id))]

    def add_error(self, message: str, kind: str = "client") -> list[Change]:
        """A failure on this side (history not loaded, abort refused…), shown inline."""
        return [self._append(ErrorItem(message, kind))]

    def abort_acknowledged(self, run_ids: Any) -> list[Change]:
        """``chat.abort`` answered with these run ids: they are over, whatever comes later."""
        changes: list[Change] = []
        for run_id in run_ids if isinstance(run_ids, list) else []:
            run = self._runs.get(run_id)
            if run is not None and not run.ended:
                changes += self._end(run)
                changes.append(self._append(Marker("aborted", "aborted", run_id)))
        return changes

    def add_pending_approvals(self, entries: Any) -> list[Change]:
        """Show approvals still pending (an ``exec.approval.list`` result) after a load."""
        changes: list[Change] = []
        for entry in entries if isinstance(entries, list) else []:
            changes += self._approval_requested(entry)
        return changes

    # ---- gateway events -------------------------------------------------------------
    def apply(self, event: str, payload: Any) -> list[Change]:
        """Fold one gateway event; events of other sessions and unknown shapes change nothing."""
        if not isinstance(payload, dict):
            return []
        if event == "chat" and payload.get("sessionKey") == self.session_key:
            return self._chat(payload)
        if event == "agent" and payload.get("sessionKey") == self.session_key:
            return self._agent(payload)
        if event == "exec.approval.requested":
            return self._approval_requested(payload)
        if event == "exec.approval.resolved":
            return self._approval_resolved(payload)
        return []

    def _chat(self, p: dict[str, Any]) -> list[Change]:
        run, changes = self._run_for(p.get("runId"))
        state = p.get("state")
        if state == "delta" and not run.ended:
            text = p.get("deltaText")
            changes += self._set_text(run, text if isinstance(text, str) else message_text(p.get("message")))
        elif state == "final" and not run.ended:
            changes += self._final_text(run, message_text(p.get("message")))
            changes += self._end(run)
        elif state == "aborted":
            # The partial reply up to the abort; the marker only once (the ack may have come first).
            changes += self._set_text(run, message_text(p.get("message")))
            if not run.ended:
                changes += self._end(run)
                changes.append(self._append(Marker("aborted", "aborted", run.run_id)))
        elif state == "error" and not run.ended:
            changes += self._end(run)
            message = p["errorMessage"] if isinstance(p.get("errorMessage"), str) else "the run failed"
            changes.append(self._append(ErrorItem(message, str(p.get("errorKind") or "unknown"), run.run_id)))
        elif state == "status" and not run.ended and isinstance(p.get("retry"), dict):
            changes += self._status(run, p["retry"])
        return changes

    def _agent(self, p: dict[str, Any]) -> list[Change]:
        stream = p.get("stream")
        data: dict[str, Any] = p["data"] if isinstance(p.get("data"), dict) else {}
        if stream not in ("tool", "lifecycle"):
            return []  # assistant text arrives through the chat deltas; usage is not shown
        if stream == "lifecycle" and data.get("phase") != "start":
            # Fallback only: the chat event that ends a run normally came first.
            known = self._runs.get(str(p.get("runId")))
            return self._end(known) if known is not None and not known.ended else []
        run, changes = self._run_for(p.get("runId"))
        if stream == "lifecycle":
            return changes
        call_id = str(data.get("toolCallId"))
        if data.get("phase") == "start" and call_id not in run.tools and not run.ended:
            changes += self._close_segment(run)
            name = str(data.get("name") or "tool")
            changes.append(self._append(ToolCall(call_id, name, summarize_args(name, data.get("args")),
                                                 run_id=run.run_id)))
            run.tools[call_id] = len(self.items) - 1
        elif data.get("phase") == "result" and call_id in run.tools:
            index = run.tools[call_id]
            call = self.items[index]
            assert isinstance(call, ToolCall)
            call.status = ToolStatus.ERROR if data.get("isError") else ToolStatus.DONE
            call.result_summary = summarize_live_result(bool(data.get("isError")), data.get("meta"))
            changes.append(Updated(index))
        return changes

    def _approval_requested(self, p: Any) -> list[Change]:
        request = p.get("request") if isinstance(p, dict) else None
        if not isinstance(request, dict) or request.get("sessionKey") != self.session_key:
            return []
        approval_id = str(p.get("id"))
        if approval_id in self._approvals:
            return []
        item = Approval(approval_id, str(request.get("command") or ""), cwd=request.get("cwd"),
                        run_id=request.get("runId"))
        self._approvals[approval_id] = len(self.items)
        return [self._append(item)]

    def _approval_resolved(self, p: dict[str, Any]) -> list[Change]:
        approval_id = str(p.get("id"))
        changes: list[Change] = []
        if approval_id not in self._approvals:
            # Denied before anyone saw it (no approver reachable): still worth a row.
            changes = self._approval_requested(p)
            if not changes:
                return []
        index = self._approvals[approval_id]
        item = self.items[index]
        assert isinstance(item, Approval)
        decision, reason = p.get("decision"), p.get("reason")
        if decision in _DECISION_STATUS:
            item.status = _DECISION_STATUS[decision]
        else:
            item.status = ApprovalStatus.EXPIRED if decision is None and reason == "timeout" else ApprovalStatus.DENIED
        item.outcome = approval_outcome(decision, p.get("resolvedBy"), reason)
        return changes + [Updated(index)]

    # ---- run bookkeeping ------------------------------------------------------------
    def _run_for(self, raw_id: Any) -> tuple[_Run, list[Change]]:
        run_id = str(raw_id)
        run = self._runs.get(run_id)
        if run is not None:
            return run, []
        # A run started elsewhere: hold its place with a user row the window fills in.
        run = _Run(run_id, own=False)
        self._runs[run_id] = run
        change = self._append(UserMessage(ELSEWHERE_PLACEHOLDER, run_id))
        run.user_index = len(self.items) - 1
        return run, [change]

    def _set_text(self, run: _Run, full: str) -> list[Change]:
        if len(full) < len(run.full_text):
            return []  # the text only grows within a run: a shorter snapshot is stale
        run.full_text = full
        segment = full[run.segment_start:]
        if run.text_index is None:
            if not segment:
                return []
            self.items.append(AssistantText(segment, streaming=not run.ended, run_id=run.run_id))
            run.text_index = len(self.items) - 1
            return [Inserted(run.text_index)]
        item = self.items[run.text_index]
        assert isinstance(item, AssistantText)
        if segment == item.text:
            return []
        if segment.startswith(item.text):
            added, item.text = segment[len(item.text):], segment
            return [TextAppended(run.text_index, added)]
        item.text = segment
        return [Updated(run.text_index)]

    def _final_text(self, run: _Run, final: str) -> list[Change]:
        # The final message holds the last step's text only: it replaces the current row.
        if run.text_index is None:
            return [self._append(AssistantText(final, run_id=run.run_id))] if final else []
        item = self.items[run.text_index]
        assert isinstance(item, AssistantText)
        if final and final != item.text:
            item.text = final
            return [Updated(run.text_index)]
        return []

    def _close_segment(self, run: _Run, *, keep: bool = False) -> list[Change]:
        """Stop the current text row streaming; unless ``keep``, later text starts a new row."""
        changes: list[Change] = []
        if run.text_index is not None:
            item = self.items[run.text_index]
            if isinstance(item, AssistantText) and item.streaming:
                item.streaming = False
                changes.append(Updated(run.text_index))
        if not keep:
            run.text_index = None
            run.segment_start = len(run.full_text)
        return changes

    def _status(self, run: _Run, retry: dict[str, Any]) -> list[Change]:
        text = (f"model busy, retrying (attempt {retry.get('attempt')} of {retry.get('maxAttempts')})"
                + (f": {retry['reason']}" if isinstance(retry.get("reason"), str) else ""))
        if run.status_index is not None:
            marker = self.items[run.status_index]
            assert isinstance(marker, Marker)
            marker.text = text
            return [Updated(run.status_index)]
        run.status_index = len(self.items)
        return [self._append(Marker(text, "status", run.run_id))]

    def _end(self, run: _Run) -> list[Change]:
        # Keep the text row: an ``aborted`` event after the ack completes the partial text.
        changes = self._close_segment(run, keep=True)
        run.ended = True
        for index in run.tools.values():
            call = self.items[index]
            if isinstance(call, ToolCall) and call.status is ToolStatus.RUNNING:
                call.status = ToolStatus.INTERRUPTED
                changes.append(Updated(index))
        if run.resumed and run.full_text:
            self.history_stale = True
        return changes

    def _append(self, item: Item) -> Change:
        self.items.append(item)
        return Inserted(len(self.items) - 1)
