/**
 * The root action (`uses: your-org/twotier-actions@v1`) under nektos/act in host mode, as a user's job runs it,
 * against the local AWS (moto + the ECS simulator): both topologies, environment/secrets lines for both
 * containers, for the API only and for the web container only, only one image given, task definition files
 * or the live services' revisions, migrations on and off, the frontend on and off, and the release order
 * (a backend failure leaves the frontend staged, not published). Each run asserts the action's outputs, the
 * outputs of its inner plan step, and the local AWS afterwards (what the services run, the registered
 * revisions' images, environment and secrets, the migration task, the bucket and the invalidations).
 *
 * The split runs with an API-only secret and only the API image given are the runs that failed before the
 * plan moved into TypeScript (issue 11: the web registration got the API's lines and image).
 */
import { describe, expect, it, jest } from '@jest/globals';
import path from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ContainerDefinition
} from '@aws-sdk/client-ecs';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { createWorkspace, describeRun, type ActResult, type Workspace } from './harness.js';
import { EXAMPLE_APP, REGISTRY, oneActionWorkflow } from './world.js';
import { useActWorld } from './suite.js';
import { seedBackend, type BackendFixture } from '../../src/demo/backend-fixture.js';
import { seedFrontend } from '../../src/demo/frontend.js';
import { ociManifest, putImageManifest } from '../../src/demo/images.js';
import { pushTestImages } from '../ecs/ecr-images.js';

// Each case is one act run of the whole action (builds, rollouts, the frontend): minutes on a loaded machine.
jest.setTimeout(300000);

const DB_PARAMETER = 'arn:aws:ssm:us-east-1:123456789012:parameter/twotier/database-url';
const NEW_INDEX = '<!doctype html><div id="app"></div><script src="/assets/index-N3wR3l34.js"></script>';
const suite = useActWorld();

interface RootRun {
  result: ActResult;
  workspace: Workspace;
  /** The root action's outputs (toJSON(steps).action.outputs). */
  outputs: Record<string, string>;
  /** The outputs of an inner step of the root action, from act's log. */
  inner(id: string): Record<string, string>;
}

/** Runs the root action with `inputs` in a workspace with the example's api/, web/, taskdef/ and a built frontend. */
async function runRoot(
  inputs: Record<string, string>,
  before?: (workspace: Workspace) => Promise<void>
): Promise<RootRun> {
  const workspace = createWorkspace(
    {
      '.github/workflows/act.yml': oneActionWorkflow('', inputs),
      'frontend/dist/index.html': NEW_INDEX,
      'frontend/dist/assets/index-N3wR3l34.js': 'console.log("new release")'
    },
    {
      api: path.join(EXAMPLE_APP, 'api'),
      web: path.join(EXAMPLE_APP, 'web'),
      taskdef: path.join(EXAMPLE_APP, 'taskdef')
    }
  );
  suite.keep(workspace);
  await before?.(workspace);
  const result = await suite.world.run({
    workspace,
    workflow: '.github/workflows/act.yml',
    timeoutMs: 240000
  });
  const outputs = result.collectedSteps.find((c) => c.job === 'run')?.steps.action?.outputs ?? {};
  return { result, workspace, outputs, inner: (id) => result.outputs('run', ['action', id]) };
}

const expectSuccess = (run: RootRun) => {
  if (run.result.code !== 0 || run.result.jobResult('run') !== 'success')
    throw new Error(describeRun(run.result));
};

async function backend(topology: 'sidecar' | 'split'): Promise<BackendFixture> {
  const fixture = await seedBackend(suite.world.local, { topology, desiredCount: 2 });
  await pushTestImages(suite.world.local, { 'twotier/api': ['bootstrap'], 'twotier/web': ['bootstrap'] });
  return fixture;
}

async function service(cluster: string, name: string) {
  return (await suite.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))).services![0]!;
}

async function containers(taskDefinition: string): Promise<Record<string, ContainerDefinition>> {
  const td = (await suite.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }))).taskDefinition!;
  return Object.fromEntries((td.containerDefinitions ?? []).map((c) => [c.name!, c]));
}

const env = (c: ContainerDefinition | undefined) =>
  Object.fromEntries((c?.environment ?? []).map((e) => [e.name!, e.value!]));
const secrets = (c: ContainerDefinition | undefined) =>
  Object.fromEntries((c?.secrets ?? []).map((s) => [s.name!, s.valueFrom!]));

async function object(bucket: string, key: string): Promise<string> {
  const got = await suite.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return got.Body!.transformToString();
}

async function invalidations(distributionId: string): Promise<number> {
  const list = await suite.cloudfront.send(new ListInvalidationsCommand({ DistributionId: distributionId }));
  return list.InvalidationList?.Quantity ?? 0;
}

describe('the root action under act', () => {
  it('sidecar: both images built, lines for both containers, a task definition file, migrations, frontend staged then published', async () => {
    const fixture = await backend('sidecar');
    const site = await seedFrontend(suite.world.local);
    const run = await runRoot({
      'api-repository': 'twotier/api',
      'web-repository': 'twotier/web',
      cluster: fixture.cluster,
      service: 'twotier-sidecar',
      'task-definition': 'taskdef/sidecar.json',
      environment: 'api.RELEASE=r2\nweb.UPSTREAM_LABEL=sidecar',
      secrets: `api.DB_URL_COPY=${DB_PARAMETER}`,
      'run-migrations': 'true',
      'migration-command': 'python -m app.migrate',
      'frontend-build-command': '',
      bucket: site.bucket,
      'distribution-id': site.distributionId
    });
    expectSuccess(run);
    const tag = run.workspace.sha.slice(0, 12);
    expect(run.inner('plan')).toMatchObject({
      'build-images': 'true',
      'deploy-backend': 'true',
      split: 'false',
      'run-migrations': 'true',
      'register-environment': 'api.RELEASE=r2\nweb.UPSTREAM_LABEL=sidecar',
      'register-secrets': `api.DB_URL_COPY=${DB_PARAMETER}`,
      'register-api-environment': ''
    });
    expect(run.outputs).toMatchObject({
      'api-skipped': 'false',
      'web-skipped': 'false',
      'image-tag': tag,
      'task-definition-changed': 'true',
      'rollout-state': 'COMPLETED',
      'migration-exit-code': '0',
      'frontend-published': 'true',
      'frontend-release-id': `sha-${tag}`,
      'api-task-definition-arn': ''
    });
    expect(run.outputs['api-image']).toMatch(new RegExp(`^${REGISTRY}/twotier/api@sha256:[0-9a-f]{64}$`));
    expect(run.outputs['web-image']).toMatch(new RegExp(`^${REGISTRY}/twotier/web@sha256:[0-9a-f]{64}$`));
    // ECS: the service runs the new revision, with the pinned images and the lines in their containers.
    const svc = await service(fixture.cluster, 'twotier-sidecar');
    expect(svc.taskDefinition).toBe(run.outputs['task-definition-arn']);
    const c = await containers(run.outputs['task-definition-arn']!);
    expect([c.api?.image, c.web?.image]).toEqual([run.outputs['api-image'], run.outputs['web-image']]);
    expect(env(c.api)).toMatchObject({ RELEASE: 'r2' });
    expect(env(c.web)).toMatchObject({ UPSTREAM_LABEL: 'sidecar' });
    expect(secrets(c.api)).toMatchObject({ DB_URL_COPY: DB_PARAMETER, DATABASE_URL: DB_PARAMETER });
    // The migration ran as a one-off task of the new revision, with the command override.
    const task = (
      await suite.ecs.send(
        new DescribeTasksCommand({ cluster: fixture.cluster, tasks: [run.outputs['migration-task-arn']!] })
      )
    ).tasks![0]!;
    expect(task.taskDefinitionArn).toBe(run.outputs['task-definition-arn']);
    expect(task.overrides?.containerOverrides?.[0]?.command).toEqual(['python', '-m', 'app.migrate']);
    // The frontend is live and its stale paths were invalidated.
    expect(await object(site.bucket, 'index.html')).toBe(NEW_INDEX);
    expect(run.outputs['invalidation-id']).not.toBe('');
    expect(await invalidations(site.distributionId)).toBe(1);
  });

  it('split: only api-image given, a secret for the API only, live services as source, no migrations, no frontend', async () => {
    const fixture = await backend('split');
    const apiImage = `${REGISTRY}/twotier/api@${ociManifest('twotier/api:bootstrap').digest}`;
    const webBefore = (await service(fixture.cluster, 'twotier-web')).taskDefinition;
    const run = await runRoot({
      'build-images': 'false',
      'api-image': apiImage,
      topology: 'split',
      cluster: fixture.cluster,
      service: 'twotier-web',
      'api-service': 'twotier-api',
      secrets: `api.DB_URL_COPY=${DB_PARAMETER}`,
      'deploy-frontend': 'false'
    });
    expectSuccess(run);
    expect(run.inner('plan')).toMatchObject({
      split: 'true',
      'register-secrets': '',
      'register-api-secrets': `api.DB_URL_COPY=${DB_PARAMETER}`
    });
    expect(run.inner('images')).toMatchObject({
      'register-images': '',
      'register-api-images': `api=${apiImage}`
    });
    expect(run.outputs).toMatchObject({
      'api-image': apiImage,
      'web-image': '',
      'frontend-published': 'false'
    });
    // The web service: nothing for it changed, so the same revision (no API line reached it).
    expect(run.outputs['task-definition-changed']).toBe('false');
    expect(run.outputs['task-definition-arn']).toBe(webBefore);
    expect((await service(fixture.cluster, 'twotier-web')).taskDefinition).toBe(webBefore);
    // The API service runs a new revision with the image and the secret.
    const api = await service(fixture.cluster, 'twotier-api');
    expect(api.taskDefinition).toBe(run.outputs['api-task-definition-arn']);
    expect(api.taskDefinition).toMatch(/twotier-api:2$/);
    const c = await containers(api.taskDefinition!);
    expect(c.api?.image).toBe(apiImage);
    expect(secrets(c.api)).toMatchObject({ DB_URL_COPY: DB_PARAMETER });
    expect(run.outputs['migration-task-arn']).toBe('');
  });

  it('split: both images built (the web tag already in ECR), lines for the web container only, task definition files, migrations', async () => {
    const fixture = await backend('split');
    const site = await seedFrontend(suite.world.local);
    const existing = { manifest: '', digest: '' };
    const run = await runRoot(
      {
        'api-repository': 'twotier/api',
        'web-repository': 'twotier/web',
        topology: 'split',
        cluster: fixture.cluster,
        service: 'twotier-web',
        'task-definition': 'taskdef/web.json',
        'api-service': 'twotier-api',
        'api-task-definition': 'taskdef/api.json',
        environment: 'web.UPSTREAM_LABEL=split',
        'run-migrations': 'true',
        'migration-command': '["python", "-m", "app.migrate"]',
        'frontend-build-command': '',
        bucket: site.bucket
      },
      async (workspace) => {
        const tag = workspace.sha.slice(0, 12);
        Object.assign(existing, ociManifest(`existing-web:${tag}`));
        await putImageManifest(suite.world.local, 'twotier/web', tag, existing);
      }
    );
    expectSuccess(run);
    expect(run.inner('plan')).toMatchObject({
      'register-environment': 'web.UPSTREAM_LABEL=split',
      'register-api-environment': '',
      'migration-service': 'twotier-api'
    });
    expect(run.outputs).toMatchObject({
      'web-skipped': 'true',
      'api-skipped': 'false',
      'web-image': `${REGISTRY}/twotier/web@${existing.digest}`,
      'frontend-published': 'true',
      'api-rollout-state': 'COMPLETED',
      'rollout-state': 'COMPLETED',
      'migration-exit-code': '0'
    });
    const web = await containers((await service(fixture.cluster, 'twotier-web')).taskDefinition!);
    expect(web.web?.image).toBe(run.outputs['web-image']);
    expect(env(web.web)).toMatchObject({ UPSTREAM_LABEL: 'split' });
    const api = await containers((await service(fixture.cluster, 'twotier-api')).taskDefinition!);
    expect(api.api?.image).toBe(run.outputs['api-image']);
    expect(env(api.api)).not.toHaveProperty('UPSTREAM_LABEL');
    const task = (
      await suite.ecs.send(
        new DescribeTasksCommand({ cluster: fixture.cluster, tasks: [run.outputs['migration-task-arn']!] })
      )
    ).tasks![0]!;
    expect(task.taskDefinitionArn).toBe(run.outputs['api-task-definition-arn']);
    expect(await object(site.bucket, 'index.html')).toBe(NEW_INDEX);
  });

  it('sidecar: only web-image given, lines for the web container only, frontend off', async () => {
    const fixture = await backend('sidecar');
    const webImage = `${REGISTRY}/twotier/web@${ociManifest('twotier/web:bootstrap').digest}`;
    const run = await runRoot({
      'build-images': 'false',
      'web-image': webImage,
      cluster: fixture.cluster,
      service: 'twotier-sidecar',
      environment: 'web.UPSTREAM_LABEL=web-only',
      'deploy-frontend': 'false'
    });
    expectSuccess(run);
    expect(run.inner('images')).toMatchObject({ 'register-images': `web=${webImage}` });
    const c = await containers((await service(fixture.cluster, 'twotier-sidecar')).taskDefinition!);
    expect(c.web?.image).toBe(webImage);
    expect(env(c.web)).toMatchObject({ UPSTREAM_LABEL: 'web-only' });
    // The API container kept its image (bootstrap tag) and its environment.
    expect(c.api?.image).toBe(`${REGISTRY}/twotier/api:bootstrap`);
    expect(env(c.api)).not.toHaveProperty('UPSTREAM_LABEL');
  });

  it('release order: a failed API rollout leaves the frontend staged, not published, and says so', async () => {
    const fixture = await backend('split');
    const site = await seedFrontend(suite.world.local);
    const liveBefore = await object(site.bucket, 'index.html');
    suite.world.local.ecs.addFailure({ family: 'twotier-api', scenario: 'essential-container-exit' });
    const run = await runRoot({
      'build-images': 'false',
      'api-image': `${REGISTRY}/twotier/api@${ociManifest('twotier/api:bootstrap').digest}`,
      topology: 'split',
      cluster: fixture.cluster,
      service: 'twotier-web',
      'api-service': 'twotier-api',
      environment: 'api.RELEASE=broken',
      'frontend-build-command': '',
      bucket: site.bucket,
      'distribution-id': site.distributionId,
      'timeout-minutes': '2'
    });
    expect(run.result.jobResult('run')).toBe('failure');
    // Staged: the new assets are uploaded; published: no, the old entry point is still live.
    expect(run.inner('stage')['release-id']).toMatch(/^sha-/);
    expect(run.inner('publish')).toEqual({});
    expect(run.outputs['frontend-published']).toBe('false');
    expect(await object(site.bucket, 'index.html')).toBe(liveBefore);
    const keys = (await suite.s3.send(new ListObjectsV2Command({ Bucket: site.bucket }))).Contents!.map(
      (o) => o.Key!
    );
    expect(keys).toContain('assets/index-N3wR3l34.js');
    expect(keys.some((k) => k.startsWith('.twotier/staged/') && k.endsWith('index.html'))).toBe(true);
    expect(await invalidations(site.distributionId)).toBe(0);
    // The web service was never touched after the API failed; the warning says what happened.
    expect(run.outputs['rollout-state']).toBe('');
    const warnings = run.result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings.join('\n')).toMatch(/was staged, not published: a backend step failed/);
  });
});
