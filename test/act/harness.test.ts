/**
 * The act harness itself: the differences from GitHub's runner that docs/testing.md ("Workflows under act")
 * describes are real in the pinned act (so the workarounds are needed, and a fixed act makes these fail and
 * the docs get updated), the INPUT_* leak workaround works, every third-party action has a stand-in, and the
 * hard timeout kills act and what its steps started.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import {
  createWorkspace,
  describeRun,
  neutralizeCompositeInputLeak,
  projectActionFiles,
  projectRoot,
  remoteUses,
  requireAct,
  actPath,
  runAct,
  standInRepositories,
  withNeedsCollector,
  type Workspace
} from './harness.js';

// An act run may take minutes (each has its own hard timeout, at most 240 s, below this one).
jest.setTimeout(300000);

const workspaces: Workspace[] = [];
afterAll(() => workspaces.forEach((w) => w.remove()));

function workspace(files: Record<string, string>): Workspace {
  const w = createWorkspace(files);
  workspaces.push(w);
  return w;
}

/** A local composite action whose run step reports INPUT_GREETING as an output. */
const PROBE = YAML.stringify({
  name: 'probe',
  inputs: { greeting: { default: 'hello' } },
  outputs: { seen: { value: '${{ steps.s.outputs.seen }}' } },
  runs: {
    using: 'composite',
    steps: [{ id: 's', shell: 'bash', run: 'echo "seen=${INPUT_GREETING-unset}" >> "$GITHUB_OUTPUT"' }]
  }
});
const PROBE_WORKFLOW = YAML.stringify({
  on: 'push',
  jobs: {
    probe: {
      'runs-on': 'ubuntu-latest',
      steps: [{ uses: 'actions/checkout@v4' }, { id: 'p', uses: './probe' }]
    }
  }
});

describe('act as the tests use it', () => {
  it('passes a composite action its inputs as INPUT_* (nektos/act#2874); the snapshot rewrite overrides that', async () => {
    const checkout = {
      'actions/checkout@v4': path.join(projectRoot, 'test', 'stand-ins', 'actions', 'checkout')
    };
    const leaky = workspace({ 'probe/action.yml': PROBE, '.github/workflows/p.yml': PROBE_WORKFLOW });
    const leaked = await runAct({
      workspace: leaky,
      workflow: '.github/workflows/p.yml',
      localRepositories: checkout
    });
    expect(leaked.code).toBe(0);
    // On GitHub the variable is unset: the step would write "seen=unset".
    expect(leaked.outputs('probe', ['p'])).toEqual({ seen: 'hello' });

    const fixed = workspace({
      'probe/action.yml': neutralizeCompositeInputLeak(PROBE).text,
      '.github/workflows/p.yml': PROBE_WORKFLOW
    });
    const run = await runAct({
      workspace: fixed,
      workflow: '.github/workflows/p.yml',
      localRepositories: checkout
    });
    expect(run.code).toBe(0);
    expect(run.outputs('probe', ['p'])).toEqual({ seen: '' }); // as @actions/core reads an unset variable
  });

  it('the rewrite gives every run step of the toolkit composites every input it does not set itself', () => {
    for (const file of ['action.yml', 'actions/build-push/action.yml']) {
      const text = readFileSync(path.join(projectRoot, file), 'utf8');
      const inputs = Object.keys((YAML.parse(text) as { inputs: object }).inputs).map(
        (n) => `INPUT_${n.toUpperCase()}`
      );
      const { text: rewritten } = neutralizeCompositeInputLeak(text);
      const doc = YAML.parse(rewritten) as {
        runs: { steps: { run?: string; env?: Record<string, string> }[] };
      };
      for (const step of doc.runs.steps.filter((s) => s.run !== undefined)) {
        const own = Object.keys(step.env ?? {}).map((k) => k.toUpperCase());
        expect(inputs.filter((n) => !own.includes(n))).toEqual([]);
      }
      // Nothing the step set itself changed.
      const before = YAML.parse(text) as { runs: { steps: { env?: Record<string, string> }[] } };
      doc.runs.steps.forEach((step, i) =>
        expect(step.env ?? {}).toMatchObject(before.runs.steps[i]!.env ?? {})
      );
    }
  });

  it("does not merge matrix legs' job outputs (nektos/act#981): one leg's outputs, the others blanked", async () => {
    const w = workspace({
      '.github/workflows/m.yml': withNeedsCollector(
        YAML.stringify({
          on: 'push',
          jobs: {
            legs: {
              'runs-on': 'ubuntu-latest',
              strategy: { matrix: { leg: ['a', 'b'] } },
              outputs: { a: '${{ steps.o.outputs.a }}', b: '${{ steps.o.outputs.b }}' },
              steps: [{ id: 'o', run: 'echo "${{ matrix.leg }}=from-${{ matrix.leg }}" >> "$GITHUB_OUTPUT"' }]
            }
          }
        })
      )
    });
    const result = await runAct({ workspace: w, workflow: '.github/workflows/m.yml' });
    if (result.code !== 0) throw new Error(describeRun(result));
    // Both legs set their output (the log shows it) ...
    expect(result.outputs('legs', ['o'], { leg: 'a' })).toEqual({ a: 'from-a' });
    expect(result.outputs('legs', ['o'], { leg: 'b' })).toEqual({ b: 'from-b' });
    // ... but the job has one of them; GitHub would give { a: 'from-a', b: 'from-b' }.
    const outputs = result.needs!.legs!.outputs;
    expect([
      { a: 'from-a', b: '' },
      { a: '', b: 'from-b' }
    ]).toContainEqual(outputs);
  });

  it('has a stand-in for every third-party action of the actions and the workflows act runs', () => {
    const uses = projectActionFiles().flatMap((f) => remoteUses(readFileSync(f, 'utf8')));
    const map = standInRepositories();
    expect(Object.keys(map).sort()).toEqual([...new Set(uses)].sort());
    for (const [key, dir] of Object.entries(map)) {
      const text = readFileSync(path.join(dir, 'action.yml'), 'utf8');
      expect(text).toMatch(new RegExp(`^# Stand-in for ${key.slice(0, key.indexOf('@'))} `));
      expect(text).toMatch(/Not reproduced:/);
    }
    expect(() => standInRepositories(['    - uses: someone/unknown@v1'])).toThrow(
      /No stand-in under test\/stand-ins for someone\/unknown@v1/
    );
  });

  it('fails, saying to run the setup, when act is missing or not the pinned version', () => {
    expect(() => requireAct('/nonexistent/act')).toThrow(
      /nektos\/act v0\.2\.89 is not installed \(expected \/nonexistent\/act\); run `bash scripts\/setup\.sh`/
    );
    const old = path.join(mkdtempSync(path.join(tmpdir(), 'act-old-')), 'act');
    writeFileSync(old, '#!/bin/sh\necho "act version 0.2.88"\n', { mode: 0o755 });
    expect(() => requireAct(old)).toThrow(
      /is "act version 0\.2\.88", expected v0\.2\.89; run `bash scripts\/setup\.sh`/
    );
    rmSync(path.dirname(old), { recursive: true, force: true });
    expect(requireAct()).toBe(actPath);
  });

  it('kills act and the processes its steps started at the hard timeout', async () => {
    const marker = `300.${process.pid}${Date.now() % 100000}`; // a sleep only this test starts
    const w = workspace({
      '.github/workflows/slow.yml': YAML.stringify({
        on: 'push',
        jobs: {
          slow: {
            'runs-on': 'ubuntu-latest',
            steps: [{ run: `sleep ${marker} & sleep ${marker}` }]
          }
        }
      })
    });
    const started = Date.now();
    const result = await runAct({ workspace: w, workflow: '.github/workflows/slow.yml', timeoutMs: 4000 });
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(60000);
    // SIGKILL is asynchronous: give the kernel a moment to remove the processes, then none may be left.
    const sleepers = () => spawnSync('pgrep', ['-f', `sleep ${marker}`], { encoding: 'utf8' }).stdout.trim();
    for (let i = 0; i < 50 && sleepers() !== ''; i++) await new Promise((r) => setTimeout(r, 100));
    expect(sleepers()).toBe('');
  });
});
