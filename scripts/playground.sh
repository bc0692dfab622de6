#!/usr/bin/env bash
# The browser playground (playground/), from a fresh checkout:
#
#   scripts/playground.sh serve       build everything, then serve it on http://127.0.0.1:8080
#                                     (PORT=… for another port; Ctrl-C stops)
#   scripts/playground.sh build       the wasm package (scripts/build-wasm.sh), npm ci, the
#                                     examples, a type check and the production build (playground/dist)
#   scripts/playground.sh test        build, install Debian's chromium if missing, then the
#                                     node tests of the package and the end-to-end browser test
#   scripts/playground.sh screenshot  build, then write docs/playground.png
set -euo pipefail
cd "$(dirname "$0")/.."

build() {
  scripts/build-wasm.sh
  (
    cd playground
    # npm ci only when package-lock.json changed since the last install.
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      npm ci --no-audit --no-fund
    fi
    npm run build
  )
}

chromium() {
  local bin=${CHROMIUM:-/usr/bin/chromium}
  if [ ! -x "$bin" ]; then
    local sudo=""
    if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
    echo "installing Debian's chromium (playwright-core drives it; no browser download)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
}

case "${1:-serve}" in
  build)
    build
    ;;
  serve)
    build
    cd playground
    echo "serving the playground on http://127.0.0.1:${PORT:-8080}/"
    exec npx vite preview --host 127.0.0.1 --port "${PORT:-8080}" --strictPort
    ;;
  test)
    build
    chromium
    cd playground
    npm test
    ;;
  screenshot)
    build
    chromium
    cd playground
    PLAYGROUND_SCREENSHOT=../docs/playground.png node --test --test-name-pattern=screenshot tests/e2e.test.mjs
    ;;
  *)
    echo "usage: scripts/playground.sh [serve|build|test|screenshot]" >&2
    exit 2
    ;;
esac
