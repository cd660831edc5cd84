/**
 * scripts/release-notes.mjs, the release workflow's gate: a tag must be vX.Y.Z, equal package.json's version
 * and have a dated, non-empty CHANGELOG.md section, whose text becomes the release notes. Run as the workflow
 * runs it (node, in a checkout), on small checkouts made here, and on this repository's own CHANGELOG.md.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const script = path.resolve('scripts', 'release-notes.mjs');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CHANGELOG = `# Changelog

## [Unreleased]

### Added

- something not released yet

## [1.2.0] - 2026-12-01

### Added

- the new input

### Fixed

- the old bug

## [1.1.0] - 2026-11-01

- older

## [1.0.0]

- no date

## [0.9.0] - 2026-10-01

[1.2.0]: https://example.com/compare/v1.1.0...v1.2.0
`;

function checkout(version: string, changelog: string | null = CHANGELOG): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'release-notes-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x', version }));
  if (changelog !== null) writeFileSync(path.join(dir, 'CHANGELOG.md'), changelog);
  return dir;
}

const notes = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8' });

describe('release-notes', () => {
  it("prints the tagged version's section, without its heading or the next section", () => {
    const out = notes(checkout('1.2.0'), 'v1.2.0');
    expect(out.status).toBe(0);
    expect(out.stdout).toBe('### Added\n\n- the new input\n\n### Fixed\n\n- the old bug\n');
  });

  it('writes the notes to --out', () => {
    const dir = checkout('1.1.0');
    const out = notes(dir, 'v1.1.0', '--out', 'notes.md');
    expect(out.status).toBe(0);
    expect(readFileSync(path.join(dir, 'notes.md'), 'utf8')).toBe('- older\n');
  });

  it.each([
    ['1.2.0', '1.2.0', 'is not a release tag; expected vMAJOR.MINOR.PATCH'],
    ['v1.2', '1.2.0', 'is not a release tag'],
    ['v1.2.0-rc.1', '1.2.0-rc.1', 'is not a release tag'],
    ['v01.2.0', '01.2.0', 'is not a release tag'],
    ['v1.2.0', '1.1.0', 'tag v1.2.0 does not match package.json\'s version "1.1.0"'],
    ['v1.3.0', '1.3.0', 'CHANGELOG.md has no section "## [1.3.0] - YYYY-MM-DD"'],
    ['v1.0.0', '1.0.0', 'has no date; expected "## [1.0.0] - YYYY-MM-DD"'],
    ['v0.9.0', '0.9.0', "CHANGELOG.md's section for 0.9.0 is empty"]
  ])('refuses tag %s with version %s: %s', (tag, version, message) => {
    const out = notes(checkout(version), tag);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(message);
    expect(out.stdout).toBe('');
  });

  it('refuses a checkout without CHANGELOG.md', () => {
    const out = notes(checkout('1.2.0', null), 'v1.2.0');
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('CHANGELOG.md is missing');
  });

  it("finds this repository's own section for package.json's version", () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const out = notes(process.cwd(), `v${version}`);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout.trim().length).toBeGreaterThan(0);
  });
});
