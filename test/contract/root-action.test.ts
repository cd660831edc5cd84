/**
 * The root action.yml as the runner evaluates it: its steps in order, each `if:` and every `env:` / `with:`
 * expression evaluated with GitHub's semantics (test/helpers/expressions.ts), the plan-release steps computed
 * by the real library code (src/release/, through the action's own phaseOutputs), the other steps stood in by
 * outputs of the right shape. The assertions are on what each register / migrate / deploy step receives, so
 * an expression that picks the wrong value (the old `split && web-secrets || secrets`, issue 11) fails here.
 * The Node.js check (the one bash step with logic) runs under bash with a stand-in `node`.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { phaseOutputs, runPhase } from '../../src/actions/plan-release/main.js';
import { ConfigurationError } from '../../src/lib/errors.js';
import { parseOptions } from '../../src/lib/options.js';
import { MemoryReporter } from '../../src/lib/reporter.js';
import { releasePlanOptions } from '../../src/release/options.js';
import { parseOutputFile } from '../helpers/action.js';
import { expressionsIn, interpolate, stepRuns, type Scope, type Value } from '../helpers/expressions.js';
import { actionSpecs, root, type ActionSpec, type Step } from './contract.js';

const rootAction = actionSpecs().find((s) => s.dir === '')!;
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const DIGEST = { api: `sha256:${'a'.repeat(64)}`, web: `sha256:${'b'.repeat(64)}` };
const SECRET = 'api.DATABASE_URL=arn:aws:ssm:eu-west-1:123456789012:parameter/db';

/** What one step of a simulated run saw and produced. */
interface StepRun {
  id: string;
  ran: boolean;
  env: Record<string, string>;
  with: Record<string, string>;
  outputs: Record<string, string>;
  failed?: string;
}

interface Scenario {
  /** Image tags already in ECR (the build of that image is skipped). */
  existing?: ('api' | 'web')[];
  /** Steps that fail (by id). */
  failing?: string[];
}

/** Standing in for the runner: the outputs a step of the root action sets, from what it receives. */
function stepOutputs(step: Step, env: Record<string, string>, scenario: Scenario): Record<string, string> {
  const bundle = /dist\/([\w-]+)\/index\.js/.exec(step.run ?? '')?.[1];
  const uses = step.uses ?? '';
  if (bundle === 'plan-release') {
    const raw: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) if (k.startsWith('INPUT_')) raw[k.slice(6).toLowerCase()] = v;
    const values = parseOptions(releasePlanOptions, raw);
    const outputs = phaseOutputs(runPhase(values, new MemoryReporter()));
    return Object.fromEntries(
      Object.entries(outputs)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)])
    );
  }
  if (bundle === 'resolve-image-tag') {
    const image = env.INPUT_REPOSITORY!.endsWith('api') ? 'api' : 'web';
    const exists = scenario.existing?.includes(image) ?? false;
    return {
      image: `${REGISTRY}/${env.INPUT_REPOSITORY}:0123456789ab`,
      tag: '0123456789ab',
      exists: String(exists),
      digest: exists ? DIGEST[image] : ''
    };
  }
  if (uses.startsWith('docker/build-push-action'))
    return { digest: DIGEST[String(step.id).endsWith('api') ? 'api' : 'web'] };
  if (bundle === 'register-task-definition') {
    const family = env.INPUT_SERVICE || 'from-file';
    return {
      'task-definition-arn': `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:7`,
      changed: 'true'
    };
  }
  if (bundle === 'deploy-service')
    return { 'deployment-id': `ecs-svc/${env.INPUT_SERVICE}`, 'rollout-state': 'COMPLETED' };
  if (bundle === 'run-task')
    return { 'task-arn': 'arn:aws:ecs:eu-west-1:123456789012:task/t/1', 'exit-code': '0' };
  if (bundle === 'upload-frontend') {
    const releaseId = env['INPUT_RELEASE-ID'] || 'sha-0123456789ab';
    return env.INPUT_PHASE === 'stage'
      ? { 'release-id': releaseId, 'uploaded-count': '3', 'changed-paths': '[]' }
      : { 'release-id': releaseId, 'deleted-count': '1', 'changed-paths': '["/index.html"]' };
  }
  if (bundle === 'invalidate-cdn') return { 'invalidation-id': 'I123', status: 'Completed' };
  return {};
}

/**
 * Runs the root action's steps as the runner would: action.yml defaults for inputs not given, each `if:`
 * (with the implicit success()), each env/with value interpolated from the contexts so far.
 */
function simulate(
  given: Record<string, string>,
  scenario: Scenario = {},
  spec: ActionSpec = rootAction
): { steps: Record<string, StepRun>; order: StepRun[]; outputs: Record<string, string>; failed: boolean } {
  const inputs: Record<string, Value> = {};
  for (const [name, decl] of Object.entries(spec.inputs)) inputs[name] = String(decl?.default ?? '');
  Object.assign(inputs, given);
  const steps: Record<string, Value> = {};
  const scope: Scope = { contexts: { inputs, steps, env: { AWS_REGION: 'eu-west-1' } }, failed: false };
  const runs: Record<string, StepRun> = {};
  const order: StepRun[] = [];
  (spec.runs.steps ?? []).forEach((step, index) => {
    const id = step.id ?? `step-${index}-${step.name ?? ''}`;
    const record: StepRun = { id, ran: false, env: {}, with: {}, outputs: {} };
    runs[id] = record;
    order.push(record);
    if (!stepRuns(step.if, scope)) {
      steps[id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      return;
    }
    record.ran = true;
    for (const [k, v] of Object.entries(step.env ?? {})) record.env[k] = interpolate(String(v), scope);
    for (const [k, v] of Object.entries(step.with ?? {})) record.with[k] = interpolate(String(v), scope);
    try {
      if (scenario.failing?.includes(id)) throw new Error(`${id} failed (scenario)`);
      record.outputs = stepOutputs(step, record.env, scenario);
      steps[id] = { outputs: record.outputs, outcome: 'success', conclusion: 'success' };
    } catch (error) {
      record.failed =
        error instanceof ConfigurationError ? `Configuration error: ${error.message}` : String(error);
      steps[id] = { outputs: {}, outcome: 'failure', conclusion: 'failure' };
      scope.failed = true;
    }
  });
  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(spec.outputs))
    outputs[name] = interpolate(String(output?.value ?? ''), scope);
  return { steps: runs, order, outputs, failed: Boolean(scope.failed) };
}

const backend = { cluster: 'twotier', service: 'web-svc', bucket: 'site' };
const split = { ...backend, topology: 'split', 'api-service': 'api-svc' };
const built = { 'api-repository': 'twotier/api', 'web-repository': 'twotier/web' };
const given = {
  'build-images': 'false',
  'api-image': `repo/api@${DIGEST.api}`,
  'web-image': `repo/web@${DIGEST.web}`
};
const env = (run: ReturnType<typeof simulate>, id: string) => {
  const step = run.steps[id];
  if (!step?.ran) throw new Error(`step ${id} did not run`);
  return step.env;
};

describe('root action: the plan decides, every later step reads exactly one of its outputs', () => {
  test('no value expression combines && with another operand (an empty string is falsy: c && a || b gives b)', () => {
    const files = ['action.yml', '.github/workflows/deploy.yml'];
    const bad: string[] = [];
    for (const file of files) {
      const doc = parse(readFileSync(path.join(root, file), 'utf8')) as unknown;
      const walk = (node: unknown, where: string) => {
        if (typeof node === 'string') {
          // if: conditions are booleans; only values handed to a step or an output can pick the wrong operand.
          if (/(^|\.)if$/.test(where)) return;
          for (const e of expressionsIn(node)) if (e.includes('&&')) bad.push(`${file} ${where}: ${e}`);
        } else if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}[${i}]`));
        else if (node && typeof node === 'object')
          for (const [k, v] of Object.entries(node)) walk(v, where ? `${where}.${k}` : k);
      };
      walk(doc, '');
    }
    expect(bad).toEqual([]);
  });

  test('each root input the plan reads has, in action.yml, the default the plan declares', () => {
    const planStep = rootAction.runs.steps!.find((s) => s.id === 'plan')!;
    const decls = Object.values(releasePlanOptions.options) as { name: string; default?: unknown }[];
    const differ: string[] = [];
    for (const [key, value] of Object.entries(planStep.env ?? {})) {
      const input = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(String(value))?.[1];
      if (!input) continue;
      const decl = decls.find((d) => `INPUT_${d.name.toUpperCase()}` === key);
      if (!decl) differ.push(`${key}: not a plan-release option`);
      else if (input !== decl.name) differ.push(`${key} reads inputs.${input}`);
      else {
        const declared = decl.default === undefined ? '' : String(decl.default);
        const yml = String(rootAction.inputs[input]?.default ?? '');
        if (yml !== declared)
          differ.push(`${input}: action.yml ${JSON.stringify(yml)}, declared ${JSON.stringify(declared)}`);
      }
    }
    expect(differ).toEqual([]);
  });

  test('split, a secret for the API only: the web registration gets no secret lines, the API its own', () => {
    const run = simulate({
      ...split,
      ...built,
      environment: 'api.LOG_LEVEL=info\nweb.API_UPSTREAM=http://api.internal:8000',
      secrets: SECRET
    });
    expect(run.failed).toBe(false);
    expect(env(run, 'register')['INPUT_SECRETS']).toBe('');
    expect(env(run, 'register')['INPUT_ENVIRONMENT']).toBe('web.API_UPSTREAM=http://api.internal:8000');
    expect(env(run, 'register')['INPUT_IMAGES']).toBe(`web=${REGISTRY}/twotier/web@${DIGEST.web}`);
    expect(env(run, 'register-api')['INPUT_SECRETS']).toBe(SECRET);
    expect(env(run, 'register-api')['INPUT_ENVIRONMENT']).toBe('api.LOG_LEVEL=info');
    expect(env(run, 'register-api')['INPUT_IMAGES']).toBe(`api=${REGISTRY}/twotier/api@${DIGEST.api}`);
    expect(env(run, 'deploy-api')['INPUT_TASK-DEFINITION-ARN']).toMatch(/task-definition\/api-svc:7$/);
    expect(env(run, 'deploy')['INPUT_TASK-DEFINITION-ARN']).toMatch(/task-definition\/web-svc:7$/);
  });

  test('split, lines for the web container only: the API registration gets none', () => {
    const run = simulate({ ...split, ...built, environment: 'web.API_UPSTREAM=http://api:8000' });
    expect(env(run, 'register-api')['INPUT_ENVIRONMENT']).toBe('');
    expect(env(run, 'register-api')['INPUT_SECRETS']).toBe('');
    expect(env(run, 'register')['INPUT_ENVIRONMENT']).toBe('web.API_UPSTREAM=http://api:8000');
  });

  test('split, only api-image given: the web registration gets no image line', () => {
    const run = simulate({ ...split, ...given, 'web-image': '' });
    expect(run.failed).toBe(false);
    expect(env(run, 'register')['INPUT_IMAGES']).toBe('');
    expect(env(run, 'register-api')['INPUT_IMAGES']).toBe(`api=${given['api-image']}`);
    expect(run.outputs['api-image']).toBe(given['api-image']);
    expect(run.outputs['web-image']).toBe('');
  });

  test('split, only web-image given: the API registration gets no image line', () => {
    const run = simulate({ ...split, ...given, 'api-image': '' });
    expect(env(run, 'register-api')['INPUT_IMAGES']).toBe('');
    expect(env(run, 'register')['INPUT_IMAGES']).toBe(`web=${given['web-image']}`);
  });

  test('sidecar: one registration with every line and both images; no API steps', () => {
    const run = simulate({ ...backend, ...built, environment: 'api.A=1\nweb.B=2', secrets: SECRET });
    expect(env(run, 'register')).toMatchObject({
      INPUT_ENVIRONMENT: 'api.A=1\nweb.B=2',
      INPUT_SECRETS: SECRET,
      INPUT_IMAGES: `web=${REGISTRY}/twotier/web@${DIGEST.web}\napi=${REGISTRY}/twotier/api@${DIGEST.api}`
    });
    expect(run.steps['register-api']!.ran).toBe(false);
    expect(run.steps['deploy-api']!.ran).toBe(false);
    expect(run.outputs['api-task-definition-arn']).toBe('');
  });

  test('sidecar, only web-image given', () => {
    const run = simulate({ ...backend, ...given, 'api-image': '' });
    expect(env(run, 'register')['INPUT_IMAGES']).toBe(`web=${given['web-image']}`);
  });

  test('a tag already in ECR is pinned to the digest ECR holds and reported as skipped', () => {
    const run = simulate({ ...backend, ...built }, { existing: ['web'] });
    expect(run.steps['build-web']!.ran).toBe(false);
    expect(run.steps['build-api']!.ran).toBe(true);
    expect(run.outputs).toMatchObject({
      'api-image': `${REGISTRY}/twotier/api@${DIGEST.api}`,
      'web-image': `${REGISTRY}/twotier/web@${DIGEST.web}`,
      'api-skipped': 'false',
      'web-skipped': 'true',
      'image-tag': '0123456789ab'
    });
  });

  test.each([
    ['split', split, /task-definition\/api-svc:7$/, 'api-svc'],
    ['sidecar', backend, /task-definition\/web-svc:7$/, 'web-svc']
  ])('%s: the migration runs on the revision holding the API container', (_t, inputs, arn, service) => {
    const run = simulate({
      ...inputs,
      ...built,
      'run-migrations': 'true',
      'migration-command': 'flask db upgrade'
    });
    expect(env(run, 'migrate')['INPUT_TASK-DEFINITION']).toMatch(arn);
    expect(env(run, 'migrate')['INPUT_SERVICE']).toBe(service);
    expect(env(run, 'migrate')['INPUT_CONTAINER']).toBe('api');
    const ids = run.order.filter((s) => s.ran).map((s) => s.id);
    expect(ids.indexOf('migrate')).toBeLessThan(ids.indexOf('deploy'));
  });

  test('migrations off: no migration task', () => {
    expect(simulate({ ...backend, ...built }).steps['migrate']!.ran).toBe(false);
  });

  test('a bad input fails the plan step and nothing after it runs (no AWS step)', () => {
    const run = simulate({
      ...split,
      ...built,
      secrets: 'worker.TOKEN=arn:aws:ssm:eu-west-1:123456789012:parameter/t'
    });
    expect(run.failed).toBe(true);
    expect(run.steps['plan']!.failed).toMatch(/^Configuration error: secrets: .*"worker"/);
    const after = run.order.slice(run.order.findIndex((s) => s.id === 'plan') + 1);
    expect(
      after.filter((s) => s.ran && !/failure\(\)/.test(String(stepOf(s.id)?.if))).map((s) => s.id)
    ).toEqual([]);
  });

  test('frontend off: no frontend step runs; backend off: no backend step runs', () => {
    const noFrontend = simulate({ ...backend, ...built, 'deploy-frontend': 'false' });
    const frontendSteps = (run: ReturnType<typeof simulate>) =>
      run.order
        .filter((s) => s.ran && /frontend|upload|invalidate|stage|publish/i.test(stepName(s.id)))
        .map((s) => s.id);
    expect(frontendSteps(noFrontend)).toEqual([]);
    const noBackend = simulate({
      ...given,
      'api-image': '',
      'web-image': '',
      'deploy-backend': 'false',
      bucket: 'site'
    });
    expect(noBackend.failed).toBe(false);
    expect(
      noBackend.order.filter((s) => s.ran && /register|deploy|migrate/.test(s.id)).map((s) => s.id)
    ).toEqual([]);
    expect(frontendSteps(noBackend).length).toBeGreaterThan(0);
  });

  test('the check above catches the old defect: put back, the web registration gets the API secret', () => {
    const old = structuredClone(rootAction);
    const register = old.runs.steps!.find((s) => s.id === 'register')!;
    register.env!['INPUT_SECRETS'] =
      "${{ inputs.topology == 'split' && steps.plan.outputs.register-secrets || inputs.secrets }}";
    const run = simulate({ ...split, ...built, secrets: SECRET }, {}, old);
    expect(env(run, 'register')['INPUT_SECRETS']).toBe(SECRET);
  });
});

function stepOf(id: string): Step | undefined {
  return rootAction.runs.steps?.find((s, i) => (s.id ?? `step-${i}-${s.name ?? ''}`) === id);
}
function stepName(id: string): string {
  const step = stepOf(id);
  return `${step?.id ?? ''} ${step?.name ?? ''}`;
}

describe('root action: release order (issue 12)', () => {
  const both = { ...split, ...built, 'distribution-id': 'E2QWRUHAPOMQZL' };
  const ran = (run: ReturnType<typeof simulate>) => run.order.filter((s) => s.ran).map((s) => s.id);

  test('images, then the frontend staged, then the backend, then publish and invalidate', () => {
    const run = simulate(both);
    expect(run.failed).toBe(false);
    const ids = ran(run);
    const at = (id: string) => {
      expect(ids).toContain(id);
      return ids.indexOf(id);
    };
    expect(at('images')).toBeLessThan(at('stage'));
    expect(at('stage')).toBeLessThan(at('register-api'));
    expect(at('deploy')).toBeLessThan(at('publish'));
    expect(at('publish')).toBeLessThan(at('invalidate'));
    expect(env(run, 'stage')['INPUT_PHASE']).toBe('stage');
    expect(env(run, 'publish')).toMatchObject({
      INPUT_PHASE: 'publish',
      'INPUT_RELEASE-ID': 'sha-0123456789ab'
    });
    expect(env(run, 'invalidate')['INPUT_CHANGED-PATHS']).toBe('["/index.html"]');
    expect(run.outputs).toMatchObject({
      'frontend-published': 'true',
      'frontend-release-id': 'sha-0123456789ab',
      'frontend-uploaded-count': '3',
      'frontend-changed-paths': '["/index.html"]'
    });
    expect(ids.some((id) => /staged, not published/.test(stepName(id)))).toBe(false);
  });

  test.each(['register-api', 'migrate', 'deploy-api', 'deploy'])(
    'a failed %s leaves the frontend staged, not published, and says so',
    (failing) => {
      const run = simulate(
        { ...both, 'run-migrations': 'true', 'migration-command': 'flask db upgrade' },
        { failing: [failing] }
      );
      expect(run.failed).toBe(true);
      const ids = ran(run);
      expect(ids).toContain('stage');
      expect(ids).not.toContain('publish');
      expect(ids).not.toContain('invalidate');
      expect(ids.filter((id) => /staged, not published/.test(stepName(id)))).toHaveLength(1);
      expect(run.outputs['frontend-published']).toBe('false');
      expect(run.outputs['frontend-release-id']).toBe('sha-0123456789ab');
    }
  );

  test('frontend only (deploy-backend false): staged, then published at once', () => {
    const run = simulate({
      'build-images': 'false',
      'deploy-backend': 'false',
      bucket: 'site',
      'frontend-release-id': 'r42'
    });
    expect(ran(run).filter((id) => ['stage', 'publish'].includes(id))).toEqual(['stage', 'publish']);
    expect(env(run, 'publish')['INPUT_RELEASE-ID']).toBe('r42');
    expect(run.outputs['frontend-published']).toBe('true');
  });

  test('a failed publish is reported as such', () => {
    const run = simulate(both, { failing: ['publish'] });
    const report = run.order.find((s) => /staged, not published/.test(stepName(s.id)))!;
    expect(report.ran).toBe(true);
    expect(report.env['PUBLISH_OUTCOME']).toBe('failure');
  });

  test('the staged-not-published message, run under bash', () => {
    const step = stepOf(run0().order.find((s) => /staged, not published/.test(stepName(s.id)))!.id)!;
    const dir = mkdtempSync(path.join(tmpdir(), 'root-staged-'));
    const summary = path.join(dir, 'summary');
    writeFileSync(summary, '');
    const result = spawnSync(
      '/bin/bash',
      ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', step.run!],
      {
        env: {
          PATH: process.env.PATH ?? '',
          GITHUB_STEP_SUMMARY: summary,
          RELEASE_ID: 'sha-1',
          PUBLISH_OUTCOME: 'skipped'
        },
        encoding: 'utf8'
      }
    );
    const text = readFileSync(summary, 'utf8');
    rmSync(dir, { recursive: true, force: true });
    expect(result.status).toBe(0);
    expect(text).toContain('### Frontend: staged, not published');
    expect(text).toContain('The frontend release sha-1 was staged, not published');
    expect(text).toContain('Visitors still get the previous frontend');
  });
});

function run0() {
  return simulate({ ...backend, ...built });
}

describe('root action: the Node.js check', () => {
  const step = rootAction.runs.steps!.find((s) => /Node\.js/.test(s.name ?? ''))!;
  const engines = (
    JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } }
  ).engines.node;

  /** Runs the check with PATH holding only a stand-in `node` printing `version` (or no node at all). */
  function check(version: string | undefined) {
    const dir = mkdtempSync(path.join(tmpdir(), 'root-node-'));
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    if (version !== undefined) {
      writeFileSync(path.join(bin, 'node'), `#!/bin/sh\necho ${version}\n`);
      chmodSync(path.join(bin, 'node'), 0o755);
    }
    const output = path.join(dir, 'output');
    writeFileSync(output, '');
    const result = spawnSync(
      '/bin/bash',
      ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', step.run!],
      {
        env: { PATH: bin, GITHUB_OUTPUT: output },
        encoding: 'utf8'
      }
    );
    const outputs = parseOutputFile(readFileSync(output, 'utf8'));
    rmSync(dir, { recursive: true, force: true });
    return { code: result.status, stdout: result.stdout, outputs };
  }

  test('it is the first step, before any AWS step', () => {
    expect(rootAction.runs.steps![0]).toBe(step);
  });
  test('the minimum it checks is package.json engines', () => {
    expect(engines).toBe('>=20');
    expect(step.run).toContain('-lt 20');
  });
  test('Node.js 24 and 20 pass', () => {
    expect(check('24.11.1').code).toBe(0);
    expect(check('20.19.0').code).toBe(0);
  });
  test('an older node fails naming its version and the fix', () => {
    const run = check('18.20.4');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::twotier: the node on the PATH');
    expect(run.stdout).toContain('is Node.js 18.20.4; the root action needs Node.js 20 or later');
    expect(run.stdout).toContain('actions/setup-node');
  });
  test('no node on the PATH fails saying so', () => {
    const run = check(undefined);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::twotier: no node on the PATH');
  });
});
