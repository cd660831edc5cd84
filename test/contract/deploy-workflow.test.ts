/**
 * The reusable workflow's release order, with its job conditions evaluated as GitHub does
 * (test/helpers/expressions.ts): a job runs when its `if:` holds, and without a status function in it only
 * when every job it needs succeeded. Jobs run in `needs` order; each scenario says which jobs fail.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { parseOutputFile } from '../helpers/action.js';
import { interpolate, stepRuns, type Value } from '../helpers/expressions.js';
import { root } from './contract.js';

interface Job {
  needs?: string | string[];
  if?: string | boolean;
  environment?: string;
  strategy?: unknown;
  outputs?: Record<string, string>;
  steps?: {
    id?: string;
    name?: string;
    uses?: string;
    if?: string;
    run?: string;
    env?: Record<string, string>;
    with?: Record<string, unknown>;
  }[];
}
const workflow = parse(readFileSync(path.join(root, '.github/workflows/deploy.yml'), 'utf8')) as {
  on: {
    workflow_call: {
      inputs: Record<string, { default?: unknown; type: string }>;
      outputs: Record<string, { value: string }>;
    };
  };
  jobs: Record<string, Job>;
};
const needsOf = (job: Job) => (job.needs === undefined ? [] : ([] as string[]).concat(job.needs));

/** The result of every job: success, failure or skipped. */
function run(given: Record<string, Value>, failing: string[] = []): Record<string, string> {
  const inputs: Record<string, Value> = {};
  for (const [name, decl] of Object.entries(workflow.on.workflow_call.inputs))
    inputs[name] = (decl.default ?? (decl.type === 'boolean' ? false : '')) as Value;
  Object.assign(inputs, given);
  const results: Record<string, string> = {};
  const pending = Object.keys(workflow.jobs);
  while (pending.length) {
    const index = pending.findIndex((name) => needsOf(workflow.jobs[name]!).every((n) => n in results));
    if (index < 0) throw new Error(`a needs cycle among ${pending.join(', ')}`);
    const [name] = pending.splice(index, 1) as [string];
    const job = workflow.jobs[name]!;
    const needs: Record<string, Value> = {};
    for (const n of needsOf(job)) needs[n] = { result: results[n]!, outputs: { 'release-id': 'sha-1' } };
    const failed = needsOf(job).some((n) => results[n] !== 'success');
    const runs = stepRuns(job.if, { contexts: { inputs, needs }, failed });
    results[name] = !runs ? 'skipped' : failing.includes(name) ? 'failure' : 'success';
  }
  return results;
}

const both = { environment: 'staging', 'aws-region': 'eu-west-1', 'role-to-assume': 'arn:aws:iam::1:role/d' };

/** Every `<context>.<job>.outputs.<name>` reference in `value` (any nesting of objects, arrays and strings). */
function outputRefs(value: unknown, context: 'needs' | 'jobs'): { job: string; output: string }[] {
  if (typeof value === 'string')
    return [...value.matchAll(new RegExp(`\\b${context}\\.([\\w-]+)\\.outputs\\.([\\w-]+)`, 'g'))].map(
      (m) => ({ job: m[1]!, output: m[2]! })
    );
  if (value && typeof value === 'object') return Object.values(value).flatMap((v) => outputRefs(v, context));
  return [];
}

describe('the reusable workflow: one build job per image, each read from its own outputs', () => {
  test('no job is a matrix (GitHub does not document how matrix legs merge outputs; act does not, #981)', () => {
    for (const [name, job] of Object.entries(workflow.jobs))
      expect([name, job.strategy]).toEqual([name, undefined]);
  });

  test.each([
    ['build-api', 'api'],
    ['build-web', 'web']
  ])('%s builds the %s image and outputs it', (name, image) => {
    const job = workflow.jobs[name]!;
    expect(needsOf(job)).toEqual(['toolkit']);
    expect(job.if).toBe(`inputs.deploy-backend && inputs.${image}-image == ''`);
    const build = job.steps!.find((s) => s.id === 'image')!;
    expect(build.uses).toBe('./.twotier-actions/actions/build-push');
    expect(build.with).toMatchObject({
      repository: `\${{ inputs.${image}-repository }}`,
      context: `\${{ inputs.${image}-context }}`,
      tag: '${{ inputs.image-tag }}'
    });
    expect(job.outputs).toEqual({ image: '${{ steps.image.outputs.image }}' });
  });

  test("deploy-backend needs both build jobs and gives the root action each one's image", () => {
    const job = workflow.jobs['deploy-backend']!;
    expect(needsOf(job)).toEqual(expect.arrayContaining(['toolkit', 'build-api', 'build-web']));
    expect(job.steps!.find((s) => s.id === 'deploy')!.with).toMatchObject({
      'build-images': 'false',
      'api-image': '${{ inputs.api-image || needs.build-api.outputs.image }}',
      'web-image': '${{ inputs.web-image || needs.build-web.outputs.image }}'
    });
    expect(workflow.on.workflow_call.outputs['api-image']!.value).toBe(
      '${{ jobs.deploy-backend.outputs.api-image || jobs.build-api.outputs.image }}'
    );
    expect(workflow.on.workflow_call.outputs['web-image']!.value).toBe(
      '${{ jobs.deploy-backend.outputs.web-image || jobs.build-web.outputs.image }}'
    );
  });

  test.each([
    [{}, [], { 'build-api': 'success', 'build-web': 'success', 'deploy-backend': 'success' }],
    [
      { 'api-image': 'r/api@sha256:1', 'web-image': 'r/web@sha256:2' },
      [],
      { 'build-api': 'skipped', 'build-web': 'skipped', 'deploy-backend': 'success' }
    ],
    [
      { 'api-image': 'r/api@sha256:1' },
      [],
      { 'build-api': 'skipped', 'build-web': 'success', 'deploy-backend': 'success' }
    ],
    [
      { 'api-image': 'r/api@sha256:1' },
      ['build-web'],
      { 'build-api': 'skipped', 'build-web': 'failure', 'deploy-backend': 'skipped' }
    ],
    [{}, ['build-api'], { 'build-api': 'failure', 'deploy-backend': 'skipped' }],
    [
      { 'api-image': 'r/api@sha256:1', 'web-image': 'r/web@sha256:2' },
      ['toolkit'],
      { 'deploy-backend': 'skipped' }
    ],
    [
      { 'deploy-backend': false, 'api-image': 'r/api@sha256:1' },
      [],
      { 'build-api': 'skipped', 'deploy-backend': 'skipped' }
    ]
  ])(
    'images given %j, failing %j: the backend deploys only with both images built or given',
    (given, failing, expected) => {
      expect(run({ ...both, ...given }, failing)).toMatchObject(expected);
    }
  );

  test('every needs.<job>.outputs.<name> names a job the reader needs and an output that job declares', () => {
    const refs = Object.entries(workflow.jobs).flatMap(([name, job]) =>
      outputRefs(job, 'needs').map((ref) => ({ reader: name, ...ref }))
    );
    expect(refs.length).toBeGreaterThan(5);
    for (const { reader, job, output } of refs) {
      expect([reader, job, needsOf(workflow.jobs[reader]!).includes(job)]).toEqual([reader, job, true]);
      expect([job, output, Object.keys(workflow.jobs[job]?.outputs ?? {})]).toEqual([
        job,
        output,
        expect.arrayContaining([output])
      ]);
    }
    for (const { job, output } of outputRefs(workflow.on.workflow_call.outputs, 'jobs'))
      expect([job, output, Object.keys(workflow.jobs[job]?.outputs ?? {})]).toEqual([
        job,
        output,
        expect.arrayContaining([output])
      ]);
  });
});

describe('the reusable workflow: stage in parallel, publish after the backend', () => {
  test('stage-frontend needs only the toolkit: it runs in parallel with the images and the backend', () => {
    expect(needsOf(workflow.jobs['stage-frontend']!)).toEqual(['toolkit']);
    expect(workflow.jobs['stage-frontend']!.steps!.find((s) => s.id === 'stage')!.with!.phase).toBe('stage');
  });

  test('publish-frontend needs the backend job, and publishes the staged release', () => {
    const job = workflow.jobs['publish-frontend']!;
    expect(needsOf(job)).toEqual(expect.arrayContaining(['stage-frontend', 'deploy-backend']));
    const publish = job.steps!.find((s) => s.id === 'publish')!;
    expect(publish.with).toMatchObject({
      phase: 'publish',
      'release-id': '${{ needs.stage-frontend.outputs.release-id }}'
    });
  });

  test('stage and publish name the same bucket and prefix (publish finds the release in that manifest)', () => {
    const step = (job: string, id: string) => workflow.jobs[job]!.steps!.find((s) => s.id === id)!.with!;
    const stage = step('stage-frontend', 'stage');
    const publish = step('publish-frontend', 'publish');
    for (const input of ['bucket', 'prefix', 'aws-region'])
      expect({ input, publish: publish[input] }).toEqual({ input, publish: stage[input] });
    expect(stage.prefix).toBe('${{ inputs.bucket-prefix }}');
    // Headers are decided when the objects are staged; deletes happen only when a release goes live.
    expect(stage['cache-control']).toBe('${{ inputs.cache-control }}');
    expect(publish.delete).toBe('${{ inputs.delete-stale }}');
    expect(stage.delete).toBeUndefined();
  });

  test('all succeed: staged, backend deployed, then published; no staged-not-published report', () => {
    expect(run(both)).toMatchObject({
      'stage-frontend': 'success',
      'deploy-backend': 'success',
      'publish-frontend': 'success',
      'frontend-not-published': 'skipped'
    });
  });

  test.each(['build-api', 'build-web', 'deploy-backend'])(
    '%s fails: the frontend stays staged, not published, and it says so',
    (job) => {
      const results = run(both, [job]);
      expect(results).toMatchObject({
        'stage-frontend': 'success',
        'publish-frontend': 'skipped',
        'frontend-not-published': 'success'
      });
      // A failed image build skips the backend: nothing is deployed with one image missing.
      if (job !== 'deploy-backend') expect(results['deploy-backend']).toBe('skipped');
    }
  );

  test.each([
    [{ 'build-api': 'failure' }, 'building the API image ended failure, so the backend was not deployed'],
    [{ 'build-web': 'cancelled' }, 'building the web image ended cancelled, so the backend was not deployed'],
    [{ 'deploy-backend': 'failure' }, 'the backend job ended failure, so it was not published'],
    [{ 'publish-frontend': 'failure' }, 'publishing it failed']
  ])('the staged-not-published report says why: %o', (failed, why) => {
    const step = workflow.jobs['frontend-not-published']!.steps![0]!;
    const results: Record<string, string> = {
      'build-api': 'success',
      'build-web': 'success',
      'deploy-backend': 'skipped',
      'publish-frontend': 'skipped',
      ...failed
    };
    const needs: Record<string, Value> = {
      'stage-frontend': { result: 'success', outputs: { 'release-id': 'sha-1' } }
    };
    for (const [name, result] of Object.entries(results)) needs[name] = { result, outputs: {} };
    const scope = { contexts: { needs }, failed: false };
    const env = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(String(v), scope)])
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'report-'));
    try {
      const summary = path.join(dir, 'summary');
      const out = spawnSync('/bin/bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', step.run!], {
        env: { PATH: process.env.PATH ?? '', GITHUB_STEP_SUMMARY: summary, ...env },
        encoding: 'utf8'
      });
      expect(out.status).toBe(0);
      expect(out.stdout).toContain(`The frontend release sha-1 was staged, not published: ${why}`);
      expect(readFileSync(summary, 'utf8')).toContain(why);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('backend off (frontend only): staged, then published', () => {
    expect(run({ ...both, 'deploy-backend': false })).toMatchObject({
      'build-api': 'skipped',
      'build-web': 'skipped',
      'deploy-backend': 'skipped',
      'publish-frontend': 'success',
      'frontend-not-published': 'skipped'
    });
  });

  test('frontend off: neither stage nor publish nor the report', () => {
    expect(run({ ...both, 'deploy-frontend': false })).toMatchObject({
      'stage-frontend': 'skipped',
      'publish-frontend': 'skipped',
      'frontend-not-published': 'skipped',
      'deploy-backend': 'success'
    });
  });

  test('staging fails: nothing is published, the backend still deploys', () => {
    expect(run(both, ['stage-frontend'])).toMatchObject({
      'deploy-backend': 'success',
      'publish-frontend': 'skipped',
      'frontend-not-published': 'skipped'
    });
  });
});

describe('the reusable workflow: the test-traffic gate', () => {
  const job = workflow.jobs['deploy-backend']!;
  interface Step {
    id?: string;
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    env?: Record<string, string>;
    with?: Record<string, unknown>;
  }
  const steps = job.steps as Step[];

  /**
   * Runs the deploy-backend job's steps: bash steps for real (the gate's own logic, the caller's smoke test),
   * the root action and continue-deployment stood in by the outputs `deploy` gives.
   */
  function gate(given: Record<string, Value>, deploy: Record<string, string>) {
    const inputs: Record<string, Value> = {};
    for (const [name, decl] of Object.entries(workflow.on.workflow_call.inputs))
      inputs[name] = (decl.default ?? '') as Value;
    Object.assign(inputs, given);
    const context: Record<string, Value> = {};
    const scope = { contexts: { inputs, steps: context, needs: {} }, failed: false };
    const ran: Record<string, { with: Record<string, string>; stdout: string }> = {};
    const dir = mkdtempSync(path.join(tmpdir(), 'gate-'));
    try {
      steps.forEach((step, index) => {
        const id = step.id ?? `step-${index}`;
        if (!stepRuns(step.if, scope)) {
          context[id] = { outcome: 'skipped', outputs: {} };
          return;
        }
        const withs = Object.fromEntries(
          Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(String(v), scope)])
        );
        let outputs: Record<string, string> = {};
        let ok = true;
        let stdout = '';
        if (step.run) {
          const output = path.join(dir, `output-${index}`);
          writeFileSync(output, '');
          const env = Object.fromEntries(
            Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(String(v), scope)])
          );
          const result = spawnSync(
            '/bin/bash',
            ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', step.run],
            {
              env: { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: output, ...env },
              encoding: 'utf8'
            }
          );
          ok = result.status === 0;
          stdout = result.stdout;
          outputs = parseOutputFile(readFileSync(output, 'utf8'));
        } else if (step.uses === './.twotier-actions') outputs = deploy;
        ran[id] = { with: withs, stdout };
        context[id] = { outcome: ok ? 'success' : 'failure', outputs };
        if (!ok) scope.failed = true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return { ran, failed: scope.failed };
  }
  const paused = {
    'service-deployment-arn': 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/twotier/web/abc',
    'hook-id': 'hook-1',
    'lifecycle-stage': 'POST_TEST_TRAFFIC_SHIFT',
    'deployment-status': 'IN_PROGRESS'
  };
  const smoke = {
    'smoke-test-command': 'test "$TEST_URL" = http://test.example:8080 && echo smoke ok',
    'test-url': 'http://test.example:8080',
    cluster: 'twotier',
    service: 'web'
  };

  test('without a smoke test the rollout waits until completed and no gate step runs', () => {
    const run = gate({}, { 'deployment-status': 'SUCCESSFUL' });
    expect(run.failed).toBe(false);
    expect(run.ran['deploy']!.with['wait-until']).toBe('completed');
    for (const id of ['paused', 'smoke', 'continue', 'rollback']) expect(run.ran[id]).toBeUndefined();
  });

  test('a passing smoke test, run against TEST_URL, continues the paused deployment', () => {
    const run = gate(smoke, paused);
    expect(run.failed).toBe(false);
    expect(run.ran['deploy']!.with['wait-until']).toBe('paused');
    expect(run.ran['smoke']!.stdout).toContain('smoke ok');
    expect(run.ran['continue']!.with).toMatchObject({
      action: 'CONTINUE',
      'hook-id': 'hook-1',
      'service-deployment-arn': paused['service-deployment-arn'],
      'wait-until': 'completed'
    });
    expect(run.ran['rollback']).toBeUndefined();
  });

  test('a failing smoke test rolls the deployment back and fails the job', () => {
    const run = gate({ ...smoke, 'test-url': 'http://other:8080' }, paused);
    expect(run.failed).toBe(true);
    expect(run.ran['continue']).toBeUndefined();
    expect(run.ran['rollback']!.with).toMatchObject({ action: 'ROLLBACK', 'hook-id': 'hook-1' });
  });

  test('paused at another stage: no smoke test, rolled back', () => {
    const run = gate(smoke, { ...paused, 'lifecycle-stage': 'PRE_SCALE_UP' });
    expect(run.failed).toBe(true);
    expect(run.ran['paused']!.stdout).toContain('paused at PRE_SCALE_UP, not POST_TEST_TRAFFIC_SHIFT');
    expect(run.ran['smoke']).toBeUndefined();
    expect(run.ran['rollback']!.with['action']).toBe('ROLLBACK');
  });

  test('a deployment that never paused (no PAUSE hook) fails saying so, with nothing to roll back', () => {
    const run = gate(smoke, { 'deployment-status': 'SUCCESSFUL', 'hook-id': '', 'lifecycle-stage': '' });
    expect(run.failed).toBe(true);
    expect(run.ran['paused']!.stdout).toContain('needs a PAUSE lifecycle hook at POST_TEST_TRAFFIC_SHIFT');
    expect(run.ran['rollback']).toBeUndefined();
  });

  test('a smoke test without test-url fails before anything is deployed', () => {
    const run = gate({ ...smoke, 'test-url': '' }, paused);
    expect(run.failed).toBe(true);
    expect(run.ran['gate']!.stdout).toContain('Input test-url is required with smoke-test-command');
    expect(run.ran['deploy']).toBeUndefined();
  });
});
