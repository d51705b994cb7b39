#!/usr/bin/env bash
# Build the Linux .deb with Briefcase, offline from GitHub (our own template, see
# docs/packaging.md). Prints the .deb's path as the last line of stdout.
#
#   scripts/build-deb.sh            # reuse build/briefcase/dist/*.deb if it is newer than the sources
#   scripts/build-deb.sh --force    # always rebuild
#
# Briefcase's "linux system" format must run on the distribution's own Python
# (/usr/bin/python3): the package links against its libpython and depends on it. So
# Briefcase lives in its own venv made from /usr/bin/python3, cached under
# ~/.cache/openclaw-desktop (pip's download cache makes rebuilds fast as well).
# Timings go to build/briefcase/deb-build.json (read by tests/packaging and bench).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STAGE="$ROOT/build/briefcase"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/openclaw-desktop"
BRIEFCASE_VERSION=0.4.7   # the template's path index follows this version's contract
VENV="$CACHE/briefcase-$BRIEFCASE_VERSION-venv"
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

# Build tools, plus the package's run-time Depends: Briefcase checks that both are installed
# on the build machine and stops with an apt hint if one is missing.
BUILD_PACKAGES=(python3 python3-venv python3-dev build-essential dpkg-dev git)
mapfile -t RUNTIME_PACKAGES < <(python3 -c '
import sys, tomllib
doc = tomllib.load(open(sys.argv[1], "rb"))
app = doc["tool"]["briefcase"]["app"]["openclaw-desktop"]
print("\n".join(app["linux"]["system"]["debian"]["system_runtime_requires"]))' "$ROOT/briefcase.toml")
BUILD_PACKAGES+=("${RUNTIME_PACKAGES[@]}")
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in "${BUILD_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "build-deb: apt-get install ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
fi

existing=$(ls -t "$STAGE"/dist/openclaw-desktop_*.deb 2>/dev/null | head -n 1 || true)
if [ "$FORCE" = 0 ] && [ -n "$existing" ]; then
  newer=$(cd "$ROOT" && find openclaw_desktop installers pyproject.toml briefcase.toml -newer "$existing" \
          -not -path '*/__pycache__*' -print -quit)
  if [ -z "$newer" ]; then
    echo "build-deb: $existing is up to date (use --force to rebuild)" >&2
    echo "$existing"
    exit 0
  fi
fi

if [ ! -x "$VENV/bin/briefcase" ]; then
  echo "build-deb: creating $VENV" >&2
  rm -rf "$VENV"
  /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >&2
  "$VENV/bin/python" -m pip install -q "briefcase==$BRIEFCASE_VERSION" >&2
fi

# zstd instead of dpkg's default xz: about as small for this mostly-binary payload and many
# times faster on a 2-core CI machine (dpkg reads zstd since Debian 12 and Ubuntu 21.10).
export DPKG_DEB_COMPRESSOR_TYPE=${DPKG_DEB_COMPRESSOR_TYPE:-zstd}
export DPKG_DEB_COMPRESSOR_LEVEL=${DPKG_DEB_COMPRESSOR_LEVEL:-9}

start=$(date +%s.%N)
rm -rf "$STAGE/build" "$STAGE/dist"
"$VENV/bin/python" "$ROOT/installers/briefcase_stage.py" --dest "$STAGE" >&2
cd "$STAGE"
# No git identity or GitHub is needed: the template is a local folder.
"$VENV/bin/briefcase" create linux system --no-input >&2
created=$(date +%s.%N)
"$VENV/bin/briefcase" build linux system --no-input >&2
built=$(date +%s.%N)
"$VENV/bin/briefcase" package linux system --no-input --adhoc-sign >&2
done_at=$(date +%s.%N)

deb=$(ls -t "$STAGE"/dist/openclaw-desktop_*.deb | head -n 1)
python3 - "$deb" "$start" "$created" "$built" "$done_at" > "$STAGE/deb-build.json" <<'EOF'
import json, os, sys
deb, start, created, built, done = sys.argv[1], *map(float, sys.argv[2:])
print(json.dumps({"deb": deb, "bytes": os.path.getsize(deb), "create_s": round(created - start, 1),
                  "build_s": round(built - created, 1), "package_s": round(done - built, 1),
                  "total_s": round(done - start, 1)}))
EOF
echo "build-deb: $(cat "$STAGE/deb-build.json")" >&2
echo "$deb"
