#!/usr/bin/env bash
# Runs every test ConvLab has, on a fresh machine: installs what the tests need, then pytest.
# This is the README's test command, and exactly what .ci/run executes.
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser tests drive Debian's Chromium (never a downloaded browser build); Hangul in
# their screenshots needs a Korean font. Install both when missing (needs root or sudo).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-nanum >/dev/null 2>&1 || need+=(fonts-nanum)
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Python packages, in a project-local virtual environment (with ConvLab itself, editable:
# requirements.txt's `-e .`, so Streamlit finds the components' asset folders).
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Lint first: a style slip fails fast and cheaply.
.venv/bin/ruff check .
.venv/bin/ruff format --check .

# Every test: doctests in conv_core, unit/property tests, AppTest pages, browser tests.
# pytest exits 5 when it collected no test; `set -e` makes that a failure, never a silent pass.
.venv/bin/python -m pytest "$@"
