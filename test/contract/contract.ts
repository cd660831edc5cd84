/**
 * What the contract test compares: the inputs and outputs an action declares (action.yml) against the ones its
 * code reads and sets (src/actions/<name>/, parsed with the TypeScript compiler, no execution), and the
 * composite steps that run bundles directly (`node .../dist/<name>/index.js` with INPUT_* env).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { AnyActionDefinition } from '../../src/actions/definition.js';
import { actionDefinitions } from '../../src/actions/definitions.js';

export const root = path.resolve(process.cwd());

/** An action.yml as far as the contract cares. */
export interface ActionSpec {
  /** Directory relative to the root ('' for the root action). */
  dir: string;
  file: string;
  text: string;
  name?: string;
  description?: string;
  branding?: unknown;
  inputs: Record<string, { description?: string; required?: boolean; default?: unknown } | null>;
  outputs: Record<string, { description?: string; value?: string } | null>;
  runs: { using?: string; main?: string; steps?: Step[] };
}

/** A step of a composite action or a workflow job. */
export interface Step {
  id?: string;
  name?: string;
  if?: string | boolean;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}

/** Every action file: the root action.yml, then actions/<name>/action.yml. */
export function actionSpecs(): ActionSpec[] {
  const dirs = [''];
  const actionsDir = path.join(root, 'actions');
  if (existsSync(actionsDir)) {
    for (const name of readdirSync(actionsDir).sort()) {
      if (statSync(path.join(actionsDir, name)).isDirectory()) dirs.push(`actions/${name}`);
    }
  }
  const specs: ActionSpec[] = [];
  for (const dir of dirs) {
    const file = path.join(root, dir, 'action.yml');
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const doc = (parse(text) ?? {}) as Partial<ActionSpec>;
    specs.push({
      ...doc,
      dir,
      file,
      text,
      inputs: doc.inputs ?? {},
      outputs: doc.outputs ?? {},
      runs: doc.runs ?? {}
    });
  }
  return specs;
}

/** Names of the JavaScript actions with code: src/actions/<name>/index.ts. */
export function codeActions(): string[] {
  const dir = path.join(root, 'src', 'actions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(path.join(dir, n, 'index.ts')))
    .sort();
}

/** What an action's code reads and sets: exactly its declaration (src/actions/<name>/main.ts `definition`). */
export interface CodeContract {
  /** Input names the action reads (its declared options that have an action input). */
  inputs: Set<string>;
  /** Inputs declared required. */
  required: Set<string>;
  /** Output names declared (and so settable). */
  outputs: Set<string>;
}

/** The declaration of src/actions/<name>, or undefined. */
export function definitionOf(name: string): AnyActionDefinition | undefined {
  return actionDefinitions.find((d) => d.name === name);
}

/**
 * The contract of src/actions/<name>/ from its declaration (readInputs reads every declared input and
 * nothing else; setOutputs is typed by the declared output names).
 * @throws Error when the action has no declaration.
 */
export function codeContract(name: string): CodeContract {
  const definition = definitionOf(name);
  if (!definition) throw new Error(`src/actions/${name}/main.ts exports no \`definition\``);
  const decls = Object.values(definition.options.options) as {
    name: string;
    required?: boolean;
    action?: false;
  }[];
  const inputs = decls.filter((d) => d.action !== false);
  return {
    inputs: new Set(inputs.map((d) => d.name)),
    required: new Set(inputs.filter((d) => d.required).map((d) => d.name)),
    outputs: new Set(Object.keys(definition.outputs))
  };
}

/** A composite step that runs one of our bundles: `node ".../dist/<name>/index.js"`. */
export interface BundleStep {
  step: Step;
  bundle: string;
  /** Input names passed as INPUT_<NAME> env (lower-cased back to the action.yml spelling). */
  inputs: string[];
}

/** The bundle-running steps of a composite action. */
export function bundleSteps(spec: ActionSpec): BundleStep[] {
  const out: BundleStep[] = [];
  for (const step of spec.runs.steps ?? []) {
    const match =
      /node\s+"?\$(?:GITHUB_ACTION_PATH|\{GITHUB_ACTION_PATH\})\/(?:\.\.\/)*dist\/([\w-]+)\/index\.js/.exec(
        step.run ?? ''
      );
    if (!match) continue;
    const inputs = Object.keys(step.env ?? {})
      .filter((k) => k.startsWith('INPUT_'))
      .map((k) => k.slice('INPUT_'.length).toLowerCase());
    out.push({ step, bundle: match[1]!, inputs });
  }
  return out;
}

/** The `uses:` lines of a YAML file with their line numbers. */
export function usesLines(text: string): { line: number; ref: string; comment: string }[] {
  const out: { line: number; ref: string; comment: string }[] = [];
  text.split('\n').forEach((l, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*['"]?([^\s'"#]+)['"]?\s*(#.*)?$/.exec(l);
    if (m) out.push({ line: i + 1, ref: m[1]!, comment: m[2] ?? '' });
  });
  return out;
}
