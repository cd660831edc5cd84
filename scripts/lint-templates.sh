#!/usr/bin/env bash
# cfn-lint on every CloudFormation template in templates/ (cfn-lint from the project venv, set up by
# scripts/setup.sh). Any finding (error, warning or informational) fails. Suppressions, if ever needed,
# belong in the template next to the resource (Metadata: cfn-lint: config: ignore_checks) with a comment
# saying why; there are none today.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
mapfile -t templates < <(find templates -maxdepth 1 \( -name '*.yml' -o -name '*.yaml' -o -name '*.json' \) | sort)
if [ ${#templates[@]} -eq 0 ]; then
  echo "template lint: no templates found" >&2
  exit 1
fi
# --include-checks I: informational findings count too.
cfn-lint --include-checks I --format parseable -- "${templates[@]}"
echo "template lint: ${#templates[@]} templates clean (cfn-lint $(cfn-lint --version | awk '{print $2}'))"
