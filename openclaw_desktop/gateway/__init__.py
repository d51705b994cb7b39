"""The asyncio gateway: WebSocket + HTTP server, handshake, dispatcher and handlers.

Thin adapter over ``openclaw_desktop.protocol``; never imports Qt.
"""
