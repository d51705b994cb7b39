#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: system packages (when root on Debian/Ubuntu)
# and a project virtualenv in .venv with the package installed in editable mode.
#   $1 = extras to install, e.g. "test"
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EXTRAS=${1:-}
APT_PACKAGES=(python3 python3-venv python3-pip nodejs npm ca-certificates curl)
# Qt (PySide6 wheels) needs these system libraries; Xvfb gives the UI/screen tests a display.
QT_PACKAGES=(libegl1 libgl1 libfontconfig1 fonts-dejavu-core libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
             libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
             libxcb-xkb1 libpulse0)
# Screenshot tests: trayer hosts the tray icon, xcompmgr composites translucent windows,
# imagemagick (import) grabs the screen, x11-utils (xwininfo) waits for windows.
TEST_PACKAGES=(xvfb xauth trayer xcompmgr imagemagick x11-utils)
# The talk overlay's real-window test: a window manager (jwm) so that "does not take the
# focus" means something, and xdotool for real clicks.
TEST_PACKAGES+=(jwm xdotool)
# Voice: sounddevice's Linux wheel needs the system PortAudio. The voice tests run a private
# PulseAudio with null sinks as virtual mic/speaker (tests/voice/audio_env.py) and make
# speech with espeak-ng.
VOICE_PACKAGES=(libportaudio2)
VOICE_TEST_PACKAGES=(pulseaudio pulseaudio-utils libasound2-plugins espeak-ng)
# Packaging (tests/packaging): debootstrap makes the clean root the .deb is installed into,
# xwininfo and ImageMagick's `import` find the installed app's tray icon, the compiler checks
# the launcher, desktop-file-validate checks the desktop entry. scripts/build-deb.sh installs
# the rest of what building the .deb needs.
PACKAGING_TEST_PACKAGES=(debootstrap x11-utils imagemagick build-essential desktop-file-utils)
# The `hotkey` extra (pynput) pulls evdev on Linux, which compiles: a C compiler, the
# kernel's input headers and the Python headers (python3-dev, checked separately below).
HOTKEY_PACKAGES=(gcc linux-libc-dev)
APT_PACKAGES+=("${QT_PACKAGES[@]}" "${VOICE_PACKAGES[@]}")
case ",$EXTRAS," in *,hotkey,*) APT_PACKAGES+=("${HOTKEY_PACKAGES[@]}") ;; esac
case ",$EXTRAS," in *,test,*) APT_PACKAGES+=("${TEST_PACKAGES[@]}" "${VOICE_TEST_PACKAGES[@]}" "${PACKAGING_TEST_PACKAGES[@]}") ;; esac

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    # npm may come from elsewhere (nvm, nodesource): only install Node when npm is absent.
    case $pkg in nodejs|npm) command -v npm >/dev/null 2>&1 && continue ;; esac
    # Likewise a Python that can already make venvs (pyenv, deadsnakes) is fine as it is.
    case $pkg in python3*) python3 -c "import venv, ensurepip" 2>/dev/null && continue ;; esac
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  case ",$EXTRAS," in *,hotkey,*)
    # Python.h for building evdev (pyenv/deadsnakes Pythons carry their own headers).
    "${PYTHON:-python3}" -c "import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))" \
      || missing+=(python3-dev) ;;
  esac
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: apt-get install ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  "$PY" -m venv "$ROOT/.venv"
fi
"$ROOT/.venv/bin/python" -m pip install -q --upgrade pip "setuptools>=77" wheel >&2
spec="$ROOT"
[ -n "$EXTRAS" ] && spec="$ROOT[$EXTRAS]"
"$ROOT/.venv/bin/python" -m pip install -q -e "$spec" >&2
