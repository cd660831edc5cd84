// The release workflow's gate and notes: checks that a tag names a release this checkout can make, and prints
// that version's section of CHANGELOG.md (Keep a Changelog, https://keepachangelog.com/en/1.1.0/).
//
//   node scripts/release-notes.mjs v1.2.3                 print the notes of 1.2.3
//   node scripts/release-notes.mjs v1.2.3 --out notes.md  write them to notes.md
//
// Fails (exit 1, one line on stderr saying what would be valid) when the tag is not vMAJOR.MINOR.PATCH, when
// package.json's version is not that version, or when CHANGELOG.md has no "## [X.Y.Z] - YYYY-MM-DD" heading
// for it or the section under it is empty.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const SEMVER_TAG = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

function fail(message) {
  process.stderr.write(`release-notes: ${message}\n`);
  process.exit(1);
}

/** The lines of the section of `version` in a Keep a Changelog text; undefined when there is no heading. */
function section(changelog, version) {
  const lines = changelog.split(/\r?\n/);
  const heading = (line) => /^##\s+\[?([^\]\s]+)\]?/.exec(line)?.[1];
  const start = lines.findIndex((line) => heading(line) === version);
  if (start < 0) return undefined;
  if (!/^##\s+\[?[^\]\s]+\]?\s+-\s+\d{4}-\d{2}-\d{2}\s*$/.test(lines[start]))
    fail(`CHANGELOG.md heading "${lines[start]}" has no date; expected "## [${version}] - YYYY-MM-DD".`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^##?\s/.test(line) || /^\[[^\]]+\]:\s*\S+/.test(line));
  return (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
}

const args = process.argv.slice(2);
const tag = args[0];
const outIndex = args.indexOf('--out');
const out = outIndex > 0 ? args[outIndex + 1] : undefined;
const root = process.cwd();

if (!tag || !SEMVER_TAG.test(tag))
  fail(`tag "${tag ?? ''}" is not a release tag; expected vMAJOR.MINOR.PATCH, for example v1.2.3.`);
const version = tag.slice(1);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
if (pkg.version !== version)
  fail(
    `tag ${tag} does not match package.json's version "${pkg.version}"; set "version": "${version}" first.`
  );
let changelog;
try {
  changelog = readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
} catch {
  fail('CHANGELOG.md is missing.');
}
const notes = section(changelog, version);
if (notes === undefined) fail(`CHANGELOG.md has no section "## [${version}] - YYYY-MM-DD".`);
if (!notes) fail(`CHANGELOG.md's section for ${version} is empty.`);
if (out) writeFileSync(out, `${notes}\n`);
else process.stdout.write(`${notes}\n`);
