/**
 * Every JavaScript action through its action.yml under nektos/act (host mode), as a user's workflow calls it:
 * `uses: your-org/twotier-actions/actions/<name>@v1` with only the inputs it requires, so every other input
 * takes its action.yml default (the runner passes those as INPUT_*, which is what these tests cover beyond
 * the bundle tests), against the local AWS. Each asserts the step outputs and the local AWS state afterwards.
 * Where an action cannot do anything useful with its required inputs alone, the test says which input it adds.
 */
import { describe, expect, it, jest } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand
} from '@aws-sdk/client-s3';
import { ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { createWorkspace, describeRun, projectRoot, type ActResult } from './harness.js';
import { EXAMPLE_APP, oneActionWorkflow } from './world.js';
import { useActWorld } from './suite.js';
import { seedBackend, type BackendFixture } from '../../src/demo/backend-fixture.js';
import { seedFrontend } from '../../src/demo/frontend.js';
import { pushTestImages } from '../ecs/ecr-images.js';
import {
  advancedLoadBalancer,
  createService,
  currentServiceDeployment,
  describeServiceDeployment
} from '../local/service-deployment-helpers.js';
import {
  describe as describeService,
  taskDefinition,
  waitFor,
  waitForCompleted
} from '../local/ecs-simulator-helpers.js';

// An act run may take minutes (each has its own hard timeout, at most 240 s, below this one).
jest.setTimeout(300000);

const suite = useActWorld();

/** Runs oneActionWorkflow(actions/<name>, inputs) in a workspace holding `files` and the example's taskdef/. */
async function runAction(
  name: string,
  inputs: Record<string, string>,
  files: Record<string, string> = {}
): Promise<{ result: ActResult; outputs: Record<string, string> }> {
  const workspace = createWorkspace(
    { '.github/workflows/act.yml': oneActionWorkflow(`actions/${name}`, inputs), ...files },
    { taskdef: path.join(EXAMPLE_APP, 'taskdef') }
  );
  suite.keep(workspace);
  const result = await suite.world.run({ workspace, workflow: '.github/workflows/act.yml' });
  const collected = result.collectedSteps.find((c) => c.job === 'run');
  return { result, outputs: collected?.steps.action?.outputs ?? {} };
}

/** The action's declared outputs (action.yml). */
const declaredOutputs = (name: string) =>
  Object.keys(
    (
      YAML.parse(readFileSync(path.join(projectRoot, 'actions', name, 'action.yml'), 'utf8')) as {
        outputs: object;
      }
    ).outputs
  ).sort();

const expectSuccess = (result: ActResult) => {
  if (result.code !== 0 || result.jobResult('run') !== 'success') throw new Error(describeRun(result));
};

async function sidecarBackend(): Promise<BackendFixture> {
  const fixture = await seedBackend(suite.world.local, { topology: 'sidecar', desiredCount: 2 });
  await pushTestImages(suite.world.local, { 'twotier/api': ['bootstrap'], 'twotier/web': ['bootstrap'] });
  return fixture;
}

/** Keys of `outputs` equal the action's declared outputs, so no output is lost between the bundle and the step. */
const expectAllOutputs = (name: string, outputs: Record<string, string>) =>
  expect(Object.keys(outputs).sort()).toEqual(declaredOutputs(name));

/**
 * A BLUE_GREEN service with a PAUSE hook after the test traffic shift, updated from revision 1 to 2 and held
 * at the hook (AWAITING_ACTION): what continue-deployment and stop-deployment act on.
 */
async function pausedBlueGreen(): Promise<{
  cluster: string;
  service: string;
  v1: string;
  v2: string;
  arn: string;
}> {
  const cluster = 'bg';
  const service = 'web';
  const v1 = await createService(suite.ecs, {
    cluster,
    service,
    family: 'web',
    image: 'web:1',
    desiredCount: 2,
    deploymentConfiguration: {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }]
    },
    extra: { loadBalancers: [advancedLoadBalancer] }
  });
  await waitForCompleted(suite.ecs, cluster, service);
  const v2 = (await suite.ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('web', 'web:2'))))
    .taskDefinition!.taskDefinitionArn!;
  const updated = await suite.ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: v2 }));
  const arn = updated.service!.currentServiceDeployment!;
  await waitFor(
    () => describeServiceDeployment(suite.ecs, arn),
    (sd) => sd.lifecycleHookDetails?.some((h) => h.status === 'AWAITING_ACTION') ?? false,
    30000
  );
  return { cluster, service, v1, v2, arn };
}

const TESTED = [
  'continue-deployment',
  'deploy-service',
  'deploy-stack',
  'invalidate-cdn',
  'register-task-definition',
  'rollback',
  'run-task',
  'stop-deployment',
  'upload-frontend'
];

describe('the JavaScript actions under act, with only their required inputs', () => {
  it('this file covers every action that runs on node', () => {
    const node = readdirSync(path.join(projectRoot, 'actions')).filter((name) =>
      /^\s+using:\s*node\d+/m.test(
        readFileSync(path.join(projectRoot, 'actions', name, 'action.yml'), 'utf8')
      )
    );
    expect(node.sort()).toEqual(TESTED);
  });

  it('register-task-definition: task-definition (none is required, but it needs a file or a service)', async () => {
    await sidecarBackend();
    const { result, outputs } = await runAction('register-task-definition', {
      'task-definition': 'taskdef/sidecar.json'
    });
    expectSuccess(result);
    expectAllOutputs('register-task-definition', outputs);
    // The seeded revision 1 was registered from the same file: force-register (default false) keeps it.
    expect(outputs).toMatchObject({ changed: 'false', revision: '1' });
    expect(outputs['task-definition-arn']).toMatch(/:task-definition\/twotier-sidecar:1$/);
    const td = await suite.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'twotier-sidecar' }));
    expect(td.taskDefinition?.revision).toBe(1);
    // preflight (default true) looked the images up in ECR and the secret up in SSM.
    expect(result.log).not.toContain('::error');
  });

  it('deploy-service: cluster, service, and task-definition-arn (a new revision to roll out)', async () => {
    const fixture = await sidecarBackend();
    const doc = JSON.parse(readFileSync(path.join(EXAMPLE_APP, 'taskdef', 'sidecar.json'), 'utf8'));
    doc.containerDefinitions[0].environment = [{ name: 'RELEASE', value: 'r2' }];
    const v2 = (await suite.ecs.send(new RegisterTaskDefinitionCommand(doc))).taskDefinition!
      .taskDefinitionArn!;
    const service = fixture.services[0]!.name;
    const { result, outputs } = await runAction('deploy-service', {
      cluster: fixture.cluster,
      service,
      'task-definition-arn': v2
    });
    expectSuccess(result);
    expectAllOutputs('deploy-service', outputs);
    // wait true and wait-until completed (defaults): the step ends with the rollout done.
    expect(outputs).toMatchObject({ 'rollout-state': 'COMPLETED', 'task-definition-arn': v2 });
    expect(outputs['deployment-id']).toMatch(/^ecs-svc\//);
    const after = (
      await suite.ecs.send(new DescribeServicesCommand({ cluster: fixture.cluster, services: [service] }))
    ).services![0]!;
    expect(after.taskDefinition).toBe(v2);
    expect(after.deployments?.map((d) => [d.status, d.rolloutState])).toEqual([['PRIMARY', 'COMPLETED']]);
  });

  it('run-task: cluster, task-definition, and service (for its network configuration)', async () => {
    const fixture = await seedBackend(suite.world.local, { topology: 'split', desiredCount: 1 });
    const { result, outputs } = await runAction('run-task', {
      cluster: fixture.cluster,
      'task-definition': 'twotier-api',
      service: 'twotier-api'
    });
    expectSuccess(result);
    expectAllOutputs('run-task', outputs);
    // wait true (default): the step waited for the task to stop, and its container exited 0.
    expect(outputs['exit-code']).toBe('0');
    const task = (
      await suite.ecs.send(
        new DescribeTasksCommand({ cluster: fixture.cluster, tasks: [outputs['task-arn']!] })
      )
    ).tasks![0]!;
    expect(task.lastStatus).toBe('STOPPED');
    expect(task.taskDefinitionArn).toMatch(/task-definition\/twotier-api:1$/);
    expect(task.group).not.toMatch(/^service:/);
  });

  it('continue-deployment: cluster and service (it answers the one hook awaiting action)', async () => {
    const bg = await pausedBlueGreen();
    const before = await describeServiceDeployment(suite.ecs, bg.arn);
    const hook = before.lifecycleHookDetails!.find((h) => h.status === 'AWAITING_ACTION')!;
    const { result, outputs } = await runAction('continue-deployment', {
      cluster: bg.cluster,
      service: bg.service
    });
    expectSuccess(result);
    expectAllOutputs('continue-deployment', outputs);
    // action CONTINUE, wait true, wait-until completed (defaults).
    // hook-id is the next hook paused at, when wait-until is paused: none here.
    expect(outputs).toMatchObject({ 'service-deployment-arn': bg.arn, status: 'SUCCESSFUL', 'hook-id': '' });
    const answered = suite.world.local.ecs.requests.filter(
      (r) => r.operation === 'ContinueServiceDeployment'
    );
    expect(answered.map((r) => r.body)).toEqual([
      { serviceDeploymentArn: bg.arn, hookId: hook.hookId, action: 'CONTINUE' }
    ]);
    const after = await describeService(suite.ecs, bg.cluster, bg.service);
    expect(after.taskDefinition).toBe(bg.v2);
    expect((await describeServiceDeployment(suite.ecs, bg.arn)).status).toBe('SUCCESSFUL');
  });

  it('stop-deployment: cluster and service (it rolls the current deployment back)', async () => {
    const bg = await pausedBlueGreen();
    const { result, outputs } = await runAction('stop-deployment', {
      cluster: bg.cluster,
      service: bg.service
    });
    expectSuccess(result);
    expectAllOutputs('stop-deployment', outputs);
    // stop-type ROLLBACK and wait true (defaults): the service is back on revision 1 when the step ends.
    expect(outputs).toMatchObject({ 'service-deployment-arn': bg.arn, status: 'ROLLBACK_SUCCESSFUL' });
    const after = await describeService(suite.ecs, bg.cluster, bg.service);
    expect(after.taskDefinition).toBe(bg.v1);
    expect((await currentServiceDeployment(suite.ecs, bg.cluster, bg.service)).status).toMatch(
      /ROLLBACK_SUCCESSFUL|SUCCESSFUL/
    );
  });

  it('rollback: cluster and service (none is required, but it needs a service or a bucket)', async () => {
    const cluster = 'rb';
    const service = 'web';
    const v1 = await createService(suite.ecs, {
      cluster,
      service,
      family: 'web',
      image: 'web:1',
      desiredCount: 2
    });
    await waitForCompleted(suite.ecs, cluster, service);
    const v2 = (await suite.ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('web', 'web:2'))))
      .taskDefinition!.taskDefinitionArn!;
    await suite.ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: v2 }));
    await waitForCompleted(suite.ecs, cluster, service);
    const { result, outputs } = await runAction('rollback', { cluster, service });
    expectSuccess(result);
    expectAllOutputs('rollback', outputs);
    // No bucket: the frontend is left alone. wait true (default): the service is back on revision 1.
    expect(outputs).toMatchObject({
      'task-definition-arn': v1,
      'frontend-release-id': '',
      'dry-run': 'false'
    });
    const after = await describeService(suite.ecs, cluster, service);
    expect(after.taskDefinition).toBe(v1);
    expect(after.deployments?.map((d) => [d.status, d.rolloutState])).toEqual([['PRIMARY', 'COMPLETED']]);
    // Nothing in flight, so no StopServiceDeployment: an UpdateService back to the source revision.
    const ops = suite.world.local.ecs.requests.map((r) => r.operation);
    expect(ops).not.toContain('StopServiceDeployment');
    expect(ops.filter((o) => o === 'UpdateService')).toHaveLength(2);
  });

  it('deploy-stack: stack-name and template', async () => {
    const template = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Description: act test stack',
      'Resources:',
      '  Site:',
      '    Type: AWS::S3::Bucket',
      '    Properties:',
      '      BucketName: twotier-act-stack-site',
      'Outputs:',
      '  SiteBucket:',
      '    Value: !Ref Site'
    ].join('\n');
    const { result, outputs } = await runAction(
      'deploy-stack',
      { 'stack-name': 'twotier-act', template: 'stack.yml' },
      { 'stack.yml': `${template}\n` }
    );
    expectSuccess(result);
    expect(Object.keys(outputs).sort()).toEqual(expect.arrayContaining(declaredOutputs('deploy-stack')));
    expect(outputs).toMatchObject({ changed: 'true', status: 'CREATE_COMPLETE' });
    expect(outputs['change-set-id']).toMatch(/changeSet\/twotier-/); // create-without-change-set false
    const stack = (await suite.cfn.send(new DescribeStacksCommand({ StackName: 'twotier-act' }))).Stacks![0]!;
    expect(stack.StackId).toBe(outputs['stack-id']);
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    await suite.s3.send(new HeadBucketCommand({ Bucket: 'twotier-act-stack-site' }));
  });

  it('upload-frontend: source-dir and bucket', async () => {
    await suite.s3.send(new CreateBucketCommand({ Bucket: 'act-site' }));
    await suite.s3.send(new PutObjectCommand({ Bucket: 'act-site', Key: 'old.html', Body: 'stale' }));
    const { result, outputs } = await runAction(
      'upload-frontend',
      { 'source-dir': 'site', bucket: 'act-site' },
      {
        'site/index.html': '<!doctype html><script src="/assets/index-a1B2c3D4.js"></script>',
        'site/assets/index-a1B2c3D4.js': 'console.log("act")'
      }
    );
    expectSuccess(result);
    expectAllOutputs('upload-frontend', outputs);
    expect(outputs).toMatchObject({ 'uploaded-count': '2', 'deleted-count': '0', 'dry-run': 'false' });
    // A first upload of these keys makes no cached copy stale.
    expect(JSON.parse(outputs['changed-paths']!)).toEqual([]);
    const head = (key: string) => suite.s3.send(new HeadObjectCommand({ Bucket: 'act-site', Key: key }));
    // cache-control spa (default): HTML revalidated, hashed assets immutable.
    expect((await head('index.html')).CacheControl).toMatch(/no-cache/);
    expect((await head('assets/index-a1B2c3D4.js')).CacheControl).toMatch(/immutable/);
    expect((await head('index.html')).ContentType).toMatch(/^text\/html/);
    // delete false (default): the stale object stays; the manifest goes to the default key.
    const keys = (await suite.s3.send(new ListObjectsV2Command({ Bucket: 'act-site' })))
      .Contents!.map((o) => o.Key)
      .sort();
    expect(keys).toEqual(['.twotier/manifest.json', 'assets/index-a1B2c3D4.js', 'index.html', 'old.html']);
    const manifest = await suite.s3.send(
      new GetObjectCommand({ Bucket: 'act-site', Key: '.twotier/manifest.json' })
    );
    expect(await manifest.Body!.transformToString()).toContain('index.html');
  });

  it('invalidate-cdn: distribution-id (no paths given: nothing to invalidate)', async () => {
    const { distributionId } = await seedFrontend(suite.world.local);
    const { result, outputs } = await runAction('invalidate-cdn', { 'distribution-id': distributionId });
    expectSuccess(result);
    expectAllOutputs('invalidate-cdn', outputs);
    expect(outputs).toMatchObject({ 'invalidation-id': '', status: 'skipped' });
    const list = await suite.cloudfront.send(
      new ListInvalidationsCommand({ DistributionId: distributionId })
    );
    expect(list.InvalidationList?.Quantity ?? 0).toBe(0);
  });
});
