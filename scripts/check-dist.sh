#!/usr/bin/env bash
# Rebuilds every action bundle and fails when dist/ differs from what is committed (as CI's check-dist does).
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/bundle.mjs >/dev/null
if [ -n "$(git status --porcelain -- dist)" ]; then
  echo "dist/ is stale: rebuild with 'npm run bundle' and commit it." >&2
  git status --short -- dist >&2
  exit 1
fi
