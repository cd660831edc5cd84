#!/usr/bin/env bash
# Install the frontend's packages when needed and build it; prints the absolute path of frontend/dist on the
# last line of stdout (everything else goes to stderr).
#   ./build-frontend.sh                 install (if needed) + vite build
#   ./build-frontend.sh --install-only  install (if needed)
# "If needed": `npm ci` runs when frontend/node_modules is missing or its stamp differs from the sha256 of
# package-lock.json plus the Node platform/arch (esbuild and rollup ship native binaries per platform).
set -euo pipefail
cd "$(dirname "$0")/frontend"

stamp_file=node_modules/.twotier-install-stamp
wanted_stamp="$(sha256sum package-lock.json | cut -d' ' -f1) $(node -p 'process.platform + "-" + process.arch')"
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$wanted_stamp" ]; then
  echo "frontend: node_modules up to date with package-lock.json" >&2
else
  echo "frontend: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  printf '%s\n' "$wanted_stamp" >"$stamp_file"
fi

if [ "${1:-}" = "--install-only" ]; then
  exit 0
fi
npm run --silent build >&2
echo "$PWD/dist"
