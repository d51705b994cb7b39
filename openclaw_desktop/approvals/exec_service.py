"""The agent's only way to run a shell command: policy → grants → approval → run → audit.

No text the model produces can run unless the policy allows it, a grant the user made
covers it, or a human approves it through the broker. Every step is appended to the
audit log before the command starts (or before the denial is returned).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .audit import AuditLog
from .broker import ALLOW_ALWAYS, ApprovalBroker, ApprovalRequest, Resolution
from .document_store import ApprovalsDocumentStore
from .grants import Grant, grant_for, grant_to_entry, grants_cover
from .policy import Decision, DecisionKind, decide, fallback_decision
from .resolution import Resolver
from .runner import DEFAULT_TIMEOUT_S, ExecResult, confine, run_command, scrub_env


@dataclass(frozen=True)
class ExecOutcome:
    """What happened to one exec request (returned to the agent as a tool result)."""

    ran: bool
    decision: str  # the policy's verdict: allow | ask | deny
    via: str  # policy | grant | allow-once | allow-always | ask-fallback | denied | timeout | error
    reasons: tuple[str, ...]
    approved_by: str | None = None
    result: ExecResult | None = None

    def to_tool_text(self) -> str:
        if not self.ran:
            return "Command was not run: " + "; ".join(self.reasons)
        r = self.result
        assert r is not None
        status = "timed out (process group killed)" if r.timed_out else f"exit code {r.exit_code}"
        parts = [f"[{status}]"]
        if r.stdout:
            parts.append(r.stdout)
        if r.stderr:
            parts.append("[stderr]\n" + r.stderr)
        return "\n".join(parts)


@dataclass
class MemoryGrant:
    grant_id: str
    agent_id: str
    grant: Grant
    created_at_ms: int


@dataclass
class ExecService:
    """Wires the pure policy to the broker, the runner and the audit log."""

    documents: ApprovalsDocumentStore
    broker: ApprovalBroker
    audit: AuditLog
    workspace: Path
    clock_ms: Callable[[], int]
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    resolver: Resolver | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    _grants: list[MemoryGrant] = field(default_factory=list)

    async def run(self, command: str, *, cwd: str | None = None, agent_id: str = "main",
                  session_key: str | None = None, timeout_s: float | None = None,
                  run_id: str | None = None) -> ExecOutcome:
        """Decide, maybe ask, maybe run. Never raises for a refused command."""
        entry: dict[str, Any] = {"ts": self.clock_ms(), "command": command, "cwd": cwd, "agentId": agent_id,
                                 "sessionKey": session_key, "runId": run_id}
        try:
            folder = confine(self.workspace, cwd)
        except ValueError as exc:
            return self._refuse(entry, "error", "deny", (str(exc),))
        doc, _ = self.documents.load()
        decision = decide(command, doc, agent_id, cwd=str(folder), path_env=self.env.get("PATH", os.defpath),
                          resolver=self.resolver)
        entry.update(decision=str(decision.kind), reasons=list(decision.reasons),
                     executables=[s.executable for s in decision.segments])
        if decision.kind == DecisionKind.DENY:
            return self._refuse(entry, "denied", "deny", decision.reasons)
        if decision.kind == DecisionKind.ALLOW:
            return await self._execute(entry, decision, folder, "policy", None, timeout_s)
        now = self.clock_ms()
        live = [g.grant for g in self._grants if g.agent_id == agent_id]
        if grants_cover(live, decision, str(folder), session_key, now):
            return await self._execute(entry, decision, folder, "grant", None, timeout_s)
        resolution = await self.broker.request(self._approval_request(command, decision, folder, agent_id,
                                                                      session_key, run_id))
        entry.update(approval=resolution.decision, approvalReason=resolution.reason,
                     approvedBy=resolution.resolved_by)
        if resolution.allowed:
            if resolution.decision == ALLOW_ALWAYS:
                entry["grants"] = self._remember(resolution, decision, folder, agent_id, session_key)
            return await self._execute(entry, decision, folder, resolution.decision or "", resolution.resolved_by,
                                       timeout_s)
        if resolution.reason == "timeout":
            fallback = fallback_decision(decision)
            if fallback.kind == DecisionKind.ALLOW:
                return await self._execute(entry, decision, folder, "ask-fallback", None, timeout_s)
            return self._refuse(entry, "timeout", "ask", ("nobody answered the approval in time", *decision.reasons))
        who = resolution.resolved_by if resolution.reason == "user" else resolution.reason
        return self._refuse(entry, "denied", "ask", (f"denied ({who})", *decision.reasons))

    def _approval_request(self, command: str, decision: Decision, folder: Path, agent_id: str,
                          session_key: str | None, run_id: str | None) -> ApprovalRequest:
        first = decision.segments[0] if decision.segments else None
        single = len(decision.segments) == 1 and not decision.hazards
        return ApprovalRequest(
            command=command, argv=first.argv if single and first else None, cwd=str(folder), agent_id=agent_id,
            session_key=session_key, resolved_path=first.executable if first else None, reasons=decision.reasons,
            security=str(decision.policy.security), ask=str(decision.policy.ask),
            # Only hazard-free commands of trusted executables can be remembered; asking
            # "always" means the user wants to see every command, so no grants either.
            allow_always=bool(decision.segments) and not decision.hazards
            and all(s.grantable for s in decision.segments) and str(decision.policy.ask) != "always",
            run_id=run_id,
        )

    def _remember(self, resolution: Resolution, decision: Decision, folder: Path, agent_id: str,
                  session_key: str | None) -> list[dict[str, Any]]:
        """Turn an allow-always into grants: persistent ones into the allowlist, the
        session/timed ones into memory (they end with the app or their timer)."""
        choice = resolution.grant
        assert choice is not None
        minted: list[dict[str, Any]] = []
        entries = []
        for segment in decision.segments:
            grant = grant_for(choice.scope, segment, cwd=str(folder), session_key=session_key,
                              now_ms=self.clock_ms(), minutes=choice.minutes)
            if grant is None:
                continue
            grant_id = str(uuid.uuid4())
            allow_entry = grant_to_entry(grant, grant_id)
            if allow_entry is not None:
                # The readable grant rides along (the policy parser ignores unknown keys)
                # so grant listings can say what the encoded argPattern means.
                entries.append({**allow_entry.to_json(), "grant": grant.to_json(), "createdAtMs": self.clock_ms()})
            else:
                self._grants.append(MemoryGrant(grant_id, agent_id, grant, self.clock_ms()))
            minted.append({"grantId": grant_id, **grant.to_json()})
        if entries:
            def add(doc: dict[str, Any]) -> None:
                agent = doc.setdefault("agents", {}).setdefault(agent_id, {})
                agent.setdefault("allowlist", []).extend(entries)

            self.documents.update(add)
        return minted

    async def _execute(self, entry: dict[str, Any], decision: Decision, folder: Path, via: str,
                       approved_by: str | None, timeout_s: float | None) -> ExecOutcome:
        segments = decision.segments
        # One proven-simple command runs as its argv with the executable we resolved and
        # checked (no shell, no second PATH lookup); anything else runs as the text shown.
        if len(segments) == 1 and not decision.hazards and segments[0].executable and segments[0].segment.static:
            argv, text = [segments[0].executable, *segments[0].argv[1:]], None
        else:
            argv, text = None, entry["command"]
        entry.update(via=via, approvedBy=approved_by, ran=True)
        self.audit.append({**entry, "event": "exec.start"})
        result = await run_command(argv=argv, shell_text=text, cwd=folder, env=scrub_env(self.env),
                                   timeout_s=timeout_s or self.timeout_s)
        self.audit.append({"ts": self.clock_ms(), "event": "exec.finish", "command": entry["command"],
                           "runId": entry.get("runId"), "exitCode": result.exit_code, "timedOut": result.timed_out,
                           "durationMs": result.duration_ms, "truncated": result.truncated})
        return ExecOutcome(True, entry["decision"], via, decision.reasons, approved_by, result)

    def _refuse(self, entry: dict[str, Any], via: str, verdict: str, reasons: tuple[str, ...]) -> ExecOutcome:
        entry.update(via=via, ran=False, reasons=list(reasons), event="exec.refused")
        self.audit.append(entry)
        return ExecOutcome(False, entry.get("decision", verdict), via, reasons)

    # ---- grants ---------------------------------------------------------------------
    def list_grants(self) -> list[dict[str, Any]]:
        """Every live grant: remembered allow-always entries and session/timed grants."""
        now = self.clock_ms()
        self._grants = [g for g in self._grants if g.grant.expires_at_ms is None or g.grant.expires_at_ms > now]
        out = [{"grantId": g.grant_id, "agentId": g.agent_id, "persistent": False, "createdAtMs": g.created_at_ms,
                **g.grant.to_json()} for g in self._grants]
        doc, _ = self.documents.load()
        for agent_id, agent in (doc.get("agents") or {}).items():
            for item in agent.get("allowlist") or []:
                if item.get("source") == "allow-always":
                    shown = item.get("grant") if isinstance(item.get("grant"), dict) else {
                        "executable": item.get("pattern"), "scope": "allowlist"}
                    out.append({"grantId": item.get("id"), "agentId": agent_id, "persistent": True,
                                "createdAtMs": item.get("createdAtMs"), **shown})
        return out

    def revoke_grant(self, grant_id: str) -> bool:
        before = len(self._grants)
        self._grants = [g for g in self._grants if g.grant_id != grant_id]
        if len(self._grants) != before:
            return True
        found = False

        def drop(doc: dict[str, Any]) -> None:
            nonlocal found
            for agent in (doc.get("agents") or {}).values():
                kept = [e for e in agent.get("allowlist") or [] if e.get("id") != grant_id]
                found = found or len(kept) != len(agent.get("allowlist") or [])
                agent["allowlist"] = kept

        self.documents.update(drop)
        return found
