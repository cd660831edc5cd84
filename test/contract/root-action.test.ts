/**
 * The shell steps of the root action.yml, run with bash the way the runner runs them (the step's env, a
 * GITHUB_OUTPUT file): input checks, image URIs pinned by digest, and the per-service split of environment
 * and secrets lines.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseOutputFile } from '../helpers/action.js';
import { actionSpecs } from './contract.js';

const rootAction = actionSpecs().find((s) => s.dir === '')!;

/** Runs the `run:` of the step with this id; env values as the expressions would evaluate them. */
function runStep(id: string, env: Record<string, string>) {
  const step = rootAction.runs.steps?.find((s) => s.id === id || s.name === id);
  if (!step?.run) throw new Error(`no run step ${id}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'root-action-'));
  const output = path.join(dir, 'output');
  const summary = path.join(dir, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', step.run], {
    env: { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, ...env },
    encoding: 'utf8'
  });
  const outputs = parseOutputFile(readFileSync(output, 'utf8'));
  const summaryText = readFileSync(summary, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return { code: result.status, stdout: result.stdout, outputs, summary: summaryText };
}

const validInputs = {
  BUILD_IMAGES: 'true',
  DEPLOY_BACKEND: 'true',
  DEPLOY_FRONTEND: 'true',
  RUN_MIGRATIONS: 'false',
  TOPOLOGY: 'sidecar',
  API_REPOSITORY: 'twotier/api',
  WEB_REPOSITORY: 'twotier/web',
  API_IMAGE: '',
  WEB_IMAGE: '',
  CLUSTER: 'twotier',
  SERVICE: 'app',
  API_SERVICE: '',
  MIGRATION_COMMAND: '',
  BUCKET: 'site'
};

describe('root action: input checks', () => {
  test('valid inputs pass', () => {
    expect(runStep('Check the inputs', validInputs).code).toBe(0);
  });
  test.each([
    [{ TOPOLOGY: 'mesh' }, 'Input topology is "mesh"; expected sidecar or split.'],
    [{ BUILD_IMAGES: 'yes' }, 'Input build-images is "yes"; expected true or false.'],
    [{ API_REPOSITORY: '' }, 'Input api-repository is required when build-images is true.'],
    [{ TOPOLOGY: 'split' }, 'Input api-service is required when topology is split.'],
    [{ RUN_MIGRATIONS: 'true' }, 'Input migration-command is required when run-migrations is true.'],
    [{ CLUSTER: '' }, 'Input cluster is required when deploy-backend is true.'],
    [{ BUCKET: '' }, 'Input bucket is required when deploy-frontend is true.'],
    [{ BUILD_IMAGES: 'false' }, 'give api-image and/or web-image'],
    [{ BUILD_IMAGES: 'false', API_IMAGE: 'x\nweb-image=evil' }, 'without spaces or line breaks']
  ])('%j fails naming the input', (change, message) => {
    const run = runStep('Check the inputs', { ...validInputs, ...change });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::Configuration error: ');
    expect(run.stdout).toContain(message);
  });
  test('turning the backend and frontend off needs no cluster, service or bucket', () => {
    const run = runStep('Check the inputs', {
      ...validInputs,
      DEPLOY_BACKEND: 'false',
      DEPLOY_FRONTEND: 'false',
      CLUSTER: '',
      SERVICE: '',
      BUCKET: ''
    });
    expect(run.code).toBe(0);
  });
});

describe('root action: image URIs', () => {
  const registry = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
  const base = {
    BUILD_IMAGES: 'true',
    API_IMAGE: '',
    WEB_IMAGE: '',
    API_WITH_TAG: `${registry}/twotier/api:0123456789ab`,
    WEB_WITH_TAG: `${registry}/twotier/web:0123456789ab`,
    API_EXISTING: '',
    WEB_EXISTING: `sha256:${'b'.repeat(64)}`,
    API_BUILT: `sha256:${'a'.repeat(64)}`,
    WEB_BUILT: '',
    API_CONTAINER: 'api',
    WEB_CONTAINER: 'web'
  };
  test('built and skipped images are both pinned by digest, with per-service image lines', () => {
    const run = runStep('images', base);
    expect(run.code).toBe(0);
    expect(run.outputs['api-image']).toBe(`${registry}/twotier/api@sha256:${'a'.repeat(64)}`);
    expect(run.outputs['web-image']).toBe(`${registry}/twotier/web@sha256:${'b'.repeat(64)}`);
    expect(run.outputs['api-skipped']).toBe('false');
    expect(run.outputs['web-skipped']).toBe('true');
    expect(run.outputs['api-lines']).toBe(`api=${run.outputs['api-image']}`);
    expect(run.outputs['all-lines']).toBe(`web=${run.outputs['web-image']}\napi=${run.outputs['api-image']}`);
    expect(run.summary).toContain('no: the tag was already in ECR');
  });
  test('a missing digest fails instead of deploying an unpinned image', () => {
    const run = runStep('images', { ...base, WEB_EXISTING: '' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::No digest');
  });
  test('with build-images false the given images are used as they are', () => {
    const run = runStep('images', {
      ...base,
      BUILD_IMAGES: 'false',
      API_IMAGE: 'repo/api@sha256:1',
      WEB_IMAGE: ''
    });
    expect(run.code).toBe(0);
    expect(run.outputs['api-image']).toBe('repo/api@sha256:1');
    expect(run.outputs['all-lines']).toBe('api=repo/api@sha256:1');
    expect(run.outputs['web-lines']).toBeUndefined();
  });
});

describe('root action: environment and secrets per service (split)', () => {
  const env = {
    API_CONTAINER: 'api',
    WEB_CONTAINER: 'web',
    ENVIRONMENT_LINES:
      'api.MESSAGE=hello = world\n  web.API_UPSTREAM=http://internal:8000\n\napi.LOG_LEVEL=info',
    SECRETS_LINES: 'api.DATABASE_URL=arn:aws:ssm:eu-west-1:123456789012:parameter/db'
  };
  test('each register step gets the lines of its own container', () => {
    const run = runStep('lines', env);
    expect(run.code).toBe(0);
    expect(run.outputs['api-environment']).toBe('api.MESSAGE=hello = world\napi.LOG_LEVEL=info');
    expect(run.outputs['web-environment']).toBe('web.API_UPSTREAM=http://internal:8000');
    expect(run.outputs['api-secrets']).toBe(env.SECRETS_LINES);
    expect(run.outputs['web-secrets']).toBe('');
  });
  test('a line naming neither container fails', () => {
    const run = runStep('lines', { ...env, SECRETS_LINES: 'worker.TOKEN=arn:x' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('names neither api nor web');
  });
});
