"""Persistent storage: the SQLite lifecycle (the only aiosqlite user) and JSONL logs."""
