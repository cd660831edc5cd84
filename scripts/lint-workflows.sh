#!/usr/bin/env bash
# actionlint on every workflow (reusable and starter), zizmor on every workflow and action.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PWD/.venv/bin:$PATH"
mapfile -t workflows < <(find .github/workflows workflows -name '*.yml' -o -name '*.yaml' 2>/dev/null | sort)
mapfile -t actions < <(find . -path ./node_modules -prune -o -path ./.venv -prune -o \( -name action.yml -o -name action.yaml \) -print | sort)
if [ ${#workflows[@]} -gt 0 ]; then actionlint "${workflows[@]}"; fi
targets=("${workflows[@]}" "${actions[@]}")
if [ ${#targets[@]} -gt 0 ]; then zizmor --offline --no-progress "${targets[@]}"; fi
echo "workflow lint: ${#workflows[@]} workflows, ${#actions[@]} action files clean"
