"""Agent runs per session: one at a time per session (later sends queue), sessions in
parallel, idempotent ``chat.send``, abort, wait, history.

Events go out through ``emit`` (wired to the gateway broadcast by the composition root).
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from openclaw_desktop.errors import invalid_request

from .llm.port import LanguageModel
from .messages import text_of
from .prompt import build_system_prompt
from .session_keys import agent_of
from .session_store import SessionStore
from .tools.base import ToolRegistry
from .turn import Emit, TurnContext, TurnResult, run_turn

log = logging.getLogger("agent")
MAX_RUN_RECORDS = 1000
NO_MODEL_MESSAGE = ("no model configured: set ANTHROPIC_API_KEY (or store a key with Settings → AI, kept in the "
                    "OS keyring) and, for a local Anthropic-compatible server, ANTHROPIC_BASE_URL")


@dataclass
class RunRecord:
    run_id: str
    session_key: str
    started_at: int
    task: asyncio.Task[TurnResult] | None = None
    result: TurnResult | None = None
    ended_at: int | None = None


@dataclass
class AgentService:
    """Owns sessions' runs. ``model_for(model_id)`` returns a model or None (no key)."""

    store: SessionStore
    tools: ToolRegistry
    workspace: Path
    model_for: Callable[[], LanguageModel | None]
    default_model: str
    skills_block: Callable[[], str]
    emit: Emit
    clock_ms: Callable[[], int]
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _runs: OrderedDict[str, RunRecord] = field(default_factory=OrderedDict)

    # ---- starting ---------------------------------------------------------------------
    def send(self, session_key: str, message: str, idempotency_key: str) -> dict[str, Any]:
        """Admit a user message; the reply streams as events. Returns the ack."""
        existing = self._runs.get(idempotency_key)
        if existing is not None:
            status = "ok" if existing.result is not None else "in_flight"
            return {"runId": existing.run_id, "status": status}
        text = clean_message(message)
        record = RunRecord(idempotency_key, session_key, self.clock_ms())
        self._runs[idempotency_key] = record
        while len(self._runs) > MAX_RUN_RECORDS:
            oldest = next(iter(self._runs.values()))
            if oldest.result is None:
                break  # never forget a run that is still going
            self._runs.popitem(last=False)
        record.task = asyncio.get_running_loop().create_task(self._run(record, text), name=f"run {idempotency_key}")
        return {"runId": idempotency_key, "status": "started"}

    async def _run(self, record: RunRecord, text: str) -> TurnResult:
        lock = self._locks.setdefault(record.session_key, asyncio.Lock())
        ctx = TurnContext(record.run_id, record.session_key, agent_of(record.session_key), self.default_model, "",
                          self.emit, self.clock_ms)
        try:
            async with lock:  # one run per session at a time; later sends wait here in order
                result = await self._turn(ctx, record, text)
        except asyncio.CancelledError:
            record.result = TurnResult("aborted", stop_reason="aborted")
            record.ended_at = self.clock_ms()
            raise
        except Exception as exc:  # a bug must end the run visibly, not kill the gateway
            log.exception("run %s failed", record.run_id)
            ctx.chat("error", errorMessage=f"internal error: {exc}", errorKind="unknown")
            result = TurnResult("error", error_message=str(exc), error_kind="unknown")
        record.result, record.ended_at = result, self.clock_ms()
        self.emit("sessions.changed", {"sessionKey": record.session_key, "reason": "turn"})
        return result

    async def _turn(self, ctx: TurnContext, record: RunRecord, text: str) -> TurnResult:
        now = self.clock_ms()
        entry, transcript, loaded = self.store.open(record.session_key, now, str(self.workspace))
        history = loaded.messages
        history.append(transcript.append_message({"role": "user", "content": [{"type": "text", "text": text}],
                                                  "idempotencyKey": record.run_id}, now))
        ctx.model_id = entry.model or self.default_model
        model = await asyncio.to_thread(self.model_for)  # may consult the OS keyring (blocking)
        if model is None:
            ctx.chat("error", errorMessage=NO_MODEL_MESSAGE, errorKind="unknown")
            ctx.agent("lifecycle", {"phase": "error", "error": NO_MODEL_MESSAGE})
            return TurnResult("error", error_message=NO_MODEL_MESSAGE, error_kind="no_model")
        # Reading workspace files and SKILL.md folders is blocking I/O: keep it off the loop.
        ctx.system = await asyncio.to_thread(
            lambda: build_system_prompt(self.workspace, self.skills_block(), datetime.now().astimezone()))
        try:
            result = await run_turn(ctx, model, self.tools, transcript, history)
        finally:
            preview = next((text_of(m) for m in reversed(history) if m.get("role") == "assistant"), None)
            used = sum(m.get("usage", {}).get("input", 0) for m in history if m.get("role") == "assistant"), \
                sum(m.get("usage", {}).get("output", 0) for m in history if m.get("role") == "assistant")
            self.store.update(record.session_key, updated_at=self.clock_ms(), input_tokens=used[0],
                              output_tokens=used[1], last_message_preview=(preview or "")[:200] or None)
        return result

    # ---- controlling ------------------------------------------------------------------
    def abort(self, session_key: str, run_id: str | None = None) -> list[str]:
        """Cancel the running (and queued) runs of a session; returns their ids."""
        hit = []
        for record in self._runs.values():
            if record.session_key == session_key and record.result is None and record.task is not None \
                    and (run_id is None or record.run_id == run_id):
                record.task.cancel()
                hit.append(record.run_id)
        return hit

    def active_runs(self, session_key: str) -> list[str]:
        return [r.run_id for r in self._runs.values() if r.session_key == session_key and r.result is None]

    async def wait(self, run_id: str, timeout_s: float | None = None) -> RunRecord:
        record = self._runs.get(run_id)
        if record is None or record.task is None:
            raise invalid_request(f"unknown runId: {run_id}")
        # asyncio.wait never raises the task's outcome and leaves the run alone when the
        # waiter is cancelled; a timeout just returns the record with no result yet.
        await asyncio.wait({record.task}, timeout=timeout_s)
        return record

    async def close(self) -> None:
        """Shutdown: abort every run and wait for them to record their partial state."""
        tasks = [r.task for r in self._runs.values() if r.task is not None and not r.task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


def clean_message(message: Any) -> str:
    """NFC-normalise, refuse NUL, strip control characters except tab and newline."""
    if not isinstance(message, str):
        raise invalid_request("invalid chat.send params: message must be a string")
    if "\x00" in message:
        raise invalid_request("invalid chat.send params: message contains a NUL character")
    text = unicodedata.normalize("NFC", message)
    return "".join(c for c in text if c in "\t\n" or unicodedata.category(c) != "Cc")
