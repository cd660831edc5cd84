/**
 * Conformance to botocore's ECS model: the validator catches what it should (unknown members, wrong types,
 * enum values, required members, unmodelled errors); a tour through every operation the simulator implements
 * conforms; and so do the requests the action bundles send (register-task-definition with fields passed through
 * on purpose, deploy-service through a completed rollout and a circuit-breaker rollback, run-task) and the
 * simulator's answers to them.
 */
import { afterAll, beforeAll, describe as group, expect, test } from '@jest/globals';
import {
  CreateClusterCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopServiceDeploymentCommand,
  StopTaskCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  ContinueServiceDeploymentCommand,
  type ECSClient
} from '@aws-sdk/client-ecs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEcsSimulator, type EcsSimulator } from '../../src/local/ecs-simulator/index.js';
import { startLocalAws, type LocalAws } from '../../src/local/local-aws.js';
import { seedBackend } from '../../src/demo/backend-fixture.js';
import { conformanceProblems, expectConformance } from '../helpers/botocore-model.js';
import { runActionBundle } from '../helpers/action.js';
import { imageByDigest, pushTestImages } from '../ecs/ecr-images.js';
import { describe, ecsClient, taskDefinition, waitFor } from './ecs-simulator-helpers.js';
import {
  advancedLoadBalancer,
  createService,
  followServiceDeployment
} from './service-deployment-helpers.js';

group('the validator', () => {
  const at = (operation: string, status: number, request: unknown, response: unknown) =>
    conformanceProblems({
      requests: [{ operation, body: request }],
      responses: [{ operation, status, body: response }]
    });

  test('finds unknown members, wrong types, enum values and missing required members', () => {
    const problems = at(
      'DescribeServices',
      200,
      { services: ['a'], includes: ['TAGS'] },
      {
        services: [
          { serviceName: 'a', createdAt: '2026-01-01T00:00:00Z', launchType: 'LAMBDA', desiredCount: 1.5 }
        ],
        failures: [],
        extra: true
      }
    );
    expect(problems.sort()).toEqual(
      [
        'REQUEST DescribeServices includes: unknown member: DescribeServicesRequest has no member includes',
        'RESPONSE DescribeServices extra: unknown member: DescribeServicesResponse has no member extra',
        'RESPONSE DescribeServices services[0].createdAt: wrong type: expected epoch seconds (a number), got "2026-01-01T00:00:00Z"',
        'RESPONSE DescribeServices services[0].desiredCount: wrong type: expected an integer, got 1.5',
        'RESPONSE DescribeServices services[0].launchType: enum: "LAMBDA" is not one of EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES'
      ].sort()
    );
    expect(at('ContinueServiceDeployment', 200, { hookId: 'h' }, {})).toEqual([
      'REQUEST ContinueServiceDeployment serviceDeploymentArn: required: serviceDeploymentArn is required'
    ]);
  });

  test('allows only the listed pass-through task-definition fields, and only modelled error types', () => {
    const register = (body: unknown) =>
      at('RegisterTaskDefinition', 200, body, { taskDefinition: { family: 'f' }, tags: [] });
    const base = { family: 'f', containerDefinitions: [{ name: 'c', image: 'i' }] };
    expect(register({ ...base, futureTopLevelField: { on: true } })).toEqual([]);
    expect(
      register({ ...base, containerDefinitions: [{ name: 'c', image: 'i', futureContainerField: 1 }] })
    ).toEqual([]);
    expect(register({ ...base, somethingElse: 1 })).toHaveLength(1);
    expect(
      at(
        'UpdateService',
        400,
        { service: 's' },
        { __type: 'ServiceNotFoundException', message: 'Service not found.' }
      )
    ).toEqual([]);
    expect(
      at('UpdateService', 400, { service: 's' }, { __type: 'ResourceNotFoundException', message: 'x' })
    ).toEqual([
      'RESPONSE UpdateService error: ResourceNotFoundException is not a modelled error of the operation'
    ]);
  });
});

group('a tour of every operation the simulator implements', () => {
  let sim: EcsSimulator;
  let ecs: ECSClient;
  beforeAll(async () => {
    sim = await startEcsSimulator({ taskPhaseMs: 30, minuteMs: 10 });
    ecs = ecsClient(sim.endpoint);
  });
  afterAll(async () => {
    ecs.destroy();
    await sim.stop();
  });

  test('all requests and answers conform, and every operation was called successfully', async () => {
    const cluster = 'tour';
    const v1 = await createService(ecs, {
      cluster,
      service: 'web',
      family: 'web',
      image: 'web:1',
      desiredCount: 2,
      deploymentConfiguration: {
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: 1,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_SCALE_UP'] }]
      },
      extra: { loadBalancers: [advancedLoadBalancer], tags: [{ key: 'team', value: 'web' }] }
    });
    await waitFor(
      () => describe(ecs, cluster, 'web'),
      (s) => s.deployments?.[0]?.rolloutState === 'COMPLETED'
    );
    const v2 = (await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('web', 'web:2'))))
      .taskDefinition!.taskDefinitionArn!;
    const updated = await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: v2 }));
    const arn = updated.service!.currentServiceDeployment!;
    const paused = await followServiceDeployment(
      ecs,
      arn,
      (x) => x.lifecycleHookDetails?.[0]?.status === 'AWAITING_ACTION'
    );
    await ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: arn,
        hookId: paused.last.lifecycleHookDetails![0]!.hookId!
      })
    );
    await followServiceDeployment(ecs, arn, (x) => x.status === 'SUCCESSFUL');
    const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'web' }));
    const described = await ecs.send(
      new DescribeServiceDeploymentsCommand({
        serviceDeploymentArns: list.serviceDeployments!.map((d) => d.serviceDeploymentArn!)
      })
    );
    await ecs.send(
      new DescribeServiceRevisionsCommand({
        serviceRevisionArns: described.serviceDeployments!.map((d) => d.targetServiceRevision!.arn!)
      })
    );
    const v3 = (await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('web', 'web:3'))))
      .taskDefinition!.taskDefinitionArn!;
    const third = await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: v3 }));
    await ecs.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: third.service!.currentServiceDeployment! })
    );
    await followServiceDeployment(
      ecs,
      third.service!.currentServiceDeployment!,
      (x) => x.status === 'ROLLBACK_SUCCESSFUL'
    );

    await ecs.send(new DescribeClustersCommand({ clusters: [cluster, 'ghost'], include: ['TAGS'] }));
    await ecs.send(new ListClustersCommand({}));
    await ecs.send(new ListServicesCommand({ cluster }));
    await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: v1, include: ['TAGS'] }));
    await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', sort: 'DESC' }));
    const run = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: v1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
        overrides: { containerOverrides: [{ name: 'app', command: ['flask', 'db', 'upgrade'] }] }
      })
    );
    const tasks = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'web' }));
    await ecs.send(
      new DescribeTasksCommand({
        cluster,
        tasks: [...tasks.taskArns!, run.tasks![0]!.taskArn!],
        include: ['TAGS']
      })
    );
    await ecs.send(new StopTaskCommand({ cluster, task: run.tasks![0]!.taskArn!, reason: 'tour' }));
    await ecs.send(
      new TagResourceCommand({ resourceArn: updated.service!.serviceArn!, tags: [{ key: 'k', value: 'v' }] })
    );
    await ecs.send(new ListTagsForResourceCommand({ resourceArn: updated.service!.serviceArn! }));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: v3 }));
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'web', force: true }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'second' }));

    expectConformance(sim);
    const succeeded = new Set(sim.responses.filter((r) => r.status === 200).map((r) => r.operation));
    expect(sim.operations.filter((op) => !succeeded.has(op))).toEqual([]);
  });
});

group('the action bundles against the simulator', () => {
  let local: LocalAws;
  beforeAll(async () => {
    local = await startLocalAws({ taskPhaseMs: 60 });
  });
  afterAll(async () => {
    await local?.stop();
  });

  test('register-task-definition, deploy-service (completed and rolled back) and run-task requests and answers conform', async () => {
    const fixture = await seedBackend(local, { topology: 'sidecar', desiredCount: 2 });
    await pushTestImages(local, {
      'twotier/api': ['bootstrap', 'candidate'],
      'twotier/web': ['bootstrap', 'candidate']
    });
    const sidecar = fixture.services[0]!;
    const api = imageByDigest('twotier/api', 'candidate');
    const fast = { 'poll-interval-seconds': '1', 'timeout-minutes': '1' };

    // Fields unknown to the model, passed through on purpose (the allowed exception of the request check).
    const dir = mkdtempSync(path.join(tmpdir(), 'td-'));
    const doc = JSON.parse(readFileSync(sidecar.taskDefinitionFile, 'utf8'));
    doc.futureTopLevelField = { mode: 'on' };
    doc.containerDefinitions[0].futureContainerField = 42;
    writeFileSync(`${dir}/td.json`, JSON.stringify(doc));
    const registered = await runActionBundle(
      'register-task-definition',
      { 'task-definition': `${dir}/td.json`, images: `api=${api}` },
      local.env
    );
    expect(registered.code).toBe(0);
    const deployed = await runActionBundle(
      'deploy-service',
      {
        ...fast,
        cluster: fixture.cluster,
        service: sidecar.name,
        'task-definition-arn': registered.outputs['task-definition-arn']!
      },
      local.env
    );
    expect(deployed.code).toBe(0);

    const broken = imageByDigest('twotier/web', 'candidate');
    local.ecs.addFailure({ image: broken, scenario: 'image-pull-failure' });
    const again = await runActionBundle(
      'register-task-definition',
      { 'task-definition': sidecar.taskDefinitionFile, images: `web=${broken}` },
      local.env
    );
    const failed = await runActionBundle(
      'deploy-service',
      {
        ...fast,
        cluster: fixture.cluster,
        service: sidecar.name,
        'task-definition-arn': again.outputs['task-definition-arn']!
      },
      local.env
    );
    expect(failed.code).toBe(1);
    expect(failed.errors.join('\n')).toMatch(/ECS (is rolling back|rolled back) to/);

    local.ecs.clearFailures(); // the migration runs the latest revision, the one with the broken image
    const migrated = await runActionBundle(
      'run-task',
      {
        ...fast,
        cluster: fixture.cluster,
        'task-definition': 'twotier-sidecar',
        service: sidecar.name,
        container: 'api',
        command: '["python", "-m", "app.migrate"]'
      },
      local.env
    );
    expect(migrated.code).toBe(0);
    expect(local.ecs.requests.some((r) => r.operation === 'RunTask')).toBe(true);
    expectConformance(local.ecs);
  });
});
