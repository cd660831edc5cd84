#!/usr/bin/env bash
# Installs the peer tools the benchmarks compare against, then runs every benchmark bench/README.md lists
# (bench/ecs/strategies.ts takes the AWS CLI that setup.sh installs into .venv; bench/browser/run.ts the
# Chromium that setup.sh installs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! command -v aws >/dev/null 2>&1 || ! command -v rclone >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli rclone >/dev/null
fi
if [ ! -x .tools/bin/gofakes3 ]; then
  GOBIN="$PWD/.tools/bin" go install github.com/johannesboyne/gofakes3/cmd/gofakes3@v1.2.0
fi
npx tsx bench/ecs/run.ts "$@"
npx tsx bench/ecs/strategies.ts
npx tsx bench/frontend/run.ts
npx tsx bench/frontend/run.ts --latency-ms 20 --first-deploy-only
npx tsx bench/frontend/put-path.ts
npx tsx bench/browser/run.ts
npx tsx bench/release/run.ts --files 2000 --mb 50
