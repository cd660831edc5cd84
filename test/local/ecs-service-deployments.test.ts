/**
 * The simulator's ServiceDeployment API and rolling deployments as real ECS shows them: service deployments
 * and revisions, the rolling rollback that brings the old deployment id back (with the failed deployment still
 * reading IN_PROGRESS for a moment), StopServiceDeployment, and the 2026 circuit breaker (resetOnHealthyTask,
 * thresholdConfiguration). Driven by the real @aws-sdk/client-ecs; every exchange is checked against botocore's
 * model at the end.
 */
import { afterAll, beforeAll, beforeEach, describe as group, expect, test } from '@jest/globals';
import {
  ConflictException,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  InvalidParameterException,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  ServiceDeploymentNotFoundException,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service
} from '@aws-sdk/client-ecs';
import { startEcsSimulator, type EcsSimulator } from '../../src/local/ecs-simulator/index.js';
import { failureThreshold } from '../../src/local/ecs-simulator/breaker.js';
import { expectConformance, keepExchanges } from '../helpers/botocore-model.js';
import { describe, ecsClient, messages, taskDefinition, waitFor } from './ecs-simulator-helpers.js';
import {
  createService,
  currentServiceDeployment,
  followServiceDeployment
} from './service-deployment-helpers.js';

let sim: EcsSimulator;
let ecs: ECSClient;
const cluster = 'sd';
const kept = keepExchanges(() => sim);

beforeAll(async () => {
  sim = await startEcsSimulator({ taskPhaseMs: 50, steadyStateMs: 600 }); // a steady-state hold long enough that a loaded machine still sees the states a rollback passes through
  ecs = ecsClient(sim.endpoint);
});
afterAll(async () => {
  ecs.destroy();
  await sim.stop();
  expectConformance(kept.all());
});
beforeEach(() => {
  kept.save();
  sim.reset();
});

const primary = (s: Service) => s.deployments?.find((d) => d.status === 'PRIMARY');
const completed = (s: Service) => primary(s)?.rolloutState === 'COMPLETED';
const register = async (family: string, image: string) =>
  (await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(family, image)))).taskDefinition!
    .taskDefinitionArn!;
const sdArn = (id: string) =>
  new RegExp(`^arn:aws:ecs:us-east-1:123456789012:service-deployment/${cluster}/${id}/[A-Za-z0-9]{21}$`);

group('service deployments and revisions', () => {
  test('CreateService and UpdateService each start a service deployment; the service names the current one', async () => {
    const v1 = await createService(ecs, {
      cluster,
      service: 'web',
      family: 'web',
      image: 'web:1',
      desiredCount: 2
    });
    const created = await describe(ecs, cluster, 'web');
    expect(created.currentServiceDeployment).toMatch(sdArn('web'));
    expect(created.currentServiceRevisions).toEqual([
      {
        arn: expect.stringMatching(/^arn:aws:ecs:us-east-1:123456789012:service-revision\/sd\/web\/\d{19}$/),
        requestedTaskCount: 2,
        runningTaskCount: expect.any(Number),
        pendingTaskCount: expect.any(Number)
      }
    ]);
    const first = await followServiceDeployment(
      ecs,
      created.currentServiceDeployment!,
      (x) => x.status === 'SUCCESSFUL'
    );
    expect(first.last).toMatchObject({
      serviceArn: created.serviceArn,
      clusterArn: created.clusterArn,
      sourceServiceRevisions: [],
      targetServiceRevision: {
        arn: created.currentServiceRevisions![0]!.arn,
        requestedTaskCount: 2,
        runningTaskCount: 2
      },
      deploymentCircuitBreaker: { status: 'DISABLED', failureCount: 0, threshold: 3 },
      alarms: { status: 'DISABLED', alarmNames: [], triggeredAlarmNames: [] },
      lifecycleStage: 'CLEAN_UP'
    });
    expect(first.stages).toEqual(expect.arrayContaining(['SCALE_UP', 'CLEAN_UP']));
    expect(first.last.finishedAt!.getTime()).toBeGreaterThanOrEqual(first.last.startedAt!.getTime());

    const v2 = await register('web', 'web:2');
    const updated = await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: v2 }));
    expect(updated.service?.currentServiceDeployment).not.toBe(created.currentServiceDeployment);
    expect(updated.service?.currentServiceRevisions).toHaveLength(2);
    const second = await followServiceDeployment(
      ecs,
      updated.service!.currentServiceDeployment!,
      (x) => x.status === 'SUCCESSFUL'
    );
    expect(second.last.sourceServiceRevisions?.map((r) => r.arn)).toEqual([
      first.last.targetServiceRevision!.arn
    ]);
    expect(second.last.sourceServiceRevisions?.[0]).toMatchObject({
      requestedTaskCount: 0,
      runningTaskCount: 0
    });

    const revisions = await ecs.send(
      new DescribeServiceRevisionsCommand({
        serviceRevisionArns: [
          first.last.targetServiceRevision!.arn!,
          second.last.targetServiceRevision!.arn!,
          'arn:aws:ecs:us-east-1:123456789012:service-revision/sd/web/1'
        ]
      })
    );
    expect(revisions.serviceRevisions?.map((r) => r.taskDefinition)).toEqual([v1, v2]);
    expect(revisions.serviceRevisions?.[1]).toMatchObject({
      launchType: 'FARGATE',
      containerImages: [{ containerName: 'app', image: 'web:2' }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'DISABLED' } }
    });
    expect(revisions.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:123456789012:service-revision/sd/web/1', reason: 'MISSING' }
    ]);
  });

  test('ListServiceDeployments: newest first, filters by status and createdAt, pages; Describe reports unknown ARNs', async () => {
    await createService(ecs, { cluster, service: 'l', family: 'l', image: 'l:1', desiredCount: 1 });
    await waitFor(() => describe(ecs, cluster, 'l'), completed);
    for (const forced of [1, 2]) {
      await ecs.send(new UpdateServiceCommand({ cluster, service: 'l', forceNewDeployment: true }));
      expect(forced).toBeGreaterThan(0);
    }
    const all = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'l' }));
    expect(all.serviceDeployments).toHaveLength(3);
    const [newest, middle, oldest] = all.serviceDeployments!;
    expect(newest!.createdAt!.getTime()).toBeGreaterThanOrEqual(middle!.createdAt!.getTime());
    expect(oldest!.status).toBe('SUCCESSFUL');
    expect(middle!.status).toBe('STOPPED'); // replaced by the newest before it finished
    expect(newest!.targetServiceRevisionArn).toMatch(/service-revision\/sd\/l\/\d{19}$/);
    const successful = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service: 'l', status: ['SUCCESSFUL'] })
    );
    expect(successful.serviceDeployments?.map((d) => d.serviceDeploymentArn)).toEqual([
      oldest!.serviceDeploymentArn
    ]);
    const before = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster,
        service: 'l',
        createdAt: { before: new Date(oldest!.createdAt!.getTime() + 1) }
      })
    );
    expect(before.serviceDeployments?.map((d) => d.serviceDeploymentArn)).toEqual([
      oldest!.serviceDeploymentArn
    ]);
    const page1 = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'l', maxResults: 2 }));
    expect(page1.serviceDeployments).toHaveLength(2);
    const page2 = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service: 'l', maxResults: 2, nextToken: page1.nextToken })
    );
    expect(page2.serviceDeployments?.map((d) => d.serviceDeploymentArn)).toEqual([
      oldest!.serviceDeploymentArn
    ]);
    expect(page2.nextToken).toBeUndefined();
    const ghost = `${oldest!.serviceDeploymentArn!.slice(0, -21)}AAAAAAAAAAAAAAAAAAAAA`;
    const described = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [oldest!.serviceDeploymentArn!, ghost] })
    );
    expect(described.serviceDeployments).toHaveLength(1);
    expect(described.failures).toEqual([{ arn: ghost, reason: 'MISSING' }]);
    await expect(
      ecs.send(
        new DescribeServiceDeploymentsCommand({
          serviceDeploymentArns: Array.from({ length: 21 }, () => ghost)
        })
      )
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

group('rolling rollback as real ECS shows it', () => {
  test('the last COMPLETED deployment comes back as PRIMARY with its old id; ours reads IN_PROGRESS once, then FAILED', async () => {
    await createService(ecs, {
      cluster,
      service: 'rb',
      family: 'rb',
      image: 'rb:1',
      desiredCount: 2,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } }
    });
    const before = await waitFor(() => describe(ecs, cluster, 'rb'), completed);
    const oldId = primary(before)!.id!;
    const v2 = await register('rb', 'rb:2');
    sim.addFailure({ taskDefinitionArn: v2, scenario: 'image-pull-failure' });
    const update = await ecs.send(new UpdateServiceCommand({ cluster, service: 'rb', taskDefinition: v2 }));
    const oursId = update.service!.deployments![0]!.id!;
    const sdArnOurs = update.service!.currentServiceDeployment!;

    // The first answer after the rollback started: the old deployment is PRIMARY again, ours still IN_PROGRESS.
    const flipped = await waitFor(
      () => describe(ecs, cluster, 'rb'),
      (s) => primary(s)?.id === oldId,
      10000
    );
    const oursThen = flipped.deployments!.find((d) => d.id === oursId)!;
    expect(oursThen).toMatchObject({ status: 'ACTIVE', rolloutState: 'IN_PROGRESS' });
    expect(primary(flipped)).toMatchObject({
      rolloutState: 'IN_PROGRESS',
      taskDefinition: before.taskDefinition
    });
    expect(primary(flipped)!.rolloutStateReason).toBe(
      `ECS deployment circuit breaker: rolling back to deploymentId ${oldId}.`
    );
    expect(primary(flipped)!.createdAt!.getTime()).toBeLessThan(oursThen.createdAt!.getTime());
    expect(messages(flipped)).toContain(`(service rb) rolling back to deployment ${oldId}.`);
    expect(messages(flipped)).toContain(
      `(service rb) (deployment ${oursId}) deployment failed: tasks failed to start.`
    );
    expect(flipped.currentServiceDeployment).toBe(sdArnOurs);

    const next = await describe(ecs, cluster, 'rb');
    expect(next.deployments!.find((d) => d.id === oursId)).toMatchObject({
      status: 'ACTIVE',
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
    });

    const followed = await followServiceDeployment(ecs, sdArnOurs, (x) => x.status === 'ROLLBACK_SUCCESSFUL');
    const statuses = [...new Set(followed.seen.map((x) => x.status))];
    expect(statuses.filter((x) => x !== 'ROLLBACK_REQUESTED')).toEqual([
      'ROLLBACK_IN_PROGRESS',
      'ROLLBACK_SUCCESSFUL'
    ]);
    expect(followed.last).toMatchObject({
      statusReason: 'ECS deployment circuit breaker: tasks failed to start.',
      rollback: {
        reason: 'ECS deployment circuit breaker: tasks failed to start.',
        serviceRevisionArn: before.currentServiceRevisions![0]!.arn
      },
      deploymentCircuitBreaker: { status: 'TRIGGERED', threshold: 3 }
    });
    const done = await waitFor(() => describe(ecs, cluster, 'rb'), completed);
    expect(done.deployments!.map((d) => d.id)).toEqual([oldId]);
    expect(done.taskDefinition).toBe(before.taskDefinition);
  });

  test('without rollback the failed deployment is FAILED and its service deployment STOPPED', async () => {
    await createService(ecs, {
      cluster,
      service: 'nr',
      family: 'nr',
      image: 'nr:1',
      desiredCount: 1,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } }
    });
    await waitFor(() => describe(ecs, cluster, 'nr'), completed);
    const v2 = await register('nr', 'nr:2');
    sim.addFailure({ taskDefinitionArn: v2, scenario: 'essential-container-exit' });
    const update = await ecs.send(new UpdateServiceCommand({ cluster, service: 'nr', taskDefinition: v2 }));
    const followed = await followServiceDeployment(
      ecs,
      update.service!.currentServiceDeployment!,
      (x) => x.status === 'STOPPED'
    );
    expect(followed.last.stoppedAt).toBeInstanceOf(Date);
    expect(followed.last.rollback).toBeUndefined();
    const s = await describe(ecs, cluster, 'nr');
    expect(primary(s)).toMatchObject({ taskDefinition: v2, rolloutState: 'FAILED' });
  });

  test('StopServiceDeployment ROLLBACK rolls back a healthy but unwanted deployment; ABORT and finished ones are refused', async () => {
    sim.addFailure({ image: 'slow', scenario: 'never-healthy' });
    await createService(ecs, { cluster, service: 'st', family: 'st', image: 'st:1', desiredCount: 1 });
    const before = await waitFor(() => describe(ecs, cluster, 'st'), completed);
    const v2 = await register('st', 'slow:2');
    const update = await ecs.send(new UpdateServiceCommand({ cluster, service: 'st', taskDefinition: v2 }));
    const arn = update.service!.currentServiceDeployment!;
    await expect(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ABORT' }))
    ).rejects.toBeInstanceOf(InvalidParameterException);
    const stopped = await ecs.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' })
    );
    expect(stopped.serviceDeploymentArn).toBe(arn);
    const followed = await followServiceDeployment(ecs, arn, (x) => x.status === 'ROLLBACK_SUCCESSFUL');
    expect(followed.last.rollback?.serviceRevisionArn).toBe(before.currentServiceRevisions![0]!.arn);
    expect(primary(await describe(ecs, cluster, 'st'))?.id).toBe(primary(before)?.id);
    await expect(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn }))
    ).rejects.toBeInstanceOf(ConflictException);
    await expect(
      ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: `${arn.slice(0, -21)}BBBBBBBBBBBBBBBBBBBBB`
        })
      )
    ).rejects.toBeInstanceOf(ServiceDeploymentNotFoundException);
  });
});

group('circuit breaker (2026)', () => {
  test('threshold: BOUNDED_PERCENT clamps to [3, 200], UNBOUNDED_PERCENT does not, COUNT is the value', () => {
    expect([1, 4, 10, 500].map((n) => failureThreshold(n))).toEqual([3, 3, 5, 200]);
    expect(failureThreshold(10, { type: 'BOUNDED_PERCENT', value: 20 })).toBe(3);
    expect(failureThreshold(1000, { type: 'BOUNDED_PERCENT', value: 30 })).toBe(200);
    expect(failureThreshold(10, { type: 'UNBOUNDED_PERCENT', value: 20 })).toBe(2);
    expect(failureThreshold(1000, { type: 'UNBOUNDED_PERCENT', value: 30 })).toBe(300);
    expect(failureThreshold(10, { type: 'COUNT', value: 1 })).toBe(1);
  });

  test('COUNT 2 fails a 10-task deployment at its second failed task, which the default (5) would not', async () => {
    sim.addFailure({ image: 'two-bad', scenario: 'image-pull-failure', nth: [1, 2] });
    await createService(ecs, {
      cluster,
      service: 'c2',
      family: 'c2',
      image: 'two-bad:1',
      desiredCount: 10,
      deploymentConfiguration: {
        deploymentCircuitBreaker: {
          enable: true,
          rollback: false,
          thresholdConfiguration: { type: 'COUNT', value: 2 }
        }
      }
    });
    const s = await waitFor(
      () => describe(ecs, cluster, 'c2'),
      (x) => primary(x)?.rolloutState === 'FAILED'
    );
    expect(primary(s)!.failedTasks).toBe(2);
    const sd = await currentServiceDeployment(ecs, cluster, 'c2');
    expect(sd.deploymentCircuitBreaker).toMatchObject({ status: 'TRIGGERED', failureCount: 2, threshold: 2 });
    expect(sd.status).toBe('STOPPED');
  });

  test('the same two failures under the default threshold: the deployment completes', async () => {
    sim.addFailure({ image: 'two-bad', scenario: 'image-pull-failure', nth: [1, 2] });
    await createService(ecs, {
      cluster,
      service: 'c5',
      family: 'c5',
      image: 'two-bad:1',
      desiredCount: 10,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } }
    });
    const s = await waitFor(() => describe(ecs, cluster, 'c5'), completed);
    expect(primary(s)!.failedTasks).toBe(0); // reset by the healthy tasks
  });

  // Tasks start one at a time (maximumPercent 150 of 2); the 1st and 3rd new task fail, the 2nd and 4th run.
  const alternating = async (service: string, resetOnHealthyTask: boolean) => {
    await createService(ecs, {
      cluster,
      service,
      family: service,
      image: `${service}:1`,
      desiredCount: 2,
      deploymentConfiguration: {
        maximumPercent: 150,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: {
          enable: true,
          rollback: true,
          resetOnHealthyTask,
          thresholdConfiguration: { type: 'COUNT', value: 2 }
        }
      }
    });
    await waitFor(() => describe(ecs, cluster, service), completed);
    const v2 = await register(service, `${service}:2`);
    sim.addFailure({ taskDefinitionArn: v2, scenario: 'image-pull-failure', nth: [1, 3] });
    const update = await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: v2 }));
    return followServiceDeployment(
      ecs,
      update.service!.currentServiceDeployment!,
      (x) => x.status === 'SUCCESSFUL' || x.status === 'ROLLBACK_SUCCESSFUL'
    );
  };

  test('resetOnHealthyTask (default true): a healthy task resets the count, so failures 1 and 3 never reach 2', async () => {
    const { last } = await alternating('reset', true);
    expect(last.status).toBe('SUCCESSFUL');
    expect(last.deploymentCircuitBreaker).toMatchObject({ status: 'MONITORING_COMPLETE', failureCount: 0 });
  });

  test('resetOnHealthyTask false: failures add up across healthy tasks and the second one trips the breaker', async () => {
    const { last } = await alternating('cumulative', false);
    expect(last.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(last.deploymentCircuitBreaker).toMatchObject({ status: 'TRIGGERED', threshold: 2 });
  });

  test('the rollback deployment is not rolled back again: its own failure ends in ROLLBACK_FAILED', async () => {
    const v1 = await createService(ecs, {
      cluster,
      service: 'rf',
      family: 'rf',
      image: 'rf:1',
      desiredCount: 1,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } }
    });
    await waitFor(() => describe(ecs, cluster, 'rf'), completed);
    // From now on new tasks of both revisions fail; minimumHealthyPercent 0 lets the v2 deployment stop the
    // running v1 task at once, so the rollback to v1 has to start new (failing) tasks.
    const v2 = await register('rf', 'rf:2');
    sim.addFailure({ taskDefinitionArn: v2, scenario: 'image-pull-failure' });
    sim.addFailure({ taskDefinitionArn: v1, scenario: 'image-pull-failure' });
    const update = await ecs.send(
      new UpdateServiceCommand({
        cluster,
        service: 'rf',
        taskDefinition: v2,
        deploymentConfiguration: { minimumHealthyPercent: 0 }
      })
    );
    const { last } = await followServiceDeployment(
      ecs,
      update.service!.currentServiceDeployment!,
      (x) => x.status === 'ROLLBACK_FAILED',
      20000
    );
    expect(last.statusReason).toMatch(/The rollback failed: ECS deployment circuit breaker/);
  });
});

test('DescribeServices keeps its shape: no strategy invented, breaker as sent', async () => {
  await createService(ecs, {
    cluster,
    service: 'shape',
    family: 'shape',
    image: 'shape:1',
    desiredCount: 1,
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true, resetOnHealthyTask: false }
    }
  });
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: ['shape'] }));
  expect(out.services?.[0]?.deploymentConfiguration).toEqual({
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    deploymentCircuitBreaker: { enable: true, rollback: true, resetOnHealthyTask: false }
  });
});
