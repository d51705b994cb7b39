"""The chat window (Qt): ``ChatWindow(link)`` over the pure view-model in
``openclaw_desktop/chat_view``. ``window`` wires the link and the widgets; ``rows``,
``transcript_view``, ``composer`` and ``session_picker`` are its parts."""

from .window import ChatWindow

__all__ = ["ChatWindow"]
