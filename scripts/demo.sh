#!/usr/bin/env bash
# npm run demo [-- --topology split] [-- --scenario image-pull-failure]: installs what it needs, then deploys
# examples/twotier-app to the embedded local AWS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node bin/twotier.js demo "$@"
