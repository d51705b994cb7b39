"""Sans-I/O core of the OpenClaw gateway protocol v4.

Frames, the connect handshake checks, device signatures and scope rules. Pure code:
this package must not import asyncio, websockets, Qt or anything of ours except
``openclaw_desktop.errors``; callers pass the clock in as ``now_ms``.
"""
