/**
 * The ECS rollout simulator driven by the real @aws-sdk/client-ecs over HTTP: rollouts, failure scenarios,
 * the circuit breaker and rollback.
 */
import { afterAll, beforeAll, beforeEach, describe as group, expect, test } from '@jest/globals';
import {
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service
} from '@aws-sdk/client-ecs';
import {
  breakerThreshold,
  startEcsSimulator,
  type EcsSimulator
} from '../../src/local/ecs-simulator/index.js';
import {
  createServiceWith,
  describe,
  ecsClient,
  messages,
  serviceTasks,
  taskDefinition,
  waitFor
} from './ecs-simulator-helpers.js';

let sim: EcsSimulator;
let ecs: ECSClient;
const cluster = 'sim';

beforeAll(async () => {
  sim = await startEcsSimulator({ taskPhaseMs: 50, steadyStateMs: 600 }); // a steady-state hold long enough that a loaded machine still sees the states a rollback passes through
  ecs = ecsClient(sim.endpoint);
});
afterAll(async () => {
  ecs.destroy();
  await sim.stop();
});
beforeEach(() => sim.reset());

const primary = (s: Service) => s.deployments?.find((d) => d.status === 'PRIMARY');
const completed = (s: Service) => primary(s)?.rolloutState === 'COMPLETED';

async function register(family: string, image: string): Promise<string> {
  const out = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(family, image)));
  return out.taskDefinition?.taskDefinitionArn as string;
}

group('successful rollout', () => {
  test('CreateService reaches COMPLETED with started, completed and steady-state events', async () => {
    await createServiceWith(ecs, {
      cluster,
      service: 'web',
      family: 'web',
      image: 'nginx:1',
      desiredCount: 2
    });
    const first = await describe(ecs, cluster, 'web');
    expect(first.deployments).toHaveLength(1);
    expect(first.deployments?.[0]).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS',
      desiredCount: 2
    });
    expect(first.deployments?.[0]?.id).toMatch(/^ecs-svc\/\d{19}$/);
    const done = await waitFor(() => describe(ecs, cluster, 'web'), completed);
    const d = primary(done);
    expect(d).toMatchObject({ runningCount: 2, pendingCount: 0, failedTasks: 0 });
    expect(d?.rolloutStateReason).toBe(`ECS deployment ${d?.id} completed.`);
    expect(done.runningCount).toBe(2);
    const m = messages(done);
    expect(m[0]).toBe('(service web) has reached a steady state.');
    expect(m[1]).toBe(`(service web) (deployment ${d?.id}) deployment completed.`);
    expect(m[2]).toMatch(
      /^\(service web\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/
    );
  });

  test('UpdateService with a new revision: new PRIMARY, old tasks stopped once new ones run, old deployment removed', async () => {
    await createServiceWith(ecs, { cluster, service: 'api', family: 'api', image: 'api:1', desiredCount: 2 });
    const before = await waitFor(() => describe(ecs, cluster, 'api'), completed);
    const oldId = primary(before)?.id;
    const oldTasks = await serviceTasks(ecs, cluster, 'api', 'RUNNING');
    expect(oldTasks).toHaveLength(2);
    const v2 = await register('api', 'api:2');
    const updated = await ecs.send(new UpdateServiceCommand({ cluster, service: 'api', taskDefinition: v2 }));
    const deployments = updated.service?.deployments ?? [];
    expect(deployments.map((x) => x.status)).toEqual(['PRIMARY', 'ACTIVE']);
    expect(deployments[0]).toMatchObject({
      taskDefinition: v2,
      rolloutState: 'IN_PROGRESS',
      runningCount: 0
    });
    expect(deployments[1]?.id).toBe(oldId);
    const newId = deployments[0]?.id as string;

    // While the new tasks start, the old ones keep running (minimumHealthyPercent 100).
    const mid = await waitFor(
      () => describe(ecs, cluster, 'api'),
      (s) => (s.deployments?.[0]?.pendingCount ?? 0) > 0
    );
    expect(mid.deployments?.[1]?.runningCount).toBe(2);

    const after = await waitFor(
      () => describe(ecs, cluster, 'api'),
      (s) => completed(s) && primary(s)?.id === newId
    );
    expect(after.deployments).toHaveLength(1);
    expect(after.taskDefinition).toBe(v2);
    const stopped = await serviceTasks(ecs, cluster, 'api', 'STOPPED');
    expect(stopped.map((t) => t.taskArn).sort()).toEqual(oldTasks.map((t) => t.taskArn).sort());
    for (const t of stopped) {
      expect(t).toMatchObject({
        lastStatus: 'STOPPED',
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: `Scaling activity initiated by (deployment ${newId})`
      });
      expect(t.stoppedAt).toBeInstanceOf(Date);
    }
    const running = await serviceTasks(ecs, cluster, 'api', 'RUNNING');
    expect(running.map((t) => t.taskDefinitionArn)).toEqual([v2, v2]);
    expect(running.every((t) => t.startedBy === newId && t.group === 'service:api')).toBe(true);
    expect(messages(after).some((m) => /^\(service api\) has stopped 2 running tasks: /.test(m))).toBe(true);
  });

  test('forceNewDeployment starts a new deployment of the same revision; desiredCount alone does not', async () => {
    const v1 = await createServiceWith(ecs, {
      cluster,
      service: 'f',
      family: 'f',
      image: 'f:1',
      desiredCount: 1
    });
    await waitFor(() => describe(ecs, cluster, 'f'), completed);
    const scaled = await ecs.send(new UpdateServiceCommand({ cluster, service: 'f', desiredCount: 3 }));
    expect(scaled.service?.deployments).toHaveLength(1);
    expect(scaled.service?.deployments?.[0]?.desiredCount).toBe(3);
    const forced = await ecs.send(
      new UpdateServiceCommand({ cluster, service: 'f', forceNewDeployment: true })
    );
    expect(forced.service?.deployments?.map((d) => [d.status, d.taskDefinition])).toEqual([
      ['PRIMARY', v1],
      ['ACTIVE', v1]
    ]);
    const done = await waitFor(
      () => describe(ecs, cluster, 'f'),
      (s) => completed(s) && s.deployments?.length === 1
    );
    expect(done.runningCount).toBe(3);
  });
});

group('failure scenarios', () => {
  async function firstStopped(service: string) {
    const [task] = await waitFor(
      () => serviceTasks(ecs, cluster, service, 'STOPPED'),
      (tasks) => tasks.some((t) => t.lastStatus === 'STOPPED')
    );
    return task!;
  }

  test('image-pull-failure: TaskFailedToStart with CannotPullContainerError naming the image', async () => {
    sim.addFailure({ image: 'api:missing', scenario: 'image-pull-failure' });
    await createServiceWith(ecs, {
      cluster,
      service: 's',
      family: 'api',
      image: 'repo/api:missing',
      desiredCount: 1
    });
    const task = await firstStopped('s');
    expect(task.startedAt).toBeUndefined();
    expect(task.stopCode).toBe('TaskFailedToStart');
    expect(task.stoppedReason).toBe(
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref repo/api:missing: not found'
    );
    expect(task.containers?.[0]).toMatchObject({
      name: 'app',
      lastStatus: 'STOPPED',
      reason: task.stoppedReason
    });
    const s = await waitFor(
      () => describe(ecs, cluster, 's'),
      (x) => (primary(x)?.failedTasks ?? 0) >= 2
    );
    expect(primary(s)?.rolloutState).toBe('IN_PROGRESS');
  });

  test('missing-secret: ResourceInitializationError naming the SSM parameter', async () => {
    sim.addFailure({ family: 'sec', scenario: 'missing-secret' });
    await ecs.send(
      new RegisterTaskDefinitionCommand(
        taskDefinition('sec', 'api:1', {
          containerDefinitions: [
            {
              name: 'app',
              image: 'api:1',
              secrets: [{ name: 'DB_PASSWORD', valueFrom: '/prod/db/password' }]
            }
          ]
        })
      )
    );
    await createServiceWith(ecs, { cluster, service: 'sec', family: 'other', image: 'x:1', desiredCount: 1 });
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'sec', taskDefinition: 'sec' }));
    const task = await waitFor(
      () => serviceTasks(ecs, cluster, 'sec', 'STOPPED'),
      (tasks) => tasks.some((t) => t.stopCode === 'TaskFailedToStart')
    ).then((tasks) => tasks.find((t) => t.stopCode === 'TaskFailedToStart')!);
    expect(task.stoppedReason).toMatch(
      /^ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: .*ParameterNotFound.*\/prod\/db\/password/
    );
  });

  test('essential-container-exit: RUNNING, then EssentialContainerExited with the exit code', async () => {
    sim.addFailure({ image: 'crash', scenario: 'essential-container-exit', exitCode: 3 });
    await createServiceWith(ecs, { cluster, service: 'c', family: 'c', image: 'crash:1', desiredCount: 1 });
    const task = await firstStopped('c');
    expect(task.startedAt).toBeInstanceOf(Date);
    expect(task).toMatchObject({
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited'
    });
    expect(task.containers?.[0]).toMatchObject({ name: 'app', exitCode: 3, lastStatus: 'STOPPED' });
    expect(task.containers?.[0]?.reason).toBeUndefined();
  });

  test('essential-container-exit with 137 reports OutOfMemoryError', async () => {
    sim.addFailure({ image: 'hungry', scenario: 'essential-container-exit', exitCode: 137 });
    await createServiceWith(ecs, { cluster, service: 'o', family: 'o', image: 'hungry:1', desiredCount: 1 });
    const task = await firstStopped('o');
    expect(task.containers?.[0]).toMatchObject({
      exitCode: 137,
      reason: 'OutOfMemoryError: Container killed due to memory usage'
    });
  });

  test('health-check-failure: stopped for failing ELB health checks, with the unhealthy event', async () => {
    const tg = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef';
    sim.addFailure({ image: 'sick', scenario: 'health-check-failure' });
    await createServiceWith(ecs, {
      cluster,
      service: 'h',
      family: 'h',
      image: 'sick:1',
      desiredCount: 1,
      extra: { loadBalancers: [{ targetGroupArn: tg, containerName: 'app', containerPort: 8000 }] }
    });
    const task = await firstStopped('h');
    expect(task.startedAt).toBeInstanceOf(Date);
    expect(task.stoppedReason).toBe(`Task failed ELB health checks in (target-group ${tg})`);
    const s = await describe(ecs, cluster, 'h');
    expect(messages(s)).toContain(
      `(service h) (port 8000) is unhealthy in (target-group ${tg}) due to (reason Health checks failed).`
    );
    expect(primary(s)?.failedTasks).toBeGreaterThanOrEqual(1);
  });

  test('never-healthy: tasks stay PENDING and the deployment stays IN_PROGRESS', async () => {
    sim.addFailure({ family: 'stuck', scenario: 'never-healthy' });
    await createServiceWith(ecs, { cluster, service: 'st', family: 'stuck', image: 'st:1', desiredCount: 2 });
    const s = await waitFor(
      () => describe(ecs, cluster, 'st'),
      (x) => x.pendingCount === 2
    );
    // Several phases later nothing has moved on.
    await new Promise((r) => setTimeout(r, 400));
    const later = await describe(ecs, cluster, 'st');
    expect(later).toMatchObject({ pendingCount: 2, runningCount: 0 });
    expect(primary(later)).toMatchObject({ rolloutState: 'IN_PROGRESS', failedTasks: 0 });
    const tasks = await serviceTasks(ecs, cluster, 'st', 'RUNNING');
    expect(tasks.map((t) => t.lastStatus)).toEqual(['PENDING', 'PENDING']);
    expect(s.deployments).toHaveLength(1);
  });
});

group('circuit breaker', () => {
  test('threshold is half the desired count rounded up, clamped to [3, 200]', () => {
    expect([1, 4, 10, 500].map(breakerThreshold)).toEqual([3, 3, 5, 200]);
  });

  test('desiredCount 1: the deployment fails at exactly 3 failed tasks and stops launching', async () => {
    sim.addFailure({ image: 'bad', scenario: 'image-pull-failure' });
    await createServiceWith(ecs, {
      cluster,
      service: 'b1',
      family: 'b1',
      image: 'bad:1',
      desiredCount: 1,
      breaker: { enable: true, rollback: false }
    });
    const s = await waitFor(
      () => describe(ecs, cluster, 'b1'),
      (x) => primary(x)?.rolloutState === 'FAILED'
    );
    const d = primary(s)!;
    expect(d.failedTasks).toBe(3);
    expect(d.rolloutStateReason).toBe('ECS deployment circuit breaker: tasks failed to start.');
    expect(messages(s)).toContain(
      `(service b1) (deployment ${d.id}) deployment failed: tasks failed to start.`
    );
    expect(sim.failedAt(d.id as string)).toEqual(expect.any(Number));
    // No rollback target (first deployment) and no new launches.
    await new Promise((r) => setTimeout(r, 300));
    const later = await describe(ecs, cluster, 'b1');
    expect(later.deployments).toHaveLength(1);
    expect(primary(later)?.failedTasks).toBe(3);
    expect(await serviceTasks(ecs, cluster, 'b1', 'RUNNING')).toHaveLength(0);
  });

  test('desiredCount 10: IN_PROGRESS below 5 failed tasks, FAILED at or above', async () => {
    sim.addFailure({ image: 'bad', scenario: 'essential-container-exit' });
    await createServiceWith(ecs, {
      cluster,
      service: 'b10',
      family: 'b10',
      image: 'bad:1',
      desiredCount: 10,
      breaker: { enable: true, rollback: false }
    });
    const seen: { failed: number; state?: string }[] = [];
    await waitFor(
      async () => {
        const d = primary(await describe(ecs, cluster, 'b10'));
        seen.push({ failed: d?.failedTasks ?? 0, state: d?.rolloutState });
        return d;
      },
      (d) => d?.rolloutState === 'FAILED'
    );
    expect(seen.every((x) => x.state !== 'FAILED' || x.failed >= 5)).toBe(true);
    expect(seen.every((x) => x.failed >= 5 || x.state === 'IN_PROGRESS')).toBe(true);
  });

  test('rollback: PRIMARY of the last COMPLETED task definition while the failed deployment shows FAILED', async () => {
    const v1 = await createServiceWith(ecs, {
      cluster,
      service: 'rb',
      family: 'rb',
      image: 'rb:1',
      desiredCount: 2,
      breaker: { enable: true, rollback: true }
    });
    await waitFor(() => describe(ecs, cluster, 'rb'), completed);
    const v2 = await register('rb', 'rb:2');
    sim.addFailure({ taskDefinitionArn: v2, scenario: 'image-pull-failure' });
    const update = await ecs.send(new UpdateServiceCommand({ cluster, service: 'rb', taskDefinition: v2 }));
    const failedId = update.service?.deployments?.[0]?.id as string;

    const s = await waitFor(
      () => describe(ecs, cluster, 'rb'),
      (x) => (x.deployments ?? []).some((d) => d.rolloutState === 'FAILED')
    );
    const failed = s.deployments?.find((d) => d.id === failedId);
    expect(failed).toMatchObject({
      status: 'ACTIVE',
      taskDefinition: v2,
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
    });
    const rollback = primary(s)!;
    expect(rollback).toMatchObject({ taskDefinition: v1, rolloutState: 'IN_PROGRESS' });
    expect(rollback.id).not.toBe(failedId);
    expect(s.taskDefinition).toBe(v1);
    expect(messages(s)).toContain(`(service rb) rolling back to deployment ${rollback.id}.`);
    expect(messages(s)).toContain(
      `(service rb) (deployment ${failedId}) deployment failed: tasks failed to start.`
    );

    const done = await waitFor(
      () => describe(ecs, cluster, 'rb'),
      (x) => completed(x) && primary(x)?.id === rollback.id
    );
    expect(done.deployments).toHaveLength(1);
    expect(done.runningCount).toBe(2);
  });

  test('no breaker: failing tasks are replaced and the deployment stays IN_PROGRESS', async () => {
    sim.addFailure({ image: 'bad', scenario: 'image-pull-failure' });
    await createServiceWith(ecs, { cluster, service: 'nb', family: 'nb', image: 'bad:1', desiredCount: 1 });
    const s = await waitFor(
      () => describe(ecs, cluster, 'nb'),
      (x) => (primary(x)?.failedTasks ?? 0) >= 5
    );
    expect(primary(s)?.rolloutState).toBe('IN_PROGRESS');
    expect(sim.failedAt(primary(s)?.id as string)).toBeUndefined();
  });
});
