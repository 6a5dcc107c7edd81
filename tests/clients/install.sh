#!/usr/bin/env bash
# Installs the real clients the test suite judges the exports with: Mozilla's ical.js,
# markdownlint-cli2 and Knight Lab's TimelineJS3 into tests/clients/node_modules, exactly
# as package-lock.json pins them (npm ci), and Debian's chromium (and node/npm when
# missing) through apt-get. The Python clients (ical, vobject, Radicale, caldav,
# markdown-it-py) come with: pip install -e '.[test]'.
# .ci/run calls this; run it by hand once to run every client test locally (without it
# those tests skip, saying what to install; with CI=true they fail).
set -euo pipefail
cd "$(dirname "$0")"

missing=()
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
if ! command -v chromium >/dev/null; then missing+=(chromium); fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "install.sh: apt-get install ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  else
    echo "install.sh: install ${missing[*]} first (Debian: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
npm ci --no-audit --no-fund --loglevel=error
echo "install.sh: node $(node --version), $(chromium --version 2>/dev/null | head -1)," \
     "$(node -p "['ical.js', 'markdownlint-cli2', '@knight-lab/timelinejs'].map(p => p + ' ' + require('./node_modules/' + p + '/package.json').version).join(', ')")" >&2
