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
  # Debian's own Python needs python3-venv for ensurepip; install it when we can.
  if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c "import ensurepip" 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
  fi
  "$PYTHON" -m venv .tools
  .tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.8"
fi
[ -x .venv/bin/python ] || .tools/bin/uv venv --quiet --python "$PYTHON" .venv
# Bytecode is compiled once here: where PYTHONDONTWRITEBYTECODE is set, every
# process would otherwise recompile dbt, Airflow and GX at import (GX: 10 s).
.tools/bin/uv pip sync --quiet --compile-bytecode --python .venv/bin/python requirements.lock
.tools/bin/uv pip install --quiet --python .venv/bin/python --no-deps -e .
