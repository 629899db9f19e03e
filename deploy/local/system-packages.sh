#!/usr/bin/env bash
# Debian packages the services and tests need beyond Python: a CJK font for the printed
# contact cards (outreach), poppler-utils, with which the tests render those PDFs back to
# PNG and text, libfaketime (faketime), with which a test runs `shequ up` under another
# clock, and Debian's chromium, which the console's browser tests drive through Playwright
# (no browser download; GATEWAY.md G21). Idempotent: installs only what is missing.
set -euo pipefail
need=()
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
compgen -G '/usr/lib/*/faketime/libfaketime.so.1' >/dev/null || need+=(faketime)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}…"
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q "${need[@]}" >/dev/null \
    || { apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null; }
  else sudo apt-get install -y -q "${need[@]}" >/dev/null; fi
fi
