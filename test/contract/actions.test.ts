/**
 * The contract between each action's action.yml and its code, for whatever actions exist when it runs:
 * inputs read = inputs declared, outputs set = outputs declared, node24 and an existing bundle, descriptions
 * everywhere, composite steps passing only inputs the bundle reads, SHA-pinned third-party actions, and
 * generated README/docs tables that match.
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  actionSpecs,
  bundleSteps,
  codeActions,
  codeContract,
  root,
  usesLines,
  type ActionSpec
} from './contract.js';

const specs = actionSpecs();
const jsSpecs = specs.filter((s) => s.runs.using !== 'composite');
const composites = specs.filter((s) => s.runs.using === 'composite');
const sorted = (set: Iterable<string>) => [...set].sort();
/** A pinned third-party reference: owner/repo[/path]@<40 hex> with a `# vX[.Y.Z]` comment. */
const PINNED = /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/;

describe.each(specs.map((s) => [s.dir || '(root)', s] as const))(
  '%s/action.yml',
  (_label, spec: ActionSpec) => {
    test('has a name, a description and branding', () => {
      expect(spec.name).toBeTruthy();
      expect(spec.description).toBeTruthy();
      expect(spec.branding).toBeTruthy();
    });

    test('every input and output has a description', () => {
      const missing = [
        ...Object.entries(spec.inputs)
          .filter(([, v]) => !v?.description?.trim())
          .map(([k]) => `input ${k}`),
        ...Object.entries(spec.outputs)
          .filter(([, v]) => !v?.description?.trim())
          .map(([k]) => `output ${k}`)
      ];
      expect(missing).toEqual([]);
    });

    test('third-party actions are pinned to a full commit SHA with a version comment', () => {
      const bad = usesLines(spec.text)
        .filter((u) => !u.ref.startsWith('./'))
        .filter((u) => !PINNED.test(u.ref) || !/#\s*v\d/.test(u.comment))
        .map((u) => `line ${u.line}: ${u.ref} ${u.comment}`);
      expect(bad).toEqual([]);
    });
  }
);

if (jsSpecs.length > 0) {
  describe.each(jsSpecs.map((s) => [s.dir, s] as const))(
    '%s (JavaScript action)',
    (dir, spec: ActionSpec) => {
      const name = path.basename(dir);

      test('runs on node24 from its own existing bundle', () => {
        expect(spec.runs.using).toBe('node24');
        expect(spec.runs.main).toBe(`../../dist/${name}/index.js`);
        expect(existsSync(path.join(root, dir, spec.runs.main ?? 'missing'))).toBe(true);
      });

      test('its code is in src/actions/<name> and exports its declaration', () => {
        expect(existsSync(path.join(root, 'src', 'actions', name, 'main.ts'))).toBe(true);
        expect(() => codeContract(name)).not.toThrow();
      });

      test('every input the code reads is declared, and every declared input is read', () => {
        const code = codeContract(name);
        const declared = sorted(Object.keys(spec.inputs));
        expect({ readButNotDeclared: sorted(code.inputs).filter((n) => !declared.includes(n)) }).toEqual({
          readButNotDeclared: []
        });
        expect({ declaredButNeverRead: declared.filter((n) => !code.inputs.has(n)) }).toEqual({
          declaredButNeverRead: []
        });
      });

      test('every output the code sets is declared, and every declared output is set', () => {
        const code = codeContract(name);
        const declared = sorted(Object.keys(spec.outputs));
        expect({ setButNotDeclared: sorted(code.outputs).filter((n) => !declared.includes(n)) }).toEqual({
          setButNotDeclared: []
        });
        expect({ declaredButNeverSet: declared.filter((n) => !code.outputs.has(n)) }).toEqual({
          declaredButNeverSet: []
        });
      });

      test('required inputs in action.yml are the ones the code requires', () => {
        const code = codeContract(name);
        const requiredYml = Object.entries(spec.inputs)
          .filter(([, v]) => v?.required === true)
          .map(([k]) => k);
        // A required input without a default must be required by the code too (the runner does not enforce it).
        expect(
          requiredYml.filter((k) => !code.required.has(k) && spec.inputs[k]?.default === undefined)
        ).toEqual([]);
      });
    }
  );
}

describe.each(composites.map((s) => [s.dir || '(root)', s] as const))(
  '%s (composite)',
  (_label, spec: ActionSpec) => {
    test('every ${{ inputs.X }} it uses is declared, and every declared input is used', () => {
      const used = new Set([...spec.text.matchAll(/inputs\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]!));
      const declared = Object.keys(spec.inputs);
      expect({ usedButNotDeclared: sorted(used).filter((n) => !declared.includes(n)) }).toEqual({
        usedButNotDeclared: []
      });
      expect({ declaredButUnused: declared.filter((n) => !used.has(n)) }).toEqual({ declaredButUnused: [] });
    });

    test('every output maps to a step that exists', () => {
      const ids = new Set((spec.runs.steps ?? []).map((s) => s.id).filter(Boolean));
      const missing: string[] = [];
      for (const [name, output] of Object.entries(spec.outputs)) {
        for (const m of (output?.value ?? '').matchAll(/steps\.([\w-]+)\.outputs/g)) {
          if (!ids.has(m[1])) missing.push(`${name} -> steps.${m[1]}`);
        }
      }
      expect(missing).toEqual([]);
    });

    test('inputs reach scripts through env:, never pasted into run:', () => {
      const pasted = (spec.runs.steps ?? []).filter((s) => s.run?.includes('${{')).map((s) => s.name ?? s.id);
      expect(pasted).toEqual([]);
    });

    const steps = bundleSteps(spec);
    if (steps.length > 0) {
      describe.each(steps.map((s) => [s.step.id ?? s.step.name ?? s.bundle, s] as const))(
        'step %s',
        (_id, { bundle, inputs, step }) => {
          test(`runs an existing bundle (dist/${bundle}/index.js)`, () => {
            expect(existsSync(path.join(root, 'dist', bundle, 'index.js'))).toBe(true);
          });
          test('passes only inputs the bundle reads, and every input it requires', () => {
            const code = codeContract(bundle);
            expect({ passedButNotRead: inputs.filter((n) => !code.inputs.has(n)) }).toEqual({
              passedButNotRead: []
            });
            const ymlFile = path.join(root, 'actions', bundle, 'action.yml');
            const required = new Set(code.required);
            if (existsSync(ymlFile)) {
              const own = specs.find((s) => s.dir === `actions/${bundle}`);
              for (const [k, v] of Object.entries(own?.inputs ?? {})) if (v?.required) required.add(k);
            }
            expect({ requiredButNotPassed: sorted(required).filter((n) => !inputs.includes(n)) }).toEqual({
              requiredButNotPassed: []
            });
          });
          test('every output of this step used by the action is one the bundle sets', () => {
            const code = codeContract(bundle);
            const used = [
              ...spec.text.matchAll(new RegExp(`steps\\.${step.id}\\.outputs\\.([\\w-]+)`, 'g'))
            ].map((m) => m[1]!);
            expect(sorted(new Set(used)).filter((n) => !code.outputs.has(n))).toEqual([]);
          });
        }
      );
    }
  }
);

describe('the set of actions', () => {
  test('every src/actions/<name> is an action (actions/<name>/action.yml) or a step run by a composite', () => {
    const runByComposite = new Set(composites.flatMap((s) => bundleSteps(s).map((b) => b.bundle)));
    const orphans = codeActions().filter(
      (n) => !existsSync(path.join(root, 'actions', n, 'action.yml')) && !runByComposite.has(n)
    );
    expect(orphans).toEqual([]);
  });

  test('every committed bundle dist/<name> has its source', () => {
    const dist = path.join(root, 'dist');
    const bundles = existsSync(dist)
      ? readdirSync(dist).filter((n) => existsSync(path.join(dist, n, 'index.js')))
      : [];
    expect(bundles.filter((n) => !codeActions().includes(n))).toEqual([]);
  });

  test('the README and docs/actions.md tables are generated from the current action.yml files', () => {
    let message = '';
    try {
      execFileSync(process.execPath, ['scripts/gen-action-docs.mjs', '--check'], {
        cwd: root,
        stdio: 'pipe'
      });
    } catch (error) {
      message = String((error as { stderr?: Buffer }).stderr ?? error);
    }
    expect(message).toBe('');
  });

  test('workflows pin third-party actions to a full commit SHA with a version comment', () => {
    const files = ['.github/workflows', 'workflows']
      .map((d) => path.join(root, d))
      .filter((d) => existsSync(d))
      .flatMap((d) => readdirSync(d).map((f) => path.join(d, f)))
      .filter((f) => /\.ya?ml$/.test(f));
    const bad: string[] = [];
    for (const file of files) {
      for (const u of usesLines(readFileSync(file, 'utf8'))) {
        if (u.ref.startsWith('./')) continue;
        // The toolkit's own reusable workflow/actions in the starter workflows: users pick the ref (documented).
        if (/\/twotier-actions(\/|@)/.test(u.ref) && /zizmor: ignore\[unpinned-uses\]/.test(u.comment))
          continue;
        if (!PINNED.test(u.ref) || !/#\s*v\d/.test(u.comment))
          bad.push(`${path.relative(root, file)}:${u.line} ${u.ref}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('the reusable workflow', () => {
  const file = path.join(root, '.github', 'workflows', 'deploy.yml');
  test('every with: key it passes to a toolkit action is an input of that action', () => {
    if (!existsSync(file)) return;
    const doc = parse(readFileSync(file, 'utf8')) as {
      jobs?: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>;
    };
    const unknown: string[] = [];
    for (const [job, spec] of Object.entries(doc.jobs ?? {})) {
      for (const step of spec.steps ?? []) {
        const m = /^\.\/\.twotier-actions(?:\/(.+))?$/.exec(step.uses ?? '');
        if (!m) continue;
        const action = specs.find((s) => s.dir === (m[1] ?? ''));
        if (!action) {
          unknown.push(`${job}: ${step.uses} is not an action of this repository`);
          continue;
        }
        for (const key of Object.keys(step.with ?? {})) {
          if (!(key in action.inputs)) unknown.push(`${job}: ${step.uses} has no input ${key}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });
});
