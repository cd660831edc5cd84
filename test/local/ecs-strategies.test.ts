/**
 * BLUE_GREEN, LINEAR and CANARY deployments in the simulator: lifecycle stages in AWS's order, traffic weights
 * per stage, bake times (simulated minutes of `minuteMs`), PAUSE hooks with ContinueServiceDeployment and
 * timeouts, Lambda hooks answered by the scenario (`setHookAnswer`), and rollbacks to the blue deployment.
 */
import { afterAll, beforeAll, beforeEach, describe as group, expect, test } from '@jest/globals';
import {
  ContinueServiceDeploymentCommand,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type DeploymentConfiguration,
  type ECSClient,
  type Service,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { startEcsSimulator, type EcsSimulator } from '../../src/local/ecs-simulator/index.js';
import { expectConformance, keepExchanges } from '../helpers/botocore-model.js';
import { describe, ecsClient, serviceTasks, taskDefinition, waitFor } from './ecs-simulator-helpers.js';
import {
  LAMBDA_ROLE,
  advancedLoadBalancer,
  createService,
  describeServiceDeployment,
  followServiceDeployment
} from './service-deployment-helpers.js';

let sim: EcsSimulator;
let ecs: ECSClient;
const cluster = 'bg';
const kept = keepExchanges(() => sim);
const HOOK = 'arn:aws:lambda:us-east-1:123456789012:function:validate';

beforeAll(async () => {
  sim = await startEcsSimulator({ taskPhaseMs: 40, minuteMs: 30 });
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

/** A service on `config`'s strategy, steady on v1, then updated to v2; returns the v2 service deployment ARN. */
async function deployV2(
  service: string,
  config: DeploymentConfiguration
): Promise<{ arn: string; before: Service }> {
  await createService(ecs, {
    cluster,
    service,
    family: service,
    image: `${service}:1`,
    desiredCount: 2,
    deploymentConfiguration: config,
    extra: { loadBalancers: [advancedLoadBalancer] }
  });
  const before = await waitFor(() => describe(ecs, cluster, service), completed);
  const v2 = (await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(service, `${service}:2`))))
    .taskDefinition!.taskDefinitionArn!;
  const out = await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: v2 }));
  return { arn: out.service!.currentServiceDeployment!, before };
}

const weights = (sd: ServiceDeployment) => ({
  target: [
    sd.targetServiceRevision?.requestedProductionTrafficWeight,
    sd.targetServiceRevision?.requestedTestTrafficWeight
  ],
  source: [
    sd.sourceServiceRevisions?.[0]?.requestedProductionTrafficWeight,
    sd.sourceServiceRevisions?.[0]?.requestedTestTrafficWeight
  ]
});

/** Waits for a PAUSE hook awaiting action; returns the deployment then. */
const paused = (arn: string) =>
  followServiceDeployment(
    ecs,
    arn,
    (x) => x.lifecycleHookDetails?.some((h) => h.status === 'AWAITING_ACTION') ?? false
  ).then((f) => f.last);

group('BLUE_GREEN', () => {
  test('stages in AWS order; green scales up while blue serves; test then production traffic; blue cleaned up', async () => {
    const pause = { targetType: 'PAUSE' as const, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT' as const] };
    const { arn, before } = await deployV2('g', {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 10, // 300 ms: long enough for the 20 ms poll to see BAKE_TIME on a loaded host
      lifecycleHooks: [pause]
    });
    const atPause = await paused(arn);
    expect(atPause).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' });
    expect(weights(atPause)).toEqual({ target: [0, 100], source: [100, 0] });
    expect(atPause.targetServiceRevision).toMatchObject({ requestedTaskCount: 2, runningTaskCount: 2 });
    expect(atPause.sourceServiceRevisions?.[0]).toMatchObject({ runningTaskCount: 2 }); // blue still runs
    const hook = atPause.lifecycleHookDetails![0]!;
    expect(hook).toMatchObject({ targetType: 'PAUSE', status: 'AWAITING_ACTION', timeoutAction: 'ROLLBACK' });
    expect(hook.hookId).toMatch(/^ecs-pause-[A-Za-z0-9_-]{43}$/);
    expect(hook.targetArn).toBeUndefined();
    expect(hook.expiresAt!.getTime() - Date.now()).toBeGreaterThan(0);
    await ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: arn,
        hookId: hook.hookId!,
        action: 'CONTINUE'
      })
    );

    const { last, stages, seen } = await followServiceDeployment(ecs, arn, (x) => x.status === 'SUCCESSFUL');
    const order = [
      'PRE_SCALE_UP',
      'SCALE_UP',
      'POST_SCALE_UP',
      'TEST_TRAFFIC_SHIFT',
      'POST_TEST_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'POST_PRODUCTION_TRAFFIC_SHIFT',
      'BAKE_TIME',
      'CLEAN_UP'
    ];
    const indices = stages.map((s) => order.indexOf(s));
    expect(indices).toEqual([...indices].sort((a, b) => a - b)); // never out of order
    expect(stages).toContain('BAKE_TIME');
    const baking = seen.filter((x) => x.lifecycleStage === 'BAKE_TIME');
    expect(baking.length).toBeGreaterThan(0);
    expect(weights(baking[0]!)).toEqual({ target: [100, 100], source: [0, 0] });
    expect(baking[0]!.sourceServiceRevisions?.[0]?.runningTaskCount).toBe(2); // both run during bake time
    expect(last.lifecycleHookDetails?.[0]?.status).toBe('SUCCEEDED');
    const done = await waitFor(() => describe(ecs, cluster, 'g'), completed);
    expect(done.deployments).toHaveLength(1);
    expect(primary(done)?.id).not.toBe(primary(before)?.id);
    expect((await serviceTasks(ecs, cluster, 'g', 'RUNNING')).length).toBe(2);
  });

  test('a PAUSE hook answered ROLLBACK brings blue back with its old id and scales green in', async () => {
    const pause = { targetType: 'PAUSE' as const, lifecycleStages: ['POST_SCALE_UP' as const] };
    const { arn, before } = await deployV2('gr', {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      lifecycleHooks: [pause]
    });
    const atPause = await paused(arn);
    await ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: arn,
        hookId: atPause.lifecycleHookDetails![0]!.hookId!,
        action: 'ROLLBACK'
      })
    );
    const { last } = await followServiceDeployment(ecs, arn, (x) => x.status === 'ROLLBACK_SUCCESSFUL');
    expect(last.rollback?.serviceRevisionArn).toBe(atPause.sourceServiceRevisions?.[0]?.arn);
    expect(weights(last)).toEqual({ target: [0, 0], source: [100, 100] });
    const s = await waitFor(() => describe(ecs, cluster, 'gr'), completed);
    expect(s.deployments?.map((d) => d.id)).toEqual([primary(before)?.id]);
    await expect(
      ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: 'ecs-pause-x' }))
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  test('a PAUSE hook that times out applies its action: CONTINUE goes on (TIMED_OUT)', async () => {
    const pause = {
      targetType: 'PAUSE' as const,
      lifecycleStages: ['PRE_SCALE_UP' as const],
      timeoutConfiguration: { timeoutInMinutes: 2, action: 'CONTINUE' as const }
    };
    const { arn } = await deployV2('gt', {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 0,
      lifecycleHooks: [pause]
    });
    const { seen, last } = await followServiceDeployment(ecs, arn, (x) => x.status === 'SUCCESSFUL');
    expect(seen.some((x) => x.lifecycleHookDetails?.[0]?.status === 'TIMED_OUT')).toBe(true);
    expect(last.status).toBe('SUCCESSFUL');
  });

  test('a PAUSE hook that times out with the default action ROLLBACK rolls back', async () => {
    const pause = {
      targetType: 'PAUSE' as const,
      lifecycleStages: ['POST_PRODUCTION_TRAFFIC_SHIFT' as const],
      timeoutConfiguration: { timeoutInMinutes: 1 }
    };
    const { arn } = await deployV2('gtr', {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 0,
      lifecycleHooks: [pause]
    });
    const { last } = await followServiceDeployment(ecs, arn, (x) => x.status === 'ROLLBACK_SUCCESSFUL');
    expect(last.statusReason).toMatch(/timed out/);
  });
});

group('Lambda hooks', () => {
  const lambda = (stages: string[]) => ({
    targetType: 'AWS_LAMBDA' as const,
    hookTargetArn: HOOK,
    roleArn: LAMBDA_ROLE,
    lifecycleStages: stages as ['PRE_SCALE_UP'],
    hookDetails: { suite: 'smoke' }
  });

  test('IN_PROGRESS then SUCCEEDED: invoked again after callBackDelay, with the returned hookDetails', async () => {
    sim.setHookAnswer(HOOK, [
      { hookStatus: 'IN_PROGRESS', callBackDelay: 30, hookDetails: { attempt: 1 } },
      { hookStatus: 'SUCCEEDED' }
    ]);
    const { arn } = await deployV2('l1', {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 0,
      lifecycleHooks: [lambda(['POST_TEST_TRAFFIC_SHIFT'])]
    });
    await followServiceDeployment(ecs, arn, (x) => x.status === 'SUCCESSFUL');
    const calls = sim.hookInvocations.filter((i) => i.serviceDeploymentArn === arn);
    expect(calls.map((c) => c.lifecycleStage)).toEqual([
      'POST_TEST_TRAFFIC_SHIFT',
      'POST_TEST_TRAFFIC_SHIFT'
    ]);
    expect(calls[0]!.payload.hookDetails).toEqual({ suite: 'smoke' });
    expect(calls[1]!.payload.hookDetails).toEqual({ attempt: 1 });
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(15 - 1); // 30 s of a 30 ms minute
    const sd = await describeServiceDeployment(ecs, arn);
    expect(calls[0]!.payload.targetServiceRevisionArn).toBe(sd.targetServiceRevision?.arn);
    expect(calls[0]!.payload.testTrafficWeights[sd.targetServiceRevision!.arn!]).toBe(100);
    expect(calls[0]!.payload.productionTrafficWeights[sd.targetServiceRevision!.arn!]).toBe(0);
  });

  test('FAILED rolls back; the hook details say FAILED', async () => {
    sim.setHookAnswer(HOOK, { hookStatus: 'FAILED' });
    const { arn } = await deployV2('l2', {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 0,
      lifecycleHooks: [lambda(['PRE_SCALE_UP'])]
    });
    const { last } = await followServiceDeployment(ecs, arn, (x) => x.status === 'ROLLBACK_SUCCESSFUL');
    expect(last.lifecycleHookDetails?.[0]).toMatchObject({
      targetType: 'AWS_LAMBDA',
      targetArn: HOOK,
      status: 'FAILED'
    });
    expect(last.statusReason).toMatch(/returned FAILED/);
  });

  test('a function without an answer fails like a missing function and rolls back', async () => {
    const { arn } = await deployV2('l3', {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 0,
      lifecycleHooks: [lambda(['POST_SCALE_UP'])]
    });
    const { last } = await followServiceDeployment(ecs, arn, (x) => x.status === 'ROLLBACK_SUCCESSFUL');
    expect(last.statusReason).toMatch(/Function not found/);
  });
});

group('LINEAR and CANARY', () => {
  const recorder = { targetType: 'AWS_LAMBDA' as const, hookTargetArn: HOOK, roleArn: LAMBDA_ROLE };

  test('LINEAR shifts production traffic in steps, hooks run before and at every step, bake between steps', async () => {
    sim.setHookAnswer(HOOK, { hookStatus: 'SUCCEEDED' });
    const { arn } = await deployV2('lin', {
      strategy: 'LINEAR',
      linearConfiguration: { stepPercent: 40, stepBakeTimeInMinutes: 1 },
      lifecycleHooks: [
        { ...recorder, lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'] }
      ]
    });
    const { seen } = await followServiceDeployment(ecs, arn, (x) => x.status === 'SUCCESSFUL');
    const calls = sim.hookInvocations.filter((i) => i.serviceDeploymentArn === arn);
    const target = seen[0]!.targetServiceRevision!.arn!;
    expect(calls.map((c) => [c.lifecycleStage, c.payload.productionTrafficWeights[target]])).toEqual([
      ['PRE_PRODUCTION_TRAFFIC_SHIFT', 0],
      ['PRODUCTION_TRAFFIC_SHIFT', 40],
      ['PRE_PRODUCTION_TRAFFIC_SHIFT', 40],
      ['PRODUCTION_TRAFFIC_SHIFT', 80],
      ['PRE_PRODUCTION_TRAFFIC_SHIFT', 80],
      ['PRODUCTION_TRAFFIC_SHIFT', 100]
    ]);
    const source = seen[0]!.sourceServiceRevisions![0]!.arn!;
    expect(calls[1]!.payload.productionTrafficWeights[source]).toBe(60);
    // The step bake (1 simulated minute = 30 ms) separates the steps.
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(29);
  });

  test('CANARY shifts canaryPercent, bakes, then the rest', async () => {
    sim.setHookAnswer(HOOK, { hookStatus: 'SUCCEEDED' });
    const { arn } = await deployV2('can', {
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 },
      lifecycleHooks: [{ ...recorder, lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] }]
    });
    const { seen } = await followServiceDeployment(ecs, arn, (x) => x.status === 'SUCCESSFUL');
    const target = seen[0]!.targetServiceRevision!.arn!;
    const calls = sim.hookInvocations.filter((i) => i.serviceDeploymentArn === arn);
    expect(calls.map((c) => c.payload.productionTrafficWeights[target])).toEqual([10, 100]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(59);
    expect(seen.some((x) => x.targetServiceRevision?.requestedProductionTrafficWeight === 10)).toBe(true);
  });
});
