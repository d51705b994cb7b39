"""The system prompt: workspace bootstrap files (created with defaults on first run)
plus the eligible-skills block. Per-file and total character budgets as upstream."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

BOOTSTRAP_FILES = ("AGENTS.md", "SOUL.md", "USER.md", "TOOLS.md", "MEMORY.md")
MAX_FILE_CHARS = 20_000
MAX_TOTAL_CHARS = 60_000

DEFAULTS = {
    "AGENTS.md": """# Operating instructions

You are the user's assistant, running on their own computer through OpenClaw Desktop.
- Be concise. Spoken replies (talk mode) should be short, plain sentences.
- Use tools when they help; say what you are about to do before doing something with side effects.
- Shell commands go through the user's approval policy. If a command is refused, do not try to
  get around the refusal with a different spelling; explain what you wanted and why.
- Keep files inside the workspace. Record lasting facts the user asks you to remember in memory.
""",
    "SOUL.md": """# Persona

Friendly, direct and calm. Admit uncertainty. No filler, no flattery.
""",
    "USER.md": """# About the user

(Nothing recorded yet. Add preferences here: name, time zone, how they like answers.)
""",
    "TOOLS.md": """# Local tool notes

- `exec` runs shell commands through the approval policy (allowlisted commands run directly).
- `read`, `write`, `edit`, `ls` work on files inside this workspace only.
- `memory_search` / `memory_get` look through MEMORY.md and memory/*.md.
- `web_fetch` downloads a web page (size and time limited).
""",
    "MEMORY.md": """# Memory

Long-term notes about the user and their projects.
""",
}


def ensure_workspace(workspace: Path) -> None:
    """Create the workspace and any missing bootstrap file (never overwrite the user's)."""
    workspace.mkdir(parents=True, exist_ok=True, mode=0o700)
    (workspace / "memory").mkdir(exist_ok=True)
    for name, text in DEFAULTS.items():
        path = workspace / name
        if not path.exists():
            path.write_text(text, encoding="utf-8")


def build_system_prompt(workspace: Path, skills_block: str, now: datetime) -> str:
    parts = [f"You are an AI assistant hosted by OpenClaw Desktop. Current time: {now.isoformat(timespec='minutes')}."
             f" Workspace: {workspace}."]
    budget = MAX_TOTAL_CHARS
    for name in BOOTSTRAP_FILES:
        try:
            text = (workspace / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        text = text[:min(MAX_FILE_CHARS, budget)]
        budget -= len(text)
        if text.strip():
            parts.append(f"## {name}\n{text.strip()}")
        if budget <= 0:
            break
    if skills_block.strip():
        parts.append(skills_block.strip())
    return "\n\n".join(parts)
