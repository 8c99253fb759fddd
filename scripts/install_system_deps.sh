#!/usr/bin/env bash
# Installs what pip cannot: Debian's Chromium (PDF output) and its headless shell (the lighter
# build marketnotes prefers for printing, where the distribution has it), poppler-utils (PDF
# checks in tests) and a font. Skips anything already present; without root it says what to
# run instead.
set -u
need=()
optional=()
command -v chromium >/dev/null 2>&1 || [ -x "${MARKETNOTES_CHROMIUM:-/nonexistent}" ] || need+=(chromium)
command -v chromium-headless-shell >/dev/null 2>&1 || [ -x "${MARKETNOTES_CHROMIUM:-/nonexistent}" ] || optional+=(chromium-headless-shell)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "marketnotes: please install ${need[*]} ${optional[*]} with your package manager (PDF output needs Chromium)" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "marketnotes: run as root: apt-get install -y ${need[*]} ${optional[*]}  (PDF output needs Chromium)" >&2
    exit 0
  fi
fi
echo "marketnotes: installing ${need[*]} ${optional[*]} (apt)"
$SUDO apt-get update -qq >/dev/null
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || exit 1
fi
if [ ${#optional[@]} -gt 0 ]; then
  # Not every distribution packages the headless shell; the full Chromium prints the same PDFs.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${optional[@]}" >/dev/null 2>&1 \
    || echo "marketnotes: ${optional[*]} not available here; printing with chromium"
fi
exit 0
