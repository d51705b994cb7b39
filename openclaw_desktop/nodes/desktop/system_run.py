"""``system.run`` on this desktop node, through the same command-safety policy as the
agent's ``exec`` tool (the exec approvals document under the state dir).

Headless (``PolicyRunner``) a node has no approver, so a command the policy would *ask*
about is refused with ``SYSTEM_RUN_DENIED: approval-required`` — fail closed. In the
tray app ``ApprovingRunner`` asks through the approval broker and its native dialog. The argv is analysed exactly as it will run (quoted
with ``shlex.join``), never the display text ``rawCommand``.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from openclaw_desktop.approvals.audit import AuditLog
from openclaw_desktop.approvals.document_store import ApprovalsDocumentStore
from openclaw_desktop.approvals.exec_service import ExecService
from openclaw_desktop.approvals.policy import DecisionKind, decide
from openclaw_desktop.approvals.runner import confine, run_command, scrub_env

from .ports import CommandError


class PolicyRunner:
    """Runs allowed argv in the node workspace; denies everything else."""

    def __init__(self, documents: ApprovalsDocumentStore, audit: AuditLog, workspace: Path,
                 clock_ms: Callable[[], int], env: Mapping[str, str] | None = None) -> None:
        self.documents, self.audit, self.workspace, self.clock_ms = documents, audit, workspace, clock_ms
        self.env = dict(os.environ if env is None else env)

    @staticmethod
    def for_state(state_dir: Path, clock_ms: Callable[[], int]) -> PolicyRunner:
        workspace = state_dir / "workspace"
        workspace.mkdir(parents=True, exist_ok=True, mode=0o700)
        return PolicyRunner(ApprovalsDocumentStore(state_dir / "exec-approvals.json"),
                            AuditLog(state_dir / "logs" / "exec-audit.jsonl"), workspace, clock_ms)

    async def run(self, argv: list[str], cwd: str | None, timeout_ms: int) -> dict[str, Any]:
        text = shlex.join(argv)
        entry: dict[str, Any] = {"ts": self.clock_ms(), "host": "node", "command": text, "cwd": cwd}
        try:
            folder = confine(self.workspace, cwd)
        except ValueError as exc:
            self.audit.append({**entry, "event": "exec.refused", "reasons": [str(exc)]})
            raise CommandError("SYSTEM_RUN_DENIED", f"SYSTEM_RUN_DENIED: cwd-unavailable ({exc})") from None
        doc, _ = self.documents.load()
        decision = decide(text, doc, "main", cwd=str(folder), path_env=self.env.get("PATH", os.defpath))
        entry.update(decision=str(decision.kind), reasons=list(decision.reasons))
        if decision.kind != DecisionKind.ALLOW:
            why = "security=deny" if str(decision.policy.security) == "deny" else (
                "approval-required" if decision.kind == DecisionKind.ASK else "allowlist-miss")
            self.audit.append({**entry, "event": "exec.refused"})
            raise CommandError("SYSTEM_RUN_DENIED", f"SYSTEM_RUN_DENIED: {why} ({decision.reasons[0]})")
        seg = decision.segments[0] if len(decision.segments) == 1 else None
        run_argv = [seg.executable, *argv[1:]] if seg is not None and seg.executable else None
        self.audit.append({**entry, "event": "exec.start", "via": "policy"})
        result = await run_command(argv=run_argv, shell_text=None if run_argv else text, cwd=folder,
                                   env=scrub_env(self.env), timeout_s=timeout_ms / 1000)
        self.audit.append({"ts": self.clock_ms(), "event": "exec.finish", "host": "node", "command": text,
                           "exitCode": result.exit_code, "timedOut": result.timed_out})
        return {"exitCode": result.exit_code, "timedOut": result.timed_out, "success": result.success,
                "stdout": result.stdout, "stderr": result.stderr, "error": None}


class ApprovingRunner:
    """``system.run`` when this machine has an approver (the tray app's dialogs).

    Goes through the very ``ExecService`` the agent's ``exec`` tool uses: policy, live
    grants, then the approval broker — so an *ask* pops the native dialog on the machine
    where the command would run, and allow-always grants apply to both paths. Anything
    not run (denied, timed out, no approver) is ``SYSTEM_RUN_DENIED``: fail closed.
    """

    def __init__(self, exec_service: ExecService, session_key: str = "node:system.run") -> None:
        self.exec_service = exec_service
        self.session_key = session_key

    async def run(self, argv: list[str], cwd: str | None, timeout_ms: int) -> dict[str, Any]:
        outcome = await self.exec_service.run(shlex.join(argv), cwd=cwd, session_key=self.session_key,
                                              timeout_s=timeout_ms / 1000)
        if not outcome.ran or outcome.result is None:
            why = "approval-denied" if outcome.decision == "ask" else "security-deny"
            raise CommandError("SYSTEM_RUN_DENIED", f"SYSTEM_RUN_DENIED: {why} ({'; '.join(outcome.reasons)})")
        r = outcome.result
        return {"exitCode": r.exit_code, "timedOut": r.timed_out, "success": r.success,
                "stdout": r.stdout, "stderr": r.stderr, "error": None, "approvedBy": outcome.approved_by}
