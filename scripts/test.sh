#!/usr/bin/env bash
# Runs every test ConvLab has, on a fresh machine: installs what the tests need, then pytest.
# This is the README's test command, and exactly what .ci/run executes.
set -euo pipefail
cd "$(dirname "$0")/.."

# `--fast`: the fast lane (engine, UI functions, AppTest pages, the Node tests; no browser and
# no real server, both cores): what to run while working. Without it: everything, as CI does.
fast=0
if [ "${1:-}" = "--fast" ]; then
  fast=1
  shift
fi

# The browser tests drive Debian's Chromium (never a downloaded browser build); Hangul in
# their screenshots need a Korean font; the school tests need HAProxy, Redis and openssl; the
# stepper's JavaScript modules are unit-tested with Node's own test runner (no npm package).
need=()
if [ "$fast" -eq 0 ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  dpkg -s fonts-nanum >/dev/null 2>&1 || need+=(fonts-nanum)
  # The school setup's tests (tests/load/test_school.py) run the shipped load balancer,
  # Redis beside the replicas and a self-signed certificate for https.
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
fi
# Class mode's store is tested on a real Redis in both lanes (tests/conftest.py starts Debian's
# redis-server on a free port; tests/ui/test_classroom.py, tests/app/test_class_mode.py).
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v node >/dev/null 2>&1 || need+=(nodejs)
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

# The stepper's pure JavaScript modules (numbers, arithmetic, practice, keys, layout) with
# Node's built-in test runner: tests/js/*.test.mjs, nothing fetched. Node 18 has the runner
# too; the tests are written for Node 20 (the machine's).
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "scripts/test.sh: Node.js $(node --version) is too old for tests/js (needs 18+, 20 is tested)" >&2
  exit 1
fi
node --test tests/js/

# Every test: doctests in conv_core, unit/property tests, AppTest pages, browser tests.
# pytest exits 5 when it collected no test; `set -e` makes that a failure, never a silent pass.
# Both lanes use two worker processes (pytest-xdist; the CI machine has 2 cores): each browser
# worker starts its own `streamlit run` server and Chromium, and the school tests take free
# ports, so nothing is shared between the two.
if [ "$fast" -eq 1 ]; then
  .venv/bin/python -m pytest -m "not e2e" -n 2 "$@"
else
  .venv/bin/python -m pytest -n 2 "$@"
fi
