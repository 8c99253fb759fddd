#!/usr/bin/env bash
# Installs what pip cannot: Debian's Chromium (PDF output), poppler-utils (PDF checks in tests)
# and a font. Skips anything already present; without root it says what to run instead.
set -u
need=()
command -v chromium >/dev/null 2>&1 || [ -x "${MARKETNOTES_CHROMIUM:-/nonexistent}" ] || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "marketnotes: please install ${need[*]} with your package manager (PDF output needs Chromium)" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "marketnotes: run as root: apt-get install -y ${need[*]}  (PDF output needs Chromium)" >&2
    exit 0
  fi
fi
echo "marketnotes: installing ${need[*]} (apt)"
$SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
