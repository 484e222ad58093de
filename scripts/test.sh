#!/usr/bin/env bash
# The test command: install the locked environment, lint, run every test.
# Extra arguments go to pytest (e.g. scripts/test.sh -k web).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
# shellcheck source=/dev/null
source .venv/bin/activate
ruff check .
python -m pytest "$@"
