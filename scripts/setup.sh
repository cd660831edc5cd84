#!/usr/bin/env bash
# Installs everything the demo and the tests need, into the project only:
#   node_modules/  npm packages (npm ci, from package-lock.json)
#   .venv/         Python 3 venv with moto server (the local AWS), actionlint, zizmor, cfn-lint, the example API's deps
# Safe to run again: each step is skipped when its inputs have not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if ! stamp_ok node_modules/.twotier-stamp "$lock_sum"; then
  echo "setup: npm install (from package-lock.json)"
  # npm ci refuses this lock (npm 11 omits optional platform packages of unrs-resolver); install honours it.
  npm install --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.twotier-stamp
fi

req_sum=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if ! stamp_ok .venv/.twotier-stamp "$req_sum"; then
  echo "setup: python venv (.venv) with moto, actionlint, zizmor, cfn-lint"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$req_sum" > .venv/.twotier-stamp
fi

# actionlint from the Go module proxy (its PyPI wrapper downloads a release binary, which needs GitHub).
ACTIONLINT_VERSION=v1.7.12
if ! stamp_ok .tools/bin/.actionlint-stamp "$ACTIONLINT_VERSION"; then
  echo "setup: actionlint $ACTIONLINT_VERSION (go install)"
  mkdir -p .tools/bin
  GOBIN="$PWD/.tools/bin" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
  echo "$ACTIONLINT_VERSION" > .tools/bin/.actionlint-stamp
fi

# nginx, for the example web tier's config check (examples/twotier-app/test.sh skips it, with a notice, without).
if ! command -v nginx >/dev/null 2>&1 && ! [ -x /usr/sbin/nginx ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "setup: nginx (apt-get)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null) || echo "setup: nginx could not be installed; the example's nginx check will be skipped"
fi
