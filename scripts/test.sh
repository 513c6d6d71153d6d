#!/usr/bin/env bash
# Set up a virtual environment (once) with the test extras and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e '.[test]'

# The browser tests (tests/test_viz_html_browser.py) drive Debian's chromium; install it when missing and
# possible (root with apt-get), in at most ~5 minutes, never failing the run: without it those tests skip.
install_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || { echo "no chromium: browser tests will skip"; return 0; }
  echo "installing Debian's chromium for the browser tests (at most 300 s)..."
  # its own process group (setsid), so that a timeout stops apt-get too, not only the subshell
  setsid bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium' \
    >/tmp/symk-chromium-install.log 2>&1 &
  local installer=$! waited=0
  while kill -0 "$installer" 2>/dev/null && [ "$waited" -lt 300 ]; do sleep 2; waited=$((waited + 2)); done
  if kill -0 "$installer" 2>/dev/null; then
    kill -- "-$installer" 2>/dev/null || kill "$installer" 2>/dev/null || true
    echo "chromium install took too long (see /tmp/symk-chromium-install.log): browser tests will skip"
  elif ! wait "$installer"; then
    echo "chromium install failed (see /tmp/symk-chromium-install.log): browser tests will skip"
  fi
  return 0
}
install_chromium || true
# loadgroup: a module whose fixture is costly (subprocess runs, a browser) marks its tests with one
# xdist_group, so one worker runs that fixture once; every other test is spread as usual
.venv/bin/python -m pytest -q -n 2 --dist loadgroup "$@"
