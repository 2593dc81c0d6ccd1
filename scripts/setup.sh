#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment in .venv with the exact versions of
# requirements.txt, and install snn_control into it (editable). Idempotent and quick when nothing
# changed. Needs only Python 3.11 and network access to PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
VENV=${VENV:-.venv}
stamp="$VENV/.snn_control-requirements"
want="$(cat requirements.txt setup.py | sha256sum | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV with $($PYTHON --version)"
  "$PYTHON" -m venv "$VENV"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pinned requirements into $VENV (a minute or two the first time)"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING' || true
  "$VENV/bin/python" -m pip install --quiet -r requirements.txt 2>&1 | grep -v '^WARNING' || true
  "$VENV/bin/python" -m pip install --quiet --no-deps -e . 2>&1 | grep -v '^WARNING' || true
  "$VENV/bin/python" -c "import rclpy, mujoco, deap, snn_control" || { echo "setup: install failed" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
