#!/usr/bin/env bash
# README command 2: install everything the tests need and run the whole suite.
# Extra arguments go to pytest (e.g. `scripts/test.sh -k pairing`).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/bootstrap.sh" ui,voice,hotkey,test
# The official OpenClaw from npm drives our gateway in tests/interop.
OPENCLAW_PEER_DIR=$("$ROOT/scripts/install-peer.sh" | tail -n 1)
export OPENCLAW_PEER_DIR
cd "$ROOT"
exec "$ROOT/.venv/bin/python" -m pytest "$@"
