/**
 * The workflows users run, under nektos/act (host mode) against the local AWS: a caller of the reusable
 * workflow .github/workflows/deploy.yml, and each starter workflow in workflows/ copied unchanged into the
 * application's .github/workflows/ (their `vars` given with --var, the events they start on), each with a
 * collector job added that writes `toJSON(needs)`. Asserted: job results and outputs, the step outputs of
 * each build job, how the stand-ins were called (roles, checkouts, pushes), and the local AWS afterwards.
 *
 * deploy.yml builds each image in a job of its own (build-api, build-web), not in a matrix, whose job outputs
 * act would not merge (nektos/act#981, docs/testing.md): both images reach deploy-backend under act as on
 * GitHub, and the tests check that they are both in the task definition registered in the local AWS.
 */
import { describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand
} from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTasksCommand,
  DescribeTasksCommand
} from '@aws-sdk/client-ecs';
import { ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  TOOLKIT_REPOSITORY,
  TOOLKIT_SHA,
  createWorkspace,
  describeRun,
  projectRoot,
  withNeedsCollector,
  type ActResult,
  type Workspace
} from './harness.js';
import { BUILD_ROLE, DEPLOY_ROLE, EXAMPLE_APP, REGION, REGISTRY, deployWorkflowCaller } from './world.js';
import { useActWorld } from './suite.js';
import { seedBackend, type BackendFixture } from '../../src/demo/backend-fixture.js';
import { seedFrontend } from '../../src/demo/frontend.js';
import { pushTestImages } from '../ecs/ecr-images.js';

// An act run may take minutes (each has its own hard timeout, at most 240 s, below this one).
jest.setTimeout(300000);

const suite = useActWorld();

/**
 * A frontend small enough to `npm ci` offline (no dependencies) whose build writes dist/ with an index.html
 * and a hashed asset, and whose test script passes: the default frontend-build-command (`npm ci && npm run
 * build`) and pull-request.yml's `npm ci`, `npm test`, `npm run build` run on it unchanged.
 */
const FRONTEND: Record<string, string> = {
  'frontend/package.json': JSON.stringify(
    {
      name: 'act-frontend',
      version: '1.0.0',
      private: true,
      scripts: { build: 'node build.mjs', test: 'node build.mjs --check' }
    },
    null,
    2
  ),
  'frontend/package-lock.json': JSON.stringify(
    {
      name: 'act-frontend',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: 'act-frontend', version: '1.0.0' } }
    },
    null,
    2
  ),
  'frontend/build.mjs': [
    "import { mkdirSync, writeFileSync } from 'node:fs';",
    "import { createHash } from 'node:crypto';",
    'const js = \'console.log("act release");\';',
    "const hash = createHash('sha256').update(js).digest('base64url').slice(0, 8);",
    "if (process.argv.includes('--check')) { console.log('frontend test ok'); process.exit(0); }",
    "mkdirSync('dist/assets', { recursive: true });",
    'writeFileSync(`dist/assets/index-${hash}.js`, js);',
    'writeFileSync(\'dist/index.html\', `<!doctype html><script src="/assets/index-${hash}.js"></script>`);',
    ''
  ].join('\n')
};

/** The application repository: the example's api/, web/ and taskdef/, the small frontend, and `files`. */
function appWorkspace(files: Record<string, string>): Workspace {
  const w = createWorkspace(
    { ...FRONTEND, ...files },
    {
      api: path.join(EXAMPLE_APP, 'api'),
      web: path.join(EXAMPLE_APP, 'web'),
      taskdef: path.join(EXAMPLE_APP, 'taskdef')
    }
  );
  suite.keep(w);
  return w;
}

/** The local AWS a deploy starts from: the sidecar backend, empty ECR repositories, the bucket and CDN. */
async function deployTarget(): Promise<{ fixture: BackendFixture; bucket: string; distributionId: string }> {
  const fixture = await seedBackend(suite.world.local, { topology: 'sidecar', desiredCount: 2 });
  await pushTestImages(suite.world.local, { 'twotier/api': ['bootstrap'], 'twotier/web': ['bootstrap'] });
  const { bucket, distributionId } = await seedFrontend(suite.world.local);
  return { fixture, bucket, distributionId };
}

const ok = (result: ActResult) => {
  if (result.code !== 0 || result.jobs.some((j) => j.result !== 'success'))
    throw new Error(describeRun(result));
};

/** The outputs of step `image` (actions/build-push) of the build job of `image` (build-api, build-web). */
const buildOutputs = (result: ActResult, image: string) => result.outputs(`build-${image}`, ['image']);

/** Image URIs of each container of a task definition. */
async function containerImages(arn: string): Promise<Record<string, string>> {
  const td = await suite.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
  return Object.fromEntries(td.taskDefinition!.containerDefinitions!.map((c) => [c.name!, c.image!]));
}

describe('the reusable workflow deploy.yml, called from an application repository', () => {
  it('builds both images, registers and rolls out the backend, and publishes the frontend', async () => {
    const { fixture, bucket, distributionId } = await deployTarget();
    // The site lives under site/ (bucket-prefix): a release is live there, so publishing replaces its page.
    await suite.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'site/index.html', Body: '<!doctype html><p>old</p>' })
    );
    const caller = deployWorkflowCaller({
      cluster: fixture.cluster,
      service: fixture.services[0]!.name,
      'task-definition': 'taskdef/sidecar.json',
      bucket,
      'bucket-prefix': 'site',
      'distribution-id': distributionId,
      'timeout-minutes': 5
    });
    const w = appWorkspace({
      '.github/workflows/deploy.yml': caller
    });
    const result = await suite.world.run({
      workspace: w,
      workflow: '.github/workflows/deploy.yml',
      timeoutMs: 240000
    });
    ok(result);
    const tag = w.sha.slice(0, 12);

    // The toolkit job read the workflow's own repository and commit from the OIDC token; every toolkit
    // checkout used them.
    expect(result.outputs('toolkit', ['locate'])).toEqual({
      repository: TOOLKIT_REPOSITORY,
      ref: TOOLKIT_SHA
    });
    const checkouts = result.records.filter((r) => r.action === 'actions/checkout');
    expect(checkouts.length).toBe(5); // build-api, build-web, deploy-backend, stage-frontend, publish-frontend
    for (const c of checkouts) {
      expect(c).toMatchObject({ repository: TOOLKIT_REPOSITORY, ref: TOOLKIT_SHA, path: '.twotier-actions' });
    }
    expect(suite.world.oidc.requests.map((r) => r.audience).sort()).toEqual([
      'sts.amazonaws.com',
      'sts.amazonaws.com',
      'sts.amazonaws.com',
      'sts.amazonaws.com',
      'sts.amazonaws.com',
      'twotier-actions-locate'
    ]);
    // The build jobs assumed the build role, the deploy jobs the deploy role.
    const roles = result.records
      .filter((r) => r.action === 'aws-actions/configure-aws-credentials')
      .map((r) => `${r.job}:${r.role}`)
      .sort();
    expect(roles).toEqual(
      [
        `build-api:${BUILD_ROLE}`,
        `build-web:${BUILD_ROLE}`,
        `deploy-backend:${DEPLOY_ROLE}`,
        `stage-frontend:${DEPLOY_ROLE}`,
        `publish-frontend:${DEPLOY_ROLE}`
      ].sort()
    );

    // Each build job pushed its image with the commit tag and output it pinned by digest.
    const pushed: Record<string, string> = {};
    for (const image of ['api', 'web']) {
      const built = buildOutputs(result, image);
      expect(built).toMatchObject({ skipped: 'false', tag });
      const found = await suite.ecr.send(
        new DescribeImagesCommand({ repositoryName: `twotier/${image}`, imageIds: [{ imageTag: tag }] })
      );
      expect(built.image).toBe(`${REGISTRY}/twotier/${image}@${found.imageDetails![0]!.imageDigest}`);
      pushed[image] = built.image!;
    }
    expect(pushed.api).not.toBe(pushed.web);

    // Both images reached deploy-backend, each from its own build job: the revision registered and rolled
    // out runs the pushed API image in the api container and the pushed web image in the web container
    // (the task definition file names neither), and the workflow's outputs are the same two images.
    const outputs = result.needs!.deploy!.outputs;
    expect(outputs).toMatchObject({ 'api-image': pushed.api, 'web-image': pushed.web });
    expect(result.outputs('deploy-backend', ['deploy'])).toMatchObject({
      'api-image': pushed.api,
      'web-image': pushed.web
    });
    expect(outputs['rollout-state']).toBe('COMPLETED');
    expect(outputs['task-definition-arn']).toMatch(/task-definition\/twotier-sidecar:2$/);
    expect(await containerImages(outputs['task-definition-arn']!)).toEqual({
      api: pushed.api,
      web: pushed.web
    });
    const service = (
      await suite.ecs.send(
        new DescribeServicesCommand({ cluster: fixture.cluster, services: [fixture.services[0]!.name] })
      )
    ).services![0]!;
    expect(service.taskDefinition).toBe(outputs['task-definition-arn']);
    expect(service.deployments?.map((d) => d.rolloutState)).toEqual(['COMPLETED']);

    // The frontend: built with the default command and staged while the backend rolled out, published after
    // it (the publish job needs deploy-backend), the changed paths invalidated; nothing to report.
    expect(outputs).toMatchObject({ 'frontend-published': 'true', 'frontend-release-id': `sha-${tag}` });
    expect(result.jobResult('stage-frontend')).toBe('success');
    expect(result.jobResult('publish-frontend')).toBe('success');
    expect(result.needs!.deploy).toBeDefined();
    expect(result.jobResult('frontend-not-published')).toBeUndefined();
    const keys = (await suite.s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents!.map(
      (o) => o.Key
    );
    // bucket-prefix reached both jobs: staged and published under site/, the prefix's own manifest.
    expect(keys).toEqual(
      expect.arrayContaining([
        'site/index.html',
        expect.stringMatching(/^site\/assets\/index-.{8}\.js$/),
        'site/.twotier/manifest.json'
      ])
    );
    const invalidations = await suite.cloudfront.send(
      new ListInvalidationsCommand({ DistributionId: distributionId })
    );
    expect(invalidations.InvalidationList?.Items?.map((i) => i.Id)).toEqual([outputs['invalidation-id']]);
    expect(outputs['invalidation-id']).not.toBe('');
    expect(result.records.find((r) => r.action === 'actions/setup-node')).toMatchObject({
      'node-version': '24'
    });
  });
});

describe('the starter workflows in workflows/, copied unchanged', () => {
  const starter = (name: string) =>
    withNeedsCollector(readFileSync(path.join(projectRoot, 'workflows', name), 'utf8'));
  const VARS = (target: { fixture: BackendFixture; bucket: string; distributionId: string }) => ({
    AWS_REGION: REGION,
    AWS_DEPLOY_ROLE_ARN: DEPLOY_ROLE,
    ECS_CLUSTER: target.fixture.cluster,
    ECS_SERVICE: target.fixture.services[0]!.name,
    ECR_API_REPOSITORY: 'twotier/api',
    ECR_WEB_REPOSITORY: 'twotier/web',
    FRONTEND_BUCKET: target.bucket,
    CLOUDFRONT_DISTRIBUTION_ID: target.distributionId
  });

  it('deploy-main.yml: a push to main deploys to staging', async () => {
    const target = await deployTarget();
    const w = appWorkspace({ '.github/workflows/deploy-main.yml': starter('deploy-main.yml') });
    const result = await suite.world.run({
      workspace: w,
      workflow: '.github/workflows/deploy-main.yml',
      vars: VARS(target),
      timeoutMs: 240000
    });
    ok(result);
    const outputs = result.needs!.deploy!.outputs;
    const tag = w.sha.slice(0, 12);
    const pushed: Record<string, string> = {};
    for (const image of ['api', 'web']) {
      const found = await suite.ecr.send(
        new DescribeImagesCommand({ repositoryName: `twotier/${image}`, imageIds: [{ imageTag: tag }] })
      );
      pushed[image] = `${REGISTRY}/twotier/${image}@${found.imageDetails![0]!.imageDigest}`;
      expect(buildOutputs(result, image)).toMatchObject({ skipped: 'false', tag, image: pushed[image] });
    }
    // Both images, each from its own build job, in the revision rolled out.
    expect(outputs).toMatchObject({ 'api-image': pushed.api, 'web-image': pushed.web });
    expect(outputs['rollout-state']).toBe('COMPLETED');
    expect(await containerImages(outputs['task-definition-arn']!)).toEqual({
      api: pushed.api,
      web: pushed.web
    });
    expect(outputs['invalidation-id']).not.toBe('');
    const roles = result.records
      .filter((r) => r.action === 'aws-actions/configure-aws-credentials')
      .map((r) => r.role);
    expect(new Set(roles)).toEqual(new Set([DEPLOY_ROLE])); // no build role given: the deploy role builds too
  });

  it('deploy-production.yml: a release tag builds images tagged with it, runs the migrations, deploys', async () => {
    const target = await deployTarget();
    const w = appWorkspace({ '.github/workflows/deploy-production.yml': starter('deploy-production.yml') });
    const result = await suite.world.run({
      workspace: w,
      workflow: '.github/workflows/deploy-production.yml',
      eventPayload: { ref: 'refs/tags/v1.2.3' },
      vars: { ...VARS(target), AWS_BUILD_ROLE_ARN: BUILD_ROLE },
      timeoutMs: 240000
    });
    ok(result);
    const outputs = result.needs!.deploy!.outputs;
    for (const image of ['api', 'web']) {
      expect(buildOutputs(result, image)).toMatchObject({ skipped: 'false', tag: 'v1.2.3' });
    }
    // Both images tagged with the release tag, and both in the revision the migration and the rollout ran.
    const pushed: Record<string, string> = {};
    for (const image of ['api', 'web']) {
      const tags = await suite.ecr.send(
        new DescribeImagesCommand({ repositoryName: `twotier/${image}`, imageIds: [{ imageTag: 'v1.2.3' }] })
      );
      expect(tags.imageDetails).toHaveLength(1);
      pushed[image] = `${REGISTRY}/twotier/${image}@${tags.imageDetails![0]!.imageDigest}`;
    }
    expect(await containerImages(outputs['task-definition-arn']!)).toEqual({
      api: pushed.api,
      web: pushed.web
    });
    // The migration ran as a one-off task of the new revision, with the command of the starter.
    const migrate = result.outputs('deploy-backend', ['deploy', 'migrate']);
    expect(migrate['exit-code']).toBe('0');
    const task = (
      await suite.ecs.send(
        new DescribeTasksCommand({ cluster: target.fixture.cluster, tasks: [migrate['task-arn']!] })
      )
    ).tasks![0]!;
    expect(task.taskDefinitionArn).toBe(outputs['task-definition-arn']);
    expect(task.overrides?.containerOverrides?.[0]).toMatchObject({
      name: 'api',
      command: ['python', '-m', 'app.migrate']
    });
    expect(outputs['rollout-state']).toBe('COMPLETED');
    const roles = result.records
      .filter((r) => r.action === 'aws-actions/configure-aws-credentials')
      .map((r) => `${r.job}:${r.role}`);
    expect(roles.filter((r) => r.startsWith('build-')).sort()).toEqual([
      `build-api:${BUILD_ROLE}`,
      `build-web:${BUILD_ROLE}`
    ]);
    expect(roles.filter((r) => !r.startsWith('build-')).every((r) => r.endsWith(DEPLOY_ROLE))).toBe(true);
  });

  it('pull-request.yml: tests, the frontend build and both image builds, with no AWS access', async () => {
    const w = appWorkspace({ '.github/workflows/pull-request.yml': starter('pull-request.yml') });
    const result = await suite.world.run({
      workspace: w,
      workflow: '.github/workflows/pull-request.yml',
      event: 'pull_request',
      eventPayload: { pull_request: { number: 7, head: { ref: 'feature' }, base: { ref: 'main' } } },
      timeoutMs: 240000
    });
    ok(result);
    expect(result.jobs.map((j) => j.jobID).sort()).toEqual([
      'act-harness-collect',
      'api',
      'frontend',
      'images',
      'images'
    ]);
    const builds = result.records.filter((r) => r.action === 'docker/build-push-action');
    expect(builds.map((b) => [b.context, b.push, b.provenance]).sort()).toEqual([
      ['api', 'false', 'false'],
      ['web', 'false', 'false']
    ]);
    expect(result.records.find((r) => r.action === 'actions/setup-python')).toMatchObject({
      'python-version': '3.12'
    });
    // No credentials, no AWS: the local AWS holds nothing.
    expect(result.records.some((r) => r.action?.startsWith('aws-actions/'))).toBe(false);
    expect((await suite.ecr.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([]);
  });
});

void CreateRepositoryCommand;
void ListTasksCommand;
