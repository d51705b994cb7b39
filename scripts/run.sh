#!/usr/bin/env bash
# README command 1: set up (if needed) and run OpenClaw Desktop. Extra arguments are
# passed to `openclaw-desktop` (e.g. `scripts/run.sh gateway --port 18789`).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/bootstrap.sh" ui,voice,hotkey
exec "$ROOT/.venv/bin/openclaw-desktop" "$@"
