"""One widget per transcript row: user and assistant text, tool calls, approvals,
errors and markers.

Each row renders one item of :mod:`openclaw_desktop.chat_view.items` (``render``);
the assistant row also grows in place (``append_text``) so a streaming delta inserts
text at the end of its document instead of re-laying out the whole reply. Every
string from the gateway or the model is shown as plain text, never as rich text or
HTML (a reply must not be able to draw links or fake buttons). Qt lives here.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from openclaw_desktop.chat_view.items import (
    Approval,
    ApprovalStatus,
    AssistantText,
    ErrorItem,
    Item,
    Marker,
    ToolCall,
    ToolStatus,
    UserMessage,
)

TOOL_STATUS_TEXT = {ToolStatus.RUNNING: "running…", ToolStatus.DONE: "done", ToolStatus.ERROR: "failed",
                    ToolStatus.INTERRUPTED: "interrupted"}
APPROVAL_STATUS_TEXT = {ApprovalStatus.PENDING: "waiting for approval", ApprovalStatus.ALLOWED_ONCE: "allowed",
                        ApprovalStatus.ALLOWED_ALWAYS: "allowed", ApprovalStatus.DENIED: "denied",
                        ApprovalStatus.EXPIRED: "expired"}


# Tints with alpha so light and dark palettes both read well; text keeps the palette's colour.
CHAT_STYLE = """
#userRow { background: rgba(64, 128, 255, 0.10); border-radius: 8px; }
#assistantRow { background: transparent; }
#rowHeader { font-weight: bold; }
#toolRow { background: rgba(127, 127, 127, 0.08); border: 1px solid rgba(127, 127, 127, 0.35);
           border-radius: 6px; }
#toolName { font-weight: bold; }
#toolArgs, #approvalCommand { font-family: monospace; }
#toolResult { color: #7a7a7a; }
#toolStatus[state="running"] { color: #b7791f; }
#toolStatus[state="done"] { color: #2f855a; }
#toolStatus[state="error"], #toolStatus[state="interrupted"] { color: #c53030; }
#approvalRow { background: rgba(236, 160, 0, 0.12); border: 1px solid rgba(236, 160, 0, 0.7);
               border-radius: 6px; }
#approvalTitle { font-weight: bold; }
#errorRow { background: rgba(220, 50, 50, 0.12); border: 1px solid rgba(220, 50, 50, 0.6);
            border-radius: 6px; }
#markerRow #noteText { color: #7a7a7a; font-style: italic; }
#linkBanner { background: rgba(220, 50, 50, 0.15); padding: 4px 8px; border-radius: 4px; }
"""


def restyle(widget: QWidget) -> None:
    """Re-apply the style sheet after a property used by a selector changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def plain_label(text: str = "", *, object_name: str | None = None, selectable: bool = True) -> QLabel:
    """A word-wrapped label that never interprets its text as rich text."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setText(text)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if object_name:
        label.setObjectName(object_name)
    return label


class GrowingText(QTextEdit):
    """Read-only plain text whose height follows its content (no inner scroll bar)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes composer → buttons, not through rows
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        self.document().setDocumentMargin(2)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self.setPlainText(text)

    def append(self, text: str) -> None:  # type: ignore[override]  # QTextEdit.append adds a paragraph
        """Insert ``text`` at the very end, without touching what is already laid out."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)

    def _fit(self, size: QSize | None = None) -> None:
        height = int(self.document().size().height()) + 2 * self.frameWidth() + 2
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # Qt's signature
        super().resizeEvent(event)
        self._fit()


class Row(QFrame):
    """Base of every row: ``render(item)`` shows the item's current state."""

    def render_item(self, item: Item) -> None:
        raise NotImplementedError


class TextRow(Row):
    """The user's message or a stretch of the assistant's reply."""

    def __init__(self, who: str, item: UserMessage | AssistantText) -> None:
        super().__init__()
        self.setObjectName("userRow" if isinstance(item, UserMessage) else "assistantRow")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(0)
        self.header = plain_label(who, object_name="rowHeader", selectable=False)
        self.body = GrowingText(item.text)
        layout.addWidget(self.header)
        layout.addWidget(self.body)
        self._who = who
        self.render_item(item)

    @property
    def text(self) -> str:
        return self.body.toPlainText()

    def render_item(self, item: Item) -> None:
        assert isinstance(item, UserMessage | AssistantText)
        if self.body.toPlainText() != item.text:
            self.body.setPlainText(item.text)
        streaming = isinstance(item, AssistantText) and item.streaming
        self.header.setText(self._who + ("  ·  writing…" if streaming else ""))

    def append_text(self, text: str) -> None:
        self.body.append(text)


class ToolRow(Row):
    """A tool call: name, argument summary, status, result summary."""

    def __init__(self, item: ToolCall) -> None:
        super().__init__()
        self.setObjectName("toolRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        top = QHBoxLayout()
        self.name = plain_label(object_name="toolName", selectable=False)
        self.status = plain_label(object_name="toolStatus", selectable=False)
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight)
        top.addWidget(self.name, 1)
        top.addWidget(self.status)
        self.args = plain_label(object_name="toolArgs")
        self.result = plain_label(object_name="toolResult")
        layout.addLayout(top)
        layout.addWidget(self.args)
        layout.addWidget(self.result)
        self.render_item(item)

    def render_item(self, item: Item) -> None:
        assert isinstance(item, ToolCall)
        self.name.setText(f"⚙ {item.name}")
        self.status.setText(TOOL_STATUS_TEXT[item.status])
        self.status.setProperty("state", str(item.status))
        restyle(self.status)
        self.args.setText(item.args_summary)
        self.args.setVisible(bool(item.args_summary))
        self.result.setText(item.result_summary or "")
        self.result.setVisible(bool(item.result_summary))


class ApprovalRow(Row):
    """An exec approval: the command, its state, and "Open approval" while it is pending."""

    open_requested = Signal(str)

    def __init__(self, item: Approval) -> None:
        super().__init__()
        self.setObjectName("approvalRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._id = item.approval_id
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        top = QHBoxLayout()
        self.title = plain_label(object_name="approvalTitle", selectable=False)
        self.open_button = QPushButton("Open approval")
        self.open_button.clicked.connect(lambda: self.open_requested.emit(self._id))
        top.addWidget(self.title, 1)
        top.addWidget(self.open_button)
        self.command = plain_label(object_name="approvalCommand")
        self.outcome = plain_label(object_name="approvalOutcome", selectable=False)
        layout.addLayout(top)
        layout.addWidget(self.command)
        layout.addWidget(self.outcome)
        self.render_item(item)

    def render_item(self, item: Item) -> None:
        assert isinstance(item, Approval)
        pending = item.status is ApprovalStatus.PENDING
        self.title.setText(f"⚠ Command approval — {APPROVAL_STATUS_TEXT[item.status]}")
        self.command.setText(item.command + (f"\nin {item.cwd}" if item.cwd else ""))
        self.outcome.setText(item.outcome or "")
        self.outcome.setVisible(bool(item.outcome))
        self.open_button.setVisible(pending)


class NoteRow(Row):
    """An error from the gateway, or a marker such as "aborted"."""

    def __init__(self, item: ErrorItem | Marker) -> None:
        super().__init__()
        self.setObjectName("errorRow" if isinstance(item, ErrorItem) else "markerRow")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        self.label = plain_label(object_name="noteText")
        if isinstance(item, Marker):
            self.label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.label)
        self.render_item(item)

    @property
    def text(self) -> str:
        return self.label.text()

    def render_item(self, item: Item) -> None:
        if isinstance(item, ErrorItem):
            self.label.setText(f"⚠ {item.message}")
        else:
            assert isinstance(item, Marker)
            self.label.setText(f"— {item.text} —" if item.kind == "aborted" else item.text)


def make_row(item: Item) -> Row:
    """The row widget for ``item``."""
    if isinstance(item, UserMessage):
        return TextRow("You", item)
    if isinstance(item, AssistantText):
        return TextRow("Assistant", item)
    if isinstance(item, ToolCall):
        return ToolRow(item)
    if isinstance(item, Approval):
        return ApprovalRow(item)
    return NoteRow(item)
