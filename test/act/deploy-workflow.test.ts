/**
 * The reusable workflow's release order and its test-traffic gate under nektos/act, called from an
 * application repository as users call it, against the local AWS:
 *  - a backend rollout that the circuit breaker rolls back leaves the frontend staged, not published: the
 *    publish job does not run, the report job says so, the live index.html is the old one;
 *  - with smoke-test-command, the rollout of a BLUE_GREEN service with a PAUSE hook at POST_TEST_TRAFFIC_SHIFT
 *    stops there, the command runs with TEST_URL, and the deployment is continued (the command passed) or
 *    rolled back (it failed), as ContinueServiceDeployment requests to the ECS simulator show.
 * Each image is built in a job of its own (build-api, build-web), so both reach deploy-backend under act as
 * on GitHub (a matrix's job outputs would not be merged by act, nektos/act#981): the revision registered in the
 * local ECS holds the pushed API and web images, pinned by digest, whether it then rolls out or rolls back.
 */
import { describe, expect, it, jest } from '@jest/globals';
import path from 'node:path';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { createWorkspace, describeRun } from './harness.js';
import { EXAMPLE_APP, REGISTRY, deployWorkflowCaller } from './world.js';
import { useActWorld } from './suite.js';
import { seedBackend } from '../../src/demo/backend-fixture.js';
import { seedFrontend } from '../../src/demo/frontend.js';
import { pushTestImages } from '../ecs/ecr-images.js';
import { advancedLoadBalancer } from '../local/service-deployment-helpers.js';
import { waitForCompleted } from '../local/ecs-simulator-helpers.js';

jest.setTimeout(300000);

const NEW_INDEX = '<!doctype html><script src="/assets/index-W0rkfl0w.js"></script>';
const TEST_URL = 'http://twotier-public-123.us-east-1.elb.amazonaws.com:8443';
const suite = useActWorld();

/** Runs a caller of deploy.yml@v1 with `inputs` (plus the common ones) and a needs collector. */
async function callDeploy(inputs: Record<string, unknown>) {
  const workspace = createWorkspace(
    {
      '.github/workflows/deploy.yml': deployWorkflowCaller({
        'frontend-build-command': '',
        'timeout-minutes': 3,
        ...inputs
      }),
      'frontend/dist/index.html': NEW_INDEX,
      'frontend/dist/assets/index-W0rkfl0w.js': 'console.log("workflow release")'
    },
    {
      api: path.join(EXAMPLE_APP, 'api'),
      web: path.join(EXAMPLE_APP, 'web'),
      taskdef: path.join(EXAMPLE_APP, 'taskdef')
    }
  );
  suite.keep(workspace);
  const result = await suite.world.run({
    workspace,
    workflow: '.github/workflows/deploy.yml',
    timeoutMs: 280000
  });
  return { result, outputs: result.needs?.deploy?.outputs ?? {}, tag: workspace.sha.slice(0, 12) };
}

/**
 * Both images reached deploy-backend: the task definition `taskDefinition` (ARN or family:revision) runs, in
 * its api and web containers, the images the build jobs pushed to ECR with `tag`, pinned by digest, and the
 * build jobs output exactly those.
 */
async function expectBothImages(
  result: Awaited<ReturnType<typeof callDeploy>>['result'],
  taskDefinition: string,
  tag: string
) {
  const pushed: Record<string, string> = {};
  for (const image of ['api', 'web']) {
    const found = await suite.ecr.send(
      new DescribeImagesCommand({ repositoryName: `twotier/${image}`, imageIds: [{ imageTag: tag }] })
    );
    pushed[image] = `${REGISTRY}/twotier/${image}@${found.imageDetails![0]!.imageDigest}`;
    expect(result.outputs(`build-${image}`, ['image'])).toMatchObject({ image: pushed[image] });
  }
  const td = await suite.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
  expect(
    Object.fromEntries(td.taskDefinition!.containerDefinitions!.map((c) => [c.name!, c.image!]))
  ).toEqual({ api: pushed.api, web: pushed.web });
}

async function liveIndex(bucket: string): Promise<string> {
  return (
    await suite.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'index.html' }))
  ).Body!.transformToString();
}

describe('the reusable workflow under act: release order', () => {
  it('a rolled-back backend leaves the frontend staged, not published, and the report job says so', async () => {
    const fixture = await seedBackend(suite.world.local, { topology: 'sidecar', desiredCount: 2 });
    await pushTestImages(suite.world.local, { 'twotier/api': ['bootstrap'], 'twotier/web': ['bootstrap'] });
    const site = await seedFrontend(suite.world.local);
    const before = await liveIndex(site.bucket);
    // The new revision's images are pinned by digest (the seeded one runs :bootstrap tags): its tasks exit.
    suite.world.local.ecs.addFailure({ image: '@sha256:', scenario: 'essential-container-exit' });
    const { result, tag } = await callDeploy({
      cluster: fixture.cluster,
      service: 'twotier-sidecar',
      'task-definition': 'taskdef/sidecar.json',
      bucket: site.bucket,
      'distribution-id': site.distributionId
    });
    // act does not run the needs collector after a failed called workflow, so the workflow's outputs are not
    // collected here: the jobs' results and step outputs are (frontend-published is checked by the contract test).
    expect(result.jobResult('deploy-backend')).toBe('failure');
    expect(result.jobResult('stage-frontend')).toBe('success');
    expect(result.jobResult('publish-frontend')).toBeUndefined(); // skipped: act logs no result
    expect(result.jobResult('frontend-not-published')).toBe('success');
    expect(result.outputs('stage-frontend', ['stage'])['release-id']).toMatch(/^sha-[0-9a-f]{12}$/);
    expect(result.outputs('publish-frontend', ['publish'])).toEqual({});
    const warnings = result.annotations
      .filter((a) => a.jobID === 'frontend-not-published')
      .map((a) => a.message);
    expect(warnings.join('\n')).toMatch(/was staged, not published: the backend job ended failure/);
    // S3: the new assets are there (staged), the live entry point is the old one, the new one waits aside.
    expect(await liveIndex(site.bucket)).toBe(before);
    const keys = (await suite.s3.send(new ListObjectsV2Command({ Bucket: site.bucket }))).Contents!.map(
      (o) => o.Key!
    );
    expect(keys).toContain('assets/index-W0rkfl0w.js');
    expect(keys.filter((k) => k.startsWith('.twotier/staged/') && k.endsWith('/index.html'))).toHaveLength(1);
    // ECS: the revision registered held both built images (its tasks exited, so it was rolled back), and the
    // service is back on the seeded revision.
    expect(result.jobResult('build-api')).toBe('success');
    expect(result.jobResult('build-web')).toBe('success');
    await expectBothImages(result, 'twotier-sidecar:2', tag);
    const svc = (
      await suite.ecs.send(
        new DescribeServicesCommand({ cluster: fixture.cluster, services: ['twotier-sidecar'] })
      )
    ).services![0]!;
    expect(svc.taskDefinition).toMatch(/twotier-sidecar:1$/);
  });
});

describe('the reusable workflow under act: promoting images already built', () => {
  it('api-image and web-image given: no build job runs, the backend deploys exactly those images', async () => {
    const fixture = await seedBackend(suite.world.local, { topology: 'sidecar', desiredCount: 2 });
    await pushTestImages(suite.world.local, {
      'twotier/api': ['bootstrap', 'staging-7'],
      'twotier/web': ['bootstrap', 'staging-7']
    });
    const given: Record<string, string> = {};
    for (const image of ['api', 'web']) {
      const found = await suite.ecr.send(
        new DescribeImagesCommand({
          repositoryName: `twotier/${image}`,
          imageIds: [{ imageTag: 'staging-7' }]
        })
      );
      given[image] = `${REGISTRY}/twotier/${image}@${found.imageDetails![0]!.imageDigest}`;
    }
    const { result, outputs } = await callDeploy({
      cluster: fixture.cluster,
      service: 'twotier-sidecar',
      'task-definition': 'taskdef/sidecar.json',
      'api-image': given.api,
      'web-image': given.web,
      'deploy-frontend': false
    });
    if (result.code !== 0) throw new Error(describeRun(result));
    // Both builds skipped (act logs no result for a skipped job), nothing pushed, the backend deployed.
    expect(result.jobResult('build-api')).toBeUndefined();
    expect(result.jobResult('build-web')).toBeUndefined();
    expect(result.records.filter((r) => r.job === 'build-api' || r.job === 'build-web')).toEqual([]);
    expect(result.jobResult('deploy-backend')).toBe('success');
    expect(outputs).toMatchObject({
      'api-image': given.api,
      'web-image': given.web,
      'rollout-state': 'COMPLETED'
    });
    const td = await suite.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: outputs['task-definition-arn']! })
    );
    expect(
      Object.fromEntries(td.taskDefinition!.containerDefinitions!.map((c) => [c.name!, c.image!]))
    ).toEqual({ api: given.api, web: given.web });
  });
});

describe('the reusable workflow under act: the test-traffic gate', () => {
  /** A BLUE_GREEN sidecar service with a PAUSE hook after the test traffic shift, running its first revision. */
  async function gatedService(): Promise<{ cluster: string; service: string; v1: string }> {
    const fixture = await seedBackend(suite.world.local, { topology: 'sidecar', desiredCount: 1 });
    await pushTestImages(suite.world.local, { 'twotier/api': ['bootstrap'], 'twotier/web': ['bootstrap'] });
    const service = 'twotier-gated';
    const doc = JSON.parse(readFileSync(path.join(EXAMPLE_APP, 'taskdef', 'sidecar.json'), 'utf8'));
    const v1 = (await suite.ecs.send(new RegisterTaskDefinitionCommand(doc))).taskDefinition!
      .taskDefinitionArn!;
    await suite.ecs.send(
      new CreateServiceCommand({
        cluster: fixture.cluster,
        serviceName: service,
        taskDefinition: v1,
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: fixture.subnets, securityGroups: fixture.securityGroups }
        },
        loadBalancers: [{ ...advancedLoadBalancer, containerName: 'web', containerPort: 8080 }],
        deploymentConfiguration: {
          strategy: 'BLUE_GREEN',
          bakeTimeInMinutes: 1,
          lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }]
        }
      })
    );
    await waitForCompleted(suite.ecs, fixture.cluster, service);
    return { cluster: fixture.cluster, service, v1 };
  }

  const continues = () =>
    suite.world.local.ecs.requests
      .filter((r) => r.operation === 'ContinueServiceDeployment')
      .map((r) => (r.body as { action: string }).action);

  it('a passing smoke test against TEST_URL continues the paused deployment to SUCCESSFUL', async () => {
    const target = await gatedService();
    const { result, outputs, tag } = await callDeploy({
      cluster: target.cluster,
      service: target.service,
      'deploy-frontend': false,
      'smoke-test-command': `test "$TEST_URL" = "${TEST_URL}" && echo "smoke test against $TEST_URL passed"`,
      'test-url': TEST_URL
    });
    if (result.jobResult('deploy-backend') !== 'success') throw new Error(describeRun(result));
    expect(result.outputs('deploy-backend', ['deploy'])).toMatchObject({
      'lifecycle-stage': 'POST_TEST_TRAFFIC_SHIFT'
    });
    expect(result.outputs('deploy-backend', ['deploy'])['hook-id']).not.toBe('');
    expect(result.log).toContain(`smoke test against ${TEST_URL} passed`);
    expect(continues()).toEqual(['CONTINUE']);
    expect(result.outputs('deploy-backend', ['continue'])).toMatchObject({ status: 'SUCCESSFUL' });
    expect(outputs['smoke-test']).toBe('success');
    const svc = (
      await suite.ecs.send(
        new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] })
      )
    ).services![0]!;
    expect(svc.taskDefinition).toBe(outputs['task-definition-arn']);
    expect(svc.taskDefinition).not.toBe(target.v1);
    await expectBothImages(result, outputs['task-definition-arn']!, tag);
    expect(outputs).toMatchObject({
      'api-image': result.outputs('build-api', ['image'])['image'],
      'web-image': result.outputs('build-web', ['image'])['image']
    });
  });

  it('a failing smoke test rolls the deployment back and fails the backend job', async () => {
    const target = await gatedService();
    const { result } = await callDeploy({
      cluster: target.cluster,
      service: target.service,
      'deploy-frontend': false,
      'smoke-test-command': 'echo "smoke test failed" && exit 3',
      'test-url': TEST_URL
    });
    expect(result.jobResult('deploy-backend')).toBe('failure');
    expect(continues()).toEqual(['ROLLBACK']);
    expect(result.log).toContain('smoke test failed');
    // continue-deployment ROLLBACK waited until the rollback settled.
    expect(result.outputs('deploy-backend', ['rollback'])['status']).toMatch(/^ROLLBACK_SUCCESSFUL$/);
    expect(result.outputs('deploy-backend', ['continue'])).toEqual({});
    const svc = (
      await suite.ecs.send(
        new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] })
      )
    ).services![0]!;
    expect(svc.taskDefinition).toBe(target.v1);
  });
});
