#!/usr/bin/env bash
# Create .venv with exactly the locked dependencies and the project installed
# (editable). Idempotent: a second call only re-checks the lock.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
# uv installs the ~250 locked packages several times faster than pip. It lives
# in its own small venv, since `uv pip sync` removes whatever the lock lacks.
if [ ! -x .tools/bin/uv ]; then
  "$PYTHON" -m venv .tools
  .tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.8"
fi
[ -x .venv/bin/python ] || .tools/bin/uv venv --quiet --python "$PYTHON" .venv
.tools/bin/uv pip sync --quiet --python .venv/bin/python requirements.lock
.tools/bin/uv pip install --quiet --python .venv/bin/python --no-deps -e .
