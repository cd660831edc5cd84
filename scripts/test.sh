#!/usr/bin/env bash
# The whole test suite, from a clean clone: install, typecheck, lint, rebuild dist/ and fail on any
# difference, unit + integration tests (jest, against the local AWS), workflow/action linters, template
# linter, and the example app's own tests, then a check that nothing of it changed the git tree (from a clean
# tree: `git status --porcelain` is empty at the end). Ends with one line "Tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PWD/.venv/bin:$PWD/node_modules/.bin:$PATH"
failed_steps=()
step() {
  local name=$1
  shift
  echo "::: $name"
  if ! "$@"; then
    echo "::: FAILED: $name"
    failed_steps+=("$name")
  fi
}

# What the tree holds before anything runs (status, diff and untracked files' contents): the tests may not
# change it. From a clean tree that means `git status --porcelain` is empty at the end.
tree_state() {
  git status --porcelain --untracked-files=all
  git diff HEAD --binary | sha256sum
  git ls-files --others --exclude-standard -z | xargs -0 -r sha256sum
}
tree_before=$(tree_state)
tree_was_clean=$([ -z "$(git status --porcelain --untracked-files=all)" ] && echo yes || echo no)
tree_unchanged() {
  if [ "$tree_was_clean" = yes ]; then
    local changed
    changed=$(git status --porcelain --untracked-files=all)
    [ -z "$changed" ] && return 0
    echo "the tests left changes in the tree (git status --porcelain):"
    echo "$changed"
    return 1
  fi
  [ "$(tree_state)" = "$tree_before" ] && return 0
  echo "the tests changed the tree, which had changes of yours before they ran; git status --porcelain now:"
  git status --porcelain --untracked-files=all
  return 1
}

bash scripts/setup.sh || { echo "setup failed"; exit 1; }

step typecheck npx tsc -p tsconfig.json --noEmit
step eslint npx eslint . --max-warnings 0
step prettier npx prettier --check . --log-level warn
step dist-is-fresh bash scripts/check-dist.sh
step workflow-lint bash scripts/lint-workflows.sh
[ -d templates ] && step cfn-lint bash scripts/lint-templates.sh
[ -x examples/twotier-app/test.sh ] && step example-app bash examples/twotier-app/test.sh

report=$(mktemp)
step jest node --experimental-vm-modules node_modules/jest/bin/jest.js --ci --json --outputFile="$report"

step tree-unchanged tree_unchanged

passed=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(r.numPassedTests)' "$report" 2>/dev/null || echo 0)
failed=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(r.numFailedTests)' "$report" 2>/dev/null || echo 0)
failed=$((failed + ${#failed_steps[@]}))
if [ ${#failed_steps[@]} -gt 0 ]; then echo "failed steps: ${failed_steps[*]}"; fi
echo "Tests: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
