#!/usr/bin/env bash
# The test command: install the locked environment, lint, run every test.
# Extra arguments go to pytest (e.g. scripts/test.sh -k web).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
# The dashboard test renders the page in headless Chromium (Debian's package;
# CJK fonts so the screenshot is legible).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "chromium is missing: sudo apt-get install -y chromium fonts-noto-cjk" >&2
    exit 1
  fi
fi
# shellcheck source=/dev/null
source .venv/bin/activate
ruff check .
python -m pytest "$@"
