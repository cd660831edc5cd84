/**
 * The root action's plan (src/release/): the lines each register step gets in both topologies, the images
 * pinned by digest, and the input checks. The bundle dist/plan-release runs as the runner runs it (Node 24,
 * INPUT_* variables) with every AWS endpoint pointed at a recording server: a bad input fails with a
 * configuration error naming it and the server sees no request at all (the plan makes no AWS call).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeploymentError } from '../../src/lib/errors.js';
import { parseOptions, type RawOptions } from '../../src/lib/options.js';
import { MemoryReporter } from '../../src/lib/reporter.js';
import { releasePlanOptions } from '../../src/release/options.js';
import { pinImages, planRelease, type ReleasePlan } from '../../src/release/plan.js';
import { runActionBundle } from '../helpers/action.js';
import { errorText } from '../helpers/bad-inputs.js';

const DB = 'api.DATABASE_URL=arn:aws:ssm:eu-west-1:123456789012:parameter/db';
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const base: RawOptions = {
  'api-repository': 'twotier/api',
  'web-repository': 'twotier/web',
  cluster: 'twotier',
  service: 'web',
  bucket: 'site'
};
const split: RawOptions = { ...base, topology: 'split', 'api-service': 'api' };

function plan(raw: RawOptions, reporter = new MemoryReporter()): ReleasePlan {
  return planRelease(parseOptions(releasePlanOptions, raw), reporter);
}

describe('the lines of each register step', () => {
  const environment =
    'api.LOG_LEVEL=info\n  web.API_UPSTREAM=http://api:8000\n\n# a comment\napi.MESSAGE=a = b';

  test('split, lines for both containers: each task definition gets its own', () => {
    const p = plan({
      ...split,
      environment,
      secrets: `${DB}\nweb.TLS=arn:aws:secretsmanager:eu-west-1:123456789012:secret:tls`
    });
    expect(p.registerApi).toEqual({ environment: 'api.LOG_LEVEL=info\napi.MESSAGE=a = b', secrets: DB });
    expect(p.register).toEqual({
      environment: 'web.API_UPSTREAM=http://api:8000',
      secrets: 'web.TLS=arn:aws:secretsmanager:eu-west-1:123456789012:secret:tls'
    });
  });

  test('split, lines for the API only: the web service gets none (the defect of issue 11)', () => {
    const p = plan({ ...split, environment: 'api.LOG_LEVEL=info', secrets: DB });
    expect(p.register).toEqual({ environment: '', secrets: '' });
    expect(p.registerApi).toEqual({ environment: 'api.LOG_LEVEL=info', secrets: DB });
  });

  test('split, lines for the web container only: the API service gets none', () => {
    const p = plan({ ...split, environment: 'web.API_UPSTREAM=http://api:8000' });
    expect(p.registerApi).toEqual({ environment: '', secrets: '' });
    expect(p.register.environment).toBe('web.API_UPSTREAM=http://api:8000');
  });

  test('split with renamed containers follows api-container and web-container', () => {
    const p = plan({
      ...split,
      'api-container': 'flask',
      'web-container': 'nginx',
      environment: 'flask.A=1\nnginx.B=2'
    });
    expect(p.registerApi.environment).toBe('flask.A=1');
    expect(p.register.environment).toBe('nginx.B=2');
    expect(p.migration).toEqual({ service: 'api', container: 'flask' });
  });

  test('sidecar: the one task definition gets every line, the API step nothing', () => {
    const p = plan({ ...base, environment, secrets: DB });
    expect(p.register).toEqual({
      environment: 'api.LOG_LEVEL=info\nweb.API_UPSTREAM=http://api:8000\napi.MESSAGE=a = b',
      secrets: DB
    });
    expect(p.registerApi).toEqual({ environment: '', secrets: '' });
    expect(p.migration).toEqual({ service: 'web', container: 'api' });
  });

  test('the migration container defaults to api-container and can be set', () => {
    expect(plan({ ...split, 'migration-container': 'migrator' }).migration.container).toBe('migrator');
  });
});

describe('images pinned by digest', () => {
  const facts = {
    api: { taggedImage: `${REGISTRY}/twotier/api:0123456789ab`, builtDigest: A },
    web: { taggedImage: `${REGISTRY}/twotier/web:0123456789ab`, existingDigest: B }
  };

  test('built and already present images, sidecar: both lines in the one registration', () => {
    const pinned = pinImages(plan(base), facts);
    expect(pinned).toEqual({
      api: `${REGISTRY}/twotier/api@${A}`,
      web: `${REGISTRY}/twotier/web@${B}`,
      apiSkipped: 'false',
      webSkipped: 'true',
      imageTag: '0123456789ab',
      registerImages: `web=${REGISTRY}/twotier/web@${B}\napi=${REGISTRY}/twotier/api@${A}`,
      registerApiImages: ''
    });
  });

  test('split: one image line per registration', () => {
    const pinned = pinImages(plan(split), facts);
    expect(pinned.registerImages).toBe(`web=${REGISTRY}/twotier/web@${B}`);
    expect(pinned.registerApiImages).toBe(`api=${REGISTRY}/twotier/api@${A}`);
  });

  test('a registry with a port is not taken for a tag', () => {
    const pinned = pinImages(plan(base), {
      api: { taggedImage: 'localhost:5000/twotier/api:v1', builtDigest: A },
      web: { taggedImage: 'localhost:5000/twotier/web', builtDigest: B }
    });
    expect(pinned.api).toBe(`localhost:5000/twotier/api@${A}`);
    expect(pinned.web).toBe(`localhost:5000/twotier/web@${B}`);
  });

  test('a missing digest fails instead of deploying an unpinned image', () => {
    expect(() => pinImages(plan(base), { ...facts, web: { taggedImage: facts.web.taggedImage } })).toThrow(
      DeploymentError
    );
    expect(() => pinImages(plan(base), { ...facts, web: { taggedImage: facts.web.taggedImage } })).toThrow(
      /No digest for the web image .*Nothing is deployed with an unpinned image/
    );
  });

  const givenBoth = { 'build-images': 'false', 'api-image': `repo/api@${A}`, 'web-image': `repo/web@${B}` };
  test.each([
    ['sidecar, both', base, givenBoth, `web=repo/web@${B}\napi=repo/api@${A}`, ''],
    ['sidecar, API only', base, { ...givenBoth, 'web-image': '' }, `api=repo/api@${A}`, ''],
    ['sidecar, web only', base, { ...givenBoth, 'api-image': '' }, `web=repo/web@${B}`, ''],
    ['split, both', split, givenBoth, `web=repo/web@${B}`, `api=repo/api@${A}`],
    ['split, API only', split, { ...givenBoth, 'web-image': '' }, '', `api=repo/api@${A}`],
    ['split, web only', split, { ...givenBoth, 'api-image': '' }, `web=repo/web@${B}`, '']
  ])('given images, %s', (_title, topology, images, registerImages, registerApiImages) => {
    const p = plan({ ...topology, 'api-repository': '', 'web-repository': '', ...images });
    const pinned = pinImages(p, { api: {}, web: {} });
    expect({ registerImages: pinned.registerImages, registerApiImages: pinned.registerApiImages }).toEqual({
      registerImages,
      registerApiImages
    });
    expect(pinned.apiSkipped).toBe('');
  });

  test('a given image not pinned by digest deploys with a warning', () => {
    const reporter = new MemoryReporter();
    plan({ ...base, 'build-images': 'false', 'api-image': 'repo/api:latest' }, reporter);
    expect(reporter.warnings.join('\n')).toMatch(/api-image "repo\/api:latest" is not pinned by digest/);
  });
});

describe('input checks', () => {
  test.each([
    [{ topology: 'mesh' }, 'topology', /Input topology is "mesh"; expected one of sidecar, split/],
    [{ 'build-images': 'yes' }, 'build-images', /Input build-images is "yes"; expected true or false/],
    [{ 'api-repository': '' }, 'api-repository', /api-repository is required when build-images is true/],
    [{ topology: 'split' }, 'api-service', /api-service is required when topology is split/],
    [{ 'run-migrations': 'true' }, 'migration-command', /migration-command is required when run-migrations/],
    [{ cluster: '' }, 'cluster', /cluster is required when deploy-backend is true/],
    [{ bucket: '' }, 'bucket', /bucket is required when deploy-frontend is true/],
    [{ 'build-images': 'false' }, 'api-image', /give api-image and\/or web-image/],
    [
      { 'build-images': 'false', 'api-image': 'x\nweb-image=evil' },
      'api-image',
      /without spaces or line breaks/
    ],
    [{ 'api-image': `repo/api@${A}` }, 'api-image', /but build-images is true/],
    [{ 'api-service': 'api' }, 'api-service', /but topology is sidecar/],
    [{ 'deploy-backend': 'false', 'run-migrations': 'true' }, 'run-migrations', /deploy-backend is false/],
    [{ 'web-container': 'api' }, 'web-container', /expected two different container names/],
    [{ environment: 'LOG_LEVEL=info' }, 'environment', /must be CONTAINER\.NAME=value/],
    [
      { topology: 'split', 'api-service': 'api', secrets: 'worker.T=arn:x' },
      'secrets',
      /names the container "worker"/
    ],
    [{ cluster: 'not a cluster' }, 'cluster', /is not an ECS cluster name/],
    [{ 'wait-until': 'paused' }, 'wait-until', /a paused deployment has not/],
    [{ 'wait-until': 'later' }, 'wait-until', /expected one of completed, traffic-shifted, paused/]
  ])('%j is refused naming %s', (change, input, message) => {
    let error: unknown;
    try {
      plan({ ...base, ...change } as RawOptions);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'ConfigurationError', input });
    expect((error as Error).message).toMatch(message);
  });

  test('wait-until paused is fine without the frontend (the reusable workflow gates, then publishes)', () => {
    expect(plan({ ...base, 'deploy-frontend': 'false', 'wait-until': 'paused' }).deployBackend).toBe(true);
  });

  test('turning the backend and frontend off needs no cluster, service, images or bucket', () => {
    const p = plan({ 'build-images': 'false', 'deploy-backend': 'false', 'deploy-frontend': 'false' });
    expect(p).toMatchObject({ deployBackend: false, deployFrontend: false, runMigrations: false });
  });

  test('wait false with both tiers warns that the frontend is published without waiting', () => {
    const reporter = new MemoryReporter();
    plan({ ...base, wait: 'false' }, reporter);
    expect(reporter.warnings.join('\n')).toMatch(/published as soon as the rollouts are started/);
  });
});

describe('dist/plan-release as the runner runs it', () => {
  let server: Server;
  let endpoint: string;
  let requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.statusCode = 500;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    requests = [];
  });
  const aws = () => ({ AWS_ENDPOINT_URL: endpoint, AWS_EC2_METADATA_DISABLED: 'true' });
  const inputs = Object.fromEntries(Object.entries(split).map(([k, v]) => [k, String(v)]));

  test('phase inputs then phase images: the outputs the register steps read', async () => {
    const first = await runActionBundle('plan-release', { ...inputs, secrets: DB }, aws());
    expect({ code: first.code, errors: first.errors }).toEqual({ code: 0, errors: [] });
    expect(first.outputs).toMatchObject({
      'deploy-backend': 'true',
      split: 'true',
      'register-secrets': '',
      'register-api-secrets': DB,
      'migration-service': 'api'
    });
    expect(first.summary).toContain('### Release plan');
    const second = await runActionBundle(
      'plan-release',
      {
        phase: 'images',
        plan: first.outputs.plan!,
        'api-tagged-image': `${REGISTRY}/twotier/api:0123456789ab`,
        'web-tagged-image': `${REGISTRY}/twotier/web:0123456789ab`,
        'api-built-digest': A,
        'web-existing-digest': B
      },
      aws()
    );
    expect({ code: second.code, errors: second.errors }).toEqual({ code: 0, errors: [] });
    expect(second.outputs).toMatchObject({
      'register-images': `web=${REGISTRY}/twotier/web@${B}`,
      'register-api-images': `api=${REGISTRY}/twotier/api@${A}`,
      'web-skipped': 'true',
      'image-tag': '0123456789ab'
    });
    expect(second.summary).toContain('no: the tag was already in ECR');
    expect(requests).toEqual([]);
  });

  test.each([
    ['topology', { topology: 'mesh' }, '"mesh"'],
    ['secrets', { secrets: 'worker.TOKEN=arn:aws:ssm:eu-west-1:123456789012:parameter/t' }, '"worker"'],
    ['api-image', { 'build-images': 'false', 'api-image': 'a b' }, '"a b"'],
    ['migration-command', { 'run-migrations': 'true' }, 'migration-command']
  ])('a bad %s fails with a configuration error and no AWS request', async (_input, change, quoted) => {
    const run = await runActionBundle('plan-release', { ...inputs, ...change }, aws());
    expect(run.code).toBe(1);
    expect(errorText(run)).toMatch(/^::error::Configuration error: /);
    expect(errorText(run)).toContain(quoted);
    expect(run.outputs).toEqual({});
    expect(requests).toEqual([]);
  });

  test('phase images without a plan is refused', async () => {
    const run = await runActionBundle('plan-release', { phase: 'images' }, aws());
    expect(run.code).toBe(1);
    expect(errorText(run)).toMatch(/Input plan is required with phase images/);
  });
});
