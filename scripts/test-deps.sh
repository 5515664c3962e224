#!/usr/bin/env bash
# What the test suite needs beyond Python: Chromium (the HTML pages are opened in a real headless
# browser) and LibreOffice (legacy .doc conversion, LibreOffice-made PDFs). `make test` runs this
# first. As root with apt-get (CI, a container) the missing ones are installed from Debian; anywhere
# else, or with ZHINAN_NO_INSTALL=1, nothing is installed and this says which tests will be skipped.
set -uo pipefail
need=""
command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1 || need="$need libreoffice-writer-nogui fonts-noto-cjk"
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 \
  || need="$need chromium"
[ -z "$need" ] && exit 0
if [ -z "${ZHINAN_NO_INSTALL:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing$need for the format and browser tests (log: /tmp/zhinan-test-deps.log)"
  if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need; } \
       >/tmp/zhinan-test-deps.log 2>&1; then
    exit 0
  fi
  echo "could not install$need (see /tmp/zhinan-test-deps.log)"
fi
case "$need" in *chromium*) echo "Chromium is missing: the headless-browser tests will be skipped (apt-get install chromium)";; esac
case "$need" in *libreoffice*) echo "LibreOffice is missing: the legacy .doc and LibreOffice-PDF tests will be skipped (apt-get install libreoffice-writer-nogui)";; esac
exit 0
