#!/usr/bin/env bash
# Installs everything the demo and the tests need, into the project only:
#   node_modules/  npm packages (npm ci, from package-lock.json)
#   .venv/         Python 3 venv with moto server (the local AWS), actionlint, zizmor, cfn-lint, the example API's deps
#   .tools/        actionlint and act (go install) and node24/, the pinned Node 24 the bundle tests run the actions on
# Safe to run again: each step is skipped when its inputs have not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if ! stamp_ok node_modules/.twotier-stamp "$lock_sum"; then
  echo "setup: npm ci (from package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
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

# nektos/act, the workflow runner the end-to-end tests (test/act) run the workflows and the composite actions
# under, in host mode (-P <label>=-self-hosted: no Docker). From the Go module proxy like actionlint; pinned.
ACT_VERSION=v0.2.89
if ! stamp_ok .tools/bin/.act-stamp "$ACT_VERSION"; then
  echo "setup: nektos/act $ACT_VERSION (go install)"
  mkdir -p .tools/bin
  GOBIN="$PWD/.tools/bin" GOFLAGS=-mod=mod go install "github.com/nektos/act@$ACT_VERSION"
  echo "$ACT_VERSION" > .tools/bin/.act-stamp
fi

# Node 24, the runtime GitHub gives the actions (runs.using: node24), for the tests that run the bundles; the CLI
# and the tooling keep the machine's Node. The npm registry's node-<os>-<arch> package, pinned by version and by
# the integrity of its tarball, unpacked into .tools/node24 (bin/node and the licence only).
NODE24_VERSION=24.22.3
declare -A NODE24_INTEGRITY=(
  [linux-x64]=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
  [linux-arm64]=sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==
)
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) node24_platform=linux-x64 ;;
  Linux-aarch64 | Linux-arm64) node24_platform=linux-arm64 ;;
  *) node24_platform="" ;;
esac
if [ -z "$node24_platform" ]; then
  echo "setup: no pinned Node 24 for $(uname -s)-$(uname -m); the bundle tests will say so when they start" >&2
elif ! stamp_ok .tools/node24/.twotier-stamp "$NODE24_VERSION-$node24_platform"; then
  echo "setup: node $NODE24_VERSION (npm package node-$node24_platform) into .tools/node24"
  node24_tmp=$(mktemp -d)
  (cd "$node24_tmp" && npm pack "node-$node24_platform@$NODE24_VERSION" --silent >/dev/null)
  node24_tgz="$node24_tmp/node-$node24_platform-$NODE24_VERSION.tgz"
  node24_sum=$(node -e 'const b=require("fs").readFileSync(process.argv[1]);console.log("sha512-"+require("crypto").createHash("sha512").update(b).digest("base64"))' "$node24_tgz")
  if [ "$node24_sum" != "${NODE24_INTEGRITY[$node24_platform]}" ]; then
    echo "setup: node-$node24_platform@$NODE24_VERSION has integrity $node24_sum, expected ${NODE24_INTEGRITY[$node24_platform]}" >&2
    rm -rf "$node24_tmp"
    exit 1
  fi
  rm -rf .tools/node24
  mkdir -p .tools/node24
  tar -xzf "$node24_tgz" -C .tools/node24 --strip-components=1 package/bin/node package/LICENSE
  rm -rf "$node24_tmp"
  .tools/node24/bin/node --version >/dev/null
  echo "$NODE24_VERSION-$node24_platform" > .tools/node24/.twotier-stamp
fi

# Debian packages the tests use, installed when missing and this runs as root with apt-get:
#   nginx     the example web tier's config check (examples/twotier-app/test.sh skips it, with a notice, without)
#   chromium  the browser test of a deploy (test/browser; skipped, with a notice, only where it cannot be installed)
apt_wanted=()
if ! command -v nginx >/dev/null 2>&1 && ! [ -x /usr/sbin/nginx ]; then apt_wanted+=(nginx); fi
if ! [ -x /usr/bin/chromium ]; then apt_wanted+=(chromium); fi
if [ ${#apt_wanted[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "setup: ${apt_wanted[*]} (apt-get)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_wanted[@]}" >/dev/null) ||
    echo "setup: ${apt_wanted[*]} could not be installed; the tests that need them will say so"
fi
