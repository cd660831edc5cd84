/**
 * One declaration per operation, and everything else agrees with it: for every action and its `twotier`
 * command, the option names, types, ranges, required flags and defaults are the same in action.yml, in the
 * action's input reader (readInputs over INPUT_*), in the command's flags (and their parser), and in the
 * library's own defaults (resolveOptions). A hand edit of any of them fails here.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { yamlInputs, yamlOutputs } from '../../src/actions/action-yaml.js';
import { actionDefinitions } from '../../src/actions/definitions.js';
import { readInputs } from '../../src/actions/runtime.js';
import { buildProgram } from '../../src/cli/main.js';
import { attributeOf, flagOf, valuesOf } from '../../src/cli/options.js';
import { Duration } from '../../src/lib/duration.js';
import { ConfigurationError } from '../../src/lib/errors.js';
import { parseOptions, resolveOptions, type OptionDecl } from '../../src/lib/options.js';

const root = process.cwd();

/** Steps the composites run (build-push, the root action), not commands of their own. */
const COMPOSITE_STEPS = ['resolve-image-tag', 'plan-release'];

/** A valid value for each required input, by input name. */
const SAMPLES: Record<string, string> = {
  cluster: 'prod',
  service: 'web',
  'task-definition': 'app:3',
  'task-definition-arn': 'app:3',
  'source-dir': 'dist',
  bucket: 'my-site',
  'distribution-id': 'E2QWRUHAPOMQZL',
  'stack-name': 'twotier-network',
  template: 'templates/network.yml',
  repository: 'twotier/api'
};

type AnyDecl = OptionDecl<unknown>;
const declsOf = (d: (typeof actionDefinitions)[number]) =>
  Object.entries(d.options.options) as [string, AnyDecl][];

/** The raw action inputs for the required options only (plus the one a rule needs). */
function requiredRaw(definition: (typeof actionDefinitions)[number]): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const [, decl] of declsOf(definition)) if (decl.required) raw[decl.name] = SAMPLES[decl.name]!;
  if (definition.name === 'deploy-service') raw['task-definition-arn'] = SAMPLES['task-definition-arn']!;
  if (definition.name === 'run-task') raw.service = SAMPLES.service!;
  if (definition.name === 'register-task-definition') raw['task-definition'] = 'taskdef.json';
  // plan-release checks the root action's inputs: with its defaults (build images, deploy both tiers) these
  // are needed.
  if (definition.name === 'plan-release')
    Object.assign(raw, {
      'api-repository': SAMPLES.repository,
      'web-repository': 'twotier/web',
      cluster: SAMPLES.cluster,
      service: SAMPLES.service,
      bucket: SAMPLES.bucket
    });
  return raw;
}

/** Comparable form of resolved values (Durations as milliseconds). */
function plain(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, v instanceof Duration ? { ms: v.ms } : v])
  );
}

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  Object.assign(process.env, saved);
});

describe.each(actionDefinitions.map((d) => [d.name, d] as const))('%s', (name, definition) => {
  const file = path.join(root, 'actions', name, 'action.yml');

  test('every default is valid for its own type and survives the round trip through its input string', () => {
    for (const [, decl] of declsOf(definition)) {
      if (decl.default === undefined) continue;
      const text = decl.type.format(decl.default);
      if (text === '') continue;
      const back = decl.type.parse(text, decl.name);
      expect(plain({ v: back })).toEqual(plain({ v: decl.default }));
    }
  });

  test('every composite step that runs its bundle passes only declared inputs, and every required one', () => {
    const steps = bundleSteps(name);
    // An action without an action.yml of its own (resolve-image-tag) exists only as such a step.
    if (!existsSync(file)) expect(steps.length).toBeGreaterThan(0);
    const declared = new Set(declsOf(definition).map(([, d]) => d.name.toUpperCase()));
    const required = declsOf(definition)
      .filter(([, d]) => d.required)
      .map(([, d]) => d.name.toUpperCase());
    for (const step of steps) {
      const passed = Object.keys(step.env ?? {})
        .filter((k) => k.startsWith('INPUT_'))
        .map((k) => k.slice('INPUT_'.length));
      expect({ step: step.name, unknown: passed.filter((k) => !declared.has(k)) }).toEqual({
        step: step.name,
        unknown: []
      });
      expect({ step: step.name, missing: required.filter((k) => !passed.includes(k)) }).toEqual({
        step: step.name,
        missing: []
      });
    }
  });

  test('the action input reader and the library resolve to the same defaults', () => {
    const raw = requiredRaw(definition);
    for (const [input, value] of Object.entries(raw))
      process.env[`INPUT_${input.replace(/ /g, '_').toUpperCase()}`] = value;
    const fromInputs = readInputs(definition.options);
    const fromLibrary = resolveOptions(definition.options, parseOptions(definition.options, raw) as never);
    expect(plain(fromInputs)).toEqual(plain(fromLibrary));
    // Every defaulted option is set by both, to the declared default.
    for (const [key, decl] of declsOf(definition)) {
      if (decl.default === undefined || decl.name in raw) continue;
      expect(plain({ v: (fromInputs as Record<string, unknown>)[key] })).toEqual(plain({ v: decl.default }));
    }
  });

  test('action.yml defaults, read back as input strings, are the declared defaults', () => {
    if (!existsSync(file)) return;
    const yml = parse(readFileSync(file, 'utf8')) as { inputs: Record<string, { default?: unknown }> };
    const raw = requiredRaw(definition);
    for (const [input, spec] of Object.entries(yml.inputs))
      if (spec.default !== undefined && String(spec.default) !== '') raw[input] ??= String(spec.default);
    const fromYaml = parseOptions(definition.options, raw);
    const fromLibrary = parseOptions(definition.options, requiredRaw(definition));
    expect(plain(fromYaml)).toEqual(plain(fromLibrary));
  });

  test('the twotier command has one flag per declared option and parses them the same way', async () => {
    const program = await buildProgram();
    const command = program.commands.find((c) => c.name() === name);
    if (!command) {
      // resolve-image-tag is a step of build-push, plan-release of the root action: no commands of their own.
      expect(COMPOSITE_STEPS).toContain(name);
      return;
    }
    const flags = command.options.map((o) => o.flags).filter((f) => f !== '--summary-file <file>');
    const declared = declsOf(definition)
      .map(([, d]) => d)
      .filter((d) => d.cli !== false)
      .map((d) => flagOf(d));
    expect(flags.filter((f) => f !== '--json').sort()).toEqual([...declared].sort());
    for (const option of command.options) {
      const decl = declsOf(definition).find(([, d]) => flagOf(d) === option.flags)?.[1];
      if (decl) expect(option.mandatory).toBe(decl.required === true);
    }
    // The flags' values go through the same parser: the required options only give the declared defaults.
    const parsed: Record<string, unknown> = {};
    for (const [input, value] of Object.entries(requiredRaw(definition))) {
      const decl = declsOf(definition).find(([, d]) => d.name === input)![1];
      parsed[attributeOf(decl)] = value;
    }
    expect(plain(valuesOf(definition.options, parsed))).toEqual(
      plain(parseOptions(definition.options, requiredRaw(definition)))
    );
  });

  test('a bad value is refused by the action reader, the command and the library with the same reason', async () => {
    const numeric = declsOf(definition).find(
      ([, d]) => (typeof d.default === 'number' || d.default instanceof Duration) && d.cli !== false
    );
    if (!numeric) return;
    const [key, decl] = numeric;
    const raw = { ...requiredRaw(definition), [decl.name]: '0x10' };
    const viaParse = (() => {
      try {
        parseOptions(definition.options, raw);
      } catch (e) {
        return e as ConfigurationError;
      }
    })();
    expect(viaParse).toBeInstanceOf(ConfigurationError);
    expect(viaParse?.message).toContain(decl.name);
    expect(viaParse?.message).toContain('"0x10"');
    const viaCommand = (() => {
      const parsed: Record<string, unknown> = {};
      for (const [input, value] of Object.entries(raw)) {
        const d = declsOf(definition).find(([, x]) => x.name === input)![1];
        parsed[attributeOf(d)] = value;
      }
      try {
        valuesOf(definition.options, parsed);
      } catch (e) {
        return e as ConfigurationError;
      }
    })();
    const flag = (decl.cli && decl.cli.flag) || `--${decl.name}`;
    expect(viaCommand).toBeInstanceOf(ConfigurationError);
    expect(viaCommand?.message).toBe(viaParse?.message.replace(`Input ${decl.name}`, flag));
    expect(() =>
      resolveOptions(definition.options, {
        ...parseOptions(definition.options, requiredRaw(definition)),
        [key]: typeof decl.default === 'number' ? -1e9 : Duration.hours(1e9)
      } as never)
    ).toThrow(ConfigurationError);
  });
});

test('the command layer exposes every action (and nothing the declarations do not know)', async () => {
  const program: Command = await buildProgram();
  const names = program.commands.map((c) => c.name());
  for (const d of actionDefinitions) if (!COMPOSITE_STEPS.includes(d.name)) expect(names).toContain(d.name);
});

/** The actions that have an action.yml of their own (resolve-image-tag is only a step of composites). */
const withActionYml = actionDefinitions.filter((d) =>
  existsSync(path.join(root, 'actions', d.name, 'action.yml'))
);

describe.each(withActionYml.map((d) => [d.name, d] as const))('actions/%s/action.yml', (name, definition) => {
  const file = path.join(root, 'actions', name, 'action.yml');
  test('declares exactly the declared inputs and outputs (names, required, defaults, docs)', () => {
    const yml = parse(readFileSync(file, 'utf8')) as {
      inputs: Record<string, { description: string; required?: boolean; default?: unknown }>;
      outputs: Record<string, { description: string }>;
    };
    const normal = (inputs: typeof yml.inputs) =>
      Object.fromEntries(
        Object.entries(inputs).map(([k, v]) => [
          k,
          {
            description: String(v.description).replace(/\s+/g, ' ').trim(),
            required: v.required === true,
            ...(v.default === undefined ? {} : { default: String(v.default) })
          }
        ])
      );
    expect(normal(yml.inputs)).toEqual(normal(yamlInputs(definition.options)));
    expect(Object.keys(yml.outputs)).toEqual(Object.keys(yamlOutputs(definition)));
  });
});

interface CompositeStep {
  name?: string;
  run?: string;
  env?: Record<string, string>;
}

/** The steps of the composite actions (the root action.yml and actions/*\/action.yml) that run dist/<name>. */
function bundleSteps(name: string): CompositeStep[] {
  const files = [
    path.join(root, 'action.yml'),
    ...readdirSync(path.join(root, 'actions')).map((d) => path.join(root, 'actions', d, 'action.yml'))
  ].filter((f) => existsSync(f));
  const steps: CompositeStep[] = [];
  for (const f of files) {
    const yml = parse(readFileSync(f, 'utf8')) as { runs?: { using?: string; steps?: CompositeStep[] } };
    if (yml.runs?.using !== 'composite') continue;
    for (const step of yml.runs.steps ?? [])
      if (step.run && new RegExp(`dist/${name}/index\\.js`).test(step.run)) steps.push(step);
  }
  return steps;
}
