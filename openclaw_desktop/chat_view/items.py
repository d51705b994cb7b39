"""The rows of a chat transcript, and the change notes a view applies.

Items are small mutable dataclasses: the transcript model updates a streaming reply
or a tool call's status in place and reports the row's index in a change note.
Pure data; imports nothing but the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ToolStatus(StrEnum):
    """Where one tool call is."""

    RUNNING = "running"
    DONE = "done"
    ERROR = "error"
    INTERRUPTED = "interrupted"  # the run ended (abort, error, crash) before the tool answered


class ApprovalStatus(StrEnum):
    """Where one exec approval is; everything but PENDING and the two allows is a deny."""

    PENDING = "pending"
    ALLOWED_ONCE = "allowed-once"
    ALLOWED_ALWAYS = "allowed-always"
    DENIED = "denied"
    EXPIRED = "expired"


@dataclass
class UserMessage:
    """What the user (here or on another device) said."""

    text: str
    run_id: str | None = None


@dataclass
class AssistantText:
    """One stretch of the assistant's reply; ``streaming`` while deltas still arrive."""

    text: str
    streaming: bool = False
    run_id: str | None = None


@dataclass
class ToolCall:
    """A tool the agent ran: name, a one-line argument summary, status, result summary."""

    call_id: str
    name: str
    args_summary: str
    status: ToolStatus = ToolStatus.RUNNING
    result_summary: str | None = None
    run_id: str | None = None


@dataclass
class Approval:
    """An exec approval asked during this session, and how it ended."""

    approval_id: str
    command: str
    status: ApprovalStatus = ApprovalStatus.PENDING
    outcome: str | None = None  # a sentence saying who answered, or why it ended
    cwd: str | None = None
    run_id: str | None = None


@dataclass
class ErrorItem:
    """An error the gateway reported (e.g. "no model configured"), shown inline."""

    message: str
    kind: str = "unknown"
    run_id: str | None = None


@dataclass
class Marker:
    """A short note in the flow: "aborted", or a retry notice while the model is busy."""

    text: str
    kind: str  # "aborted" | "status"
    run_id: str | None = None


Item = UserMessage | AssistantText | ToolCall | Approval | ErrorItem | Marker


@dataclass(frozen=True)
class Reset:
    """Every row changed (a history load): rebuild the view from ``items``."""


@dataclass(frozen=True)
class Inserted:
    """A new row at ``index`` (rows are only ever appended, so it is the last one)."""

    index: int


@dataclass(frozen=True)
class Updated:
    """The row at ``index`` changed in place: re-render that row only."""

    index: int


@dataclass(frozen=True)
class TextAppended:
    """The assistant row at ``index`` grew by ``text`` at its end (a streaming delta)."""

    index: int
    text: str


Change = Reset | Inserted | Updated | TextAppended
