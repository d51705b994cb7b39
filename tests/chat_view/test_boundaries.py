"""The chat view-model is pure: no Qt, no asyncio, no sockets; small documented modules."""

from __future__ import annotations

from tests.test_import_boundaries import PACKAGE, imported_roots

FORBIDDEN = {"asyncio", "socket", "websockets", "aiosqlite", "PySide6", "qasync", "shiboken6", "time"}


def test_chat_view_is_pure_and_small():
    modules = sorted((PACKAGE / "chat_view").glob("*.py"))
    assert len(modules) >= 5
    for path in modules:
        assert not imported_roots(path) & FORBIDDEN, path.name
        text = path.read_text()
        assert text.startswith('"""'), path.name
        assert text.count("\n") < 400, path.name
