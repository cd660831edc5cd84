/**
 * The strategy × outcome matrix of the ECS bundles, run as the runner runs them (node dist/<name>/index.js
 * on Node 24, INPUT_*, GITHUB_OUTPUT): deploy-service, continue-deployment and stop-deployment against one
 * local AWS per test file (the ECS simulator for ECS, moto for the CloudWatch alarms it reads).
 *
 * Each row of the table is one outcome (`CELLS`); each strategy file (rolling/blue-green/linear/canary
 * .bundle.test.ts) runs every row for its strategy through {@link strategyMatrix}. What differs per strategy
 * (where a deployment can be held, where a hook runs, what cannot happen at all) is in `PROFILES`, so a
 * cell reads the same for every strategy:
 * - success: deploy-service exits 0, SUCCESSFUL at CLEAN_UP, rolloutState COMPLETED;
 * - circuit-breaker rollback: the new image cannot be pulled; the breaker trips at its threshold (3 of 2
 *   tasks: BOUNDED_PERCENT 50 clamps to 3), the step fails at the first ROLLBACK_* with failures/threshold;
 * - alarm rollback: while the deployment is held (bake time, a linear step, the canary), the test puts the
 *   deployment alarm in ALARM with SetAlarmState on moto's CloudWatch; the step names the alarm;
 * - lifecycle hook failure: a Lambda hook answers FAILED; the step names the hook and its stage;
 * - hook timeout: a hook that never finishes times out (timeout action ROLLBACK);
 * - paused then continued / rolled back: deploy-service `wait-until: paused` stops at a PAUSE hook at
 *   POST_TEST_TRAFFIC_SHIFT with its hook-id, then the continue-deployment bundle answers CONTINUE (the
 *   deployment completes) or ROLLBACK (the rollback settles);
 * - stopped by stop-deployment: while deploy-service waits, the stop-deployment bundle stops the held
 *   deployment (ROLLBACK); stop-deployment exits 0 at ROLLBACK_SUCCESSFUL, deploy-service exits 1;
 * - wait-until traffic-shifted: deploy-service exits 0 once production traffic is all on v2, in a long
 *   BAKE_TIME (ROLLING shifts no traffic: there it waits until the deployment is SUCCESSFUL).
 * After each rollback the service runs v1 again, under its old deployment id (ECS's rollback shape).
 *
 * Which cells do not apply (`notApplicable` of a profile): ROLLING has no lifecycle hooks at all — ECS runs
 * hooks only for BLUE_GREEN, LINEAR and CANARY, a ROLLING deployment has no hook or test-traffic stages
 * (SCALE_UP, BAKE_TIME while alarms are watched, CLEAN_UP: REFERENCE.md §7, src/local/ecs-simulator/plan.ts)
 * and CreateService refuses `lifecycleHooks` with ROLLING. So its hook failure, hook timeout and both paused
 * cells cannot happen; their tests assert that refusal, and that `wait-until: paused` on a ROLLING service
 * waits until the deployment completes.
 *
 * Timing: a task phase is 150 ms and a simulated minute 400 ms; a deployment that must be held (for the alarm
 * and the stop) waits 60 simulated minutes (24 s), far more than the test needs to act; everything else is
 * decided by order (polls of the service deployment), never by wall-clock time.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  ECSClient,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  type DeploymentConfiguration,
  type DeploymentLifecycleHook,
  type LoadBalancer,
  type Service,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { startLocalAws, type LocalAws } from '../../../src/local/local-aws.js';
import type { HookAnswerSource } from '../../../src/local/ecs-simulator/index.js';
import { runActionBundle, type ActionRun } from '../../helpers/action.js';
import { errorText } from '../../helpers/bad-inputs.js';
import { describe as describeService, taskDefinition, waitFor } from '../../local/ecs-simulator-helpers.js';
import { LAMBDA_ROLE, TG, advancedLoadBalancer } from '../../local/service-deployment-helpers.js';

export type Strategy = 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';

/** The outcomes of the matrix, in the order of issue 10. */
export const CELLS = [
  'success',
  'circuit-breaker rollback',
  'alarm rollback',
  'lifecycle hook failure',
  'hook timeout',
  'paused then continued',
  'paused then rolled back',
  'stopped by stop-deployment',
  'wait-until traffic-shifted'
] as const;
export type Cell = (typeof CELLS)[number];

export const TASK_PHASE_MS = 150;
export const MINUTE_MS = 400;
/** Simulated minutes a held deployment waits (24 s of wall-clock time at MINUTE_MS). */
export const HOLD_MINUTES = 60;
export const CLUSTER = 'matrix';
export const SERVICE = 'app';
const FAMILY = 'matrix-app';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/matrix/app';
export const ALARM = 'matrix-app-5xx';
export const HOOK_FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:validate';
const SD_ARN = /^arn:aws:ecs:us-east-1:123456789012:service-deployment\/matrix\/app\/[A-Za-z0-9]+$/;
const ROLLING_BACK = /^ROLLBACK_(REQUESTED|IN_PROGRESS|SUCCESSFUL)$/;

export const lambda = (
  stages: DeploymentLifecycleHook['lifecycleStages'],
  timeoutInMinutes?: number
): DeploymentLifecycleHook => ({
  targetType: 'AWS_LAMBDA',
  hookTargetArn: HOOK_FUNCTION,
  roleArn: LAMBDA_ROLE,
  lifecycleStages: stages,
  ...(timeoutInMinutes ? { timeoutConfiguration: { timeoutInMinutes, action: 'ROLLBACK' } } : {})
});
export const pause = (timeoutInMinutes?: number): DeploymentLifecycleHook => ({
  targetType: 'PAUSE',
  lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
  ...(timeoutInMinutes ? { timeoutConfiguration: { timeoutInMinutes, action: 'ROLLBACK' } } : {})
});

/** A hook scenario of a strategy: the hooks, what the Lambda answers, the stage the deployment fails at. */
interface HookCase {
  hooks: DeploymentLifecycleHook[];
  answer?: HookAnswerSource;
  stage: string;
  /** The reason the step must print. */
  reason: RegExp;
  /** Lambda invocations expected before the failure (with the production weight each one saw). */
  invocations?: number[];
}

/** What one strategy does differently. */
interface Profile {
  /** deploymentConfiguration of a deployment that runs through quickly (bakes of 1 simulated minute). */
  fast: DeploymentConfiguration;
  /** Changes to `fast` that hold the deployment for HOLD_MINUTES, and where it waits then. */
  held: DeploymentConfiguration;
  holdStage: string;
  /** The target's production traffic weight while held (LINEAR and CANARY hold between shifts). */
  holdWeight?: number;
  hookFailure?: HookCase;
  hookTimeout?: HookCase;
  /** Cells that cannot happen with this strategy, and why. */
  notApplicable: Partial<Record<Cell, string>>;
}

const NO_HOOKS_ON_ROLLING =
  'ECS runs lifecycle hooks only for BLUE_GREEN, LINEAR and CANARY deployments: a ROLLING deployment has no hook stages and no test traffic stages (SCALE_UP, BAKE_TIME while alarms are watched, CLEAN_UP), and CreateService refuses lifecycleHooks with ROLLING';

const HOOK_FAILED = (stage: string) =>
  new RegExp(
    `lifecycle hook rollback: lifecycle hook ecs-lambda-\\S+ ${HOOK_FUNCTION} \\(AWS_LAMBDA\\) answered FAILED \\(Lifecycle hook \\S+ \\(${HOOK_FUNCTION}\\) at ${stage} returned FAILED`
  );
const TIMED_OUT = (type: 'PAUSE' | 'AWS_LAMBDA', stage: string) =>
  new RegExp(
    `lifecycle hook rollback: lifecycle hook ecs-${type === 'PAUSE' ? 'pause' : 'lambda'}-\\S+${type === 'PAUSE' ? '' : ` ${HOOK_FUNCTION}`} \\(${type}\\) timed out, its timeout action is ROLLBACK \\(Lifecycle hook \\S+ at ${stage} timed out after 2 minute\\(s\\)`
  );

export const PROFILES: Record<Strategy, Profile> = {
  ROLLING: {
    fast: { strategy: 'ROLLING' },
    // With deployment alarms a ROLLING deployment bakes while they are watched: Period × EvaluationPeriods of
    // the alarm (60 s × 60 here), i.e. HOLD_MINUTES.
    held: {},
    holdStage: 'BAKE_TIME',
    notApplicable: {
      'lifecycle hook failure': NO_HOOKS_ON_ROLLING,
      'hook timeout': NO_HOOKS_ON_ROLLING,
      'paused then continued': NO_HOOKS_ON_ROLLING,
      'paused then rolled back': NO_HOOKS_ON_ROLLING
    }
  },
  BLUE_GREEN: {
    fast: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 },
    held: { bakeTimeInMinutes: HOLD_MINUTES },
    holdStage: 'BAKE_TIME',
    hookFailure: {
      hooks: [lambda(['POST_SCALE_UP'])],
      answer: { hookStatus: 'FAILED' },
      stage: 'POST_SCALE_UP',
      reason: HOOK_FAILED('POST_SCALE_UP'),
      invocations: [0]
    },
    // A PAUSE nobody answers: TIMED_OUT after 2 simulated minutes, its timeout action ROLLBACK.
    hookTimeout: {
      hooks: [pause(2)],
      stage: 'POST_TEST_TRAFFIC_SHIFT',
      reason: TIMED_OUT('PAUSE', 'POST_TEST_TRAFFIC_SHIFT')
    },
    notApplicable: {}
  },
  LINEAR: {
    fast: {
      strategy: 'LINEAR',
      bakeTimeInMinutes: 1,
      linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 }
    },
    held: { linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: HOLD_MINUTES } },
    holdStage: 'PRODUCTION_TRAFFIC_SHIFT',
    holdWeight: 50,
    // The PRODUCTION_TRAFFIC_SHIFT hook runs at every step: it passes the 50 % step and fails the 100 % one.
    hookFailure: {
      hooks: [lambda(['PRODUCTION_TRAFFIC_SHIFT'])],
      answer: [{ hookStatus: 'SUCCEEDED' }, { hookStatus: 'FAILED' }],
      stage: 'PRODUCTION_TRAFFIC_SHIFT',
      reason: HOOK_FAILED('PRODUCTION_TRAFFIC_SHIFT'),
      invocations: [50, 100]
    },
    // A Lambda that keeps answering IN_PROGRESS (asked again every 30 simulated seconds) until its 2 minutes are up.
    hookTimeout: {
      hooks: [lambda(['POST_SCALE_UP'], 2)],
      answer: { hookStatus: 'IN_PROGRESS', callBackDelay: 30 },
      stage: 'POST_SCALE_UP',
      reason: TIMED_OUT('AWS_LAMBDA', 'POST_SCALE_UP')
    },
    notApplicable: {}
  },
  CANARY: {
    fast: {
      strategy: 'CANARY',
      bakeTimeInMinutes: 1,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 }
    },
    held: { canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: HOLD_MINUTES } },
    holdStage: 'PRODUCTION_TRAFFIC_SHIFT',
    holdWeight: 10,
    hookFailure: {
      hooks: [lambda(['TEST_TRAFFIC_SHIFT'])],
      answer: { hookStatus: 'FAILED' },
      stage: 'TEST_TRAFFIC_SHIFT',
      reason: HOOK_FAILED('TEST_TRAFFIC_SHIFT'),
      invocations: [0]
    },
    hookTimeout: {
      hooks: [lambda(['PRE_SCALE_UP'], 2)],
      answer: { hookStatus: 'IN_PROGRESS', callBackDelay: 30 },
      stage: 'PRE_SCALE_UP',
      reason: TIMED_OUT('AWS_LAMBDA', 'PRE_SCALE_UP')
    },
    notApplicable: {}
  }
};

/** The local AWS of one test file, with the service of the current test. */
export interface MatrixWorld {
  local: LocalAws;
  ecs: ECSClient;
  cw: CloudWatchClient;
  /** Task definitions v1 (what the service runs) and v2 (what the test deploys). */
  v1: string;
  v2: string;
  /** The deployment id and service deployment ARN of the service's first (v1) deployment. */
  firstDeploymentId: string;
  firstServiceDeploymentArn: string;
}

/**
 * Starts one local AWS for the file (`beforeAll`), resets it before each test and stops it after all.
 * @param simulator extra simulator options (staleReads, serviceDeploymentApi).
 */
export function useMatrixWorld(simulator: Parameters<typeof startLocalAws>[0] = {}): MatrixWorld {
  const world = {} as MatrixWorld;
  beforeAll(async () => {
    world.local = await startLocalAws({
      taskPhaseMs: TASK_PHASE_MS,
      minuteMs: MINUTE_MS,
      alarmPollMs: 100,
      ...simulator
    });
    const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
    world.ecs = new ECSClient({ endpoint: world.local.ecs.endpoint, region: 'us-east-1', credentials });
    world.cw = new CloudWatchClient({
      endpoint: world.local.moto.endpoint,
      region: 'us-east-1',
      credentials
    });
  });
  afterAll(async () => {
    world.ecs?.destroy();
    world.cw?.destroy();
    await world.local?.stop();
  });
  beforeEach(async () => {
    world.local.ecs.reset();
    await world.local.moto.reset();
  });
  return world;
}

/**
 * Creates the service on `strategy` with `config` (merged over the breaker, ECS's default percentages and,
 * for the traffic-shifting strategies, a load balancer with advancedConfiguration), waits until v1 is
 * COMPLETED, and registers v2.
 */
export async function seedService(
  world: MatrixWorld,
  strategy: Strategy,
  config: DeploymentConfiguration,
  extraV2: { failing?: boolean } = {}
): Promise<void> {
  const { ecs } = world;
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  world.v1 = (
    await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(FAMILY, `${IMAGE}:v1`)))
  ).taskDefinition!.taskDefinitionArn!;
  const loadBalancer: LoadBalancer =
    strategy === 'ROLLING'
      ? { targetGroupArn: TG, containerName: 'app', containerPort: 8000 }
      : advancedLoadBalancer;
  await ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition: world.v1,
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d4e5f60001'] } },
      loadBalancers: [loadBalancer],
      deploymentConfiguration: {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        ...config
      }
    })
  );
  const steady = await waitFor(
    () => describeService(ecs, CLUSTER, SERVICE),
    (s) => s.deployments?.length === 1 && s.deployments[0]?.rolloutState === 'COMPLETED',
    30000
  );
  world.firstDeploymentId = steady.deployments![0]!.id!;
  world.firstServiceDeploymentArn = steady.currentServiceDeployment ?? '';
  const v2Image = `${IMAGE}:${extraV2.failing ? 'v2-unpullable' : 'v2'}`;
  if (extraV2.failing)
    world.local.ecs.addFailure({ image: ':v2-unpullable', scenario: 'image-pull-failure' });
  world.v2 = (
    await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(FAMILY, v2Image)))
  ).taskDefinition!.taskDefinitionArn!;
}

/**
 * The deployment alarm (moto's CloudWatch), 60 s × 60 periods: a ROLLING deployment bakes HOLD_MINUTES on it.
 * Created after the service's first deployment, which (like every first deployment) bakes while its alarms
 * are watched: before the alarm exists, that bake is one simulated minute.
 */
export async function createAlarm(world: MatrixWorld): Promise<void> {
  await world.cw.send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: HOLD_MINUTES,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold'
    })
  );
}

const BUNDLE_TIMEOUT_MS = 100000;

/** Runs one of the ECS bundles against the world (poll every second). */
export function runBundle(
  world: MatrixWorld,
  action: 'deploy-service' | 'continue-deployment' | 'stop-deployment',
  inputs: Record<string, string>
): Promise<ActionRun> {
  return runActionBundle(
    action,
    { cluster: CLUSTER, service: SERVICE, 'poll-interval-seconds': '1', 'timeout-minutes': '1', ...inputs },
    world.local.env,
    BUNDLE_TIMEOUT_MS
  );
}

/** deploy-service of v2 by ARN. */
export const deployV2 = (world: MatrixWorld, inputs: Record<string, string> = {}) =>
  runBundle(world, 'deploy-service', { 'task-definition-arn': world.v2, ...inputs });

/** Describes a service deployment. */
export async function describeSd(world: MatrixWorld, arn: string): Promise<ServiceDeployment> {
  const out = await world.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  return out.serviceDeployments![0]!;
}

/** Waits (while a bundle runs) until the service's new service deployment satisfies `done`. */
export async function reachServiceDeployment(
  world: MatrixWorld,
  done: (sd: ServiceDeployment) => boolean,
  timeoutMs = 60000
): Promise<ServiceDeployment> {
  const service = await waitFor(
    () => describeService(world.ecs, CLUSTER, SERVICE),
    (s) => !!s.currentServiceDeployment && s.currentServiceDeployment !== world.firstServiceDeploymentArn,
    timeoutMs
  );
  return waitFor(() => describeSd(world, service.currentServiceDeployment!), done, timeoutMs);
}

/** Waits until a service deployment settled (SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED). */
const settled = (world: MatrixWorld, arn: string) =>
  waitFor(
    () => describeSd(world, arn),
    (sd) => ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'].includes(sd.status ?? ''),
    60000
  );

/**
 * After a rollback: it settles ROLLBACK_SUCCESSFUL and the service runs v1 again as its PRIMARY, with the
 * id the v1 deployment had (ECS brings the last COMPLETED deployment back; it starts no new one).
 */
export async function expectRolledBackToV1(world: MatrixWorld, arn: string): Promise<void> {
  expect((await settled(world, arn)).status).toBe('ROLLBACK_SUCCESSFUL');
  const service: Service = await describeService(world.ecs, CLUSTER, SERVICE);
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  expect({ taskDefinition: service.taskDefinition, primary: primary?.id }).toEqual({
    taskDefinition: world.v1,
    primary: world.firstDeploymentId
  });
}

/** The failure contract of deploy-service for a rollback, at the first poll that shows it. */
export function expectFailedDeploy(world: MatrixWorld, run: ActionRun, stage: string, reason: RegExp): void {
  const text = errorText(run);
  expect({ code: run.code, stage: run.outputs['lifecycle-stage'], hook: run.outputs['hook-id'] }).toEqual({
    code: 1,
    stage,
    hook: ''
  });
  expect(run.outputs.status).toMatch(ROLLING_BACK);
  expect(run.outputs['service-deployment-arn']).toMatch(SD_ARN);
  expect(run.outputs['rollout-state']).toBe('FAILED');
  expect(text).toMatch(reason);
  // The first poll that shows the failure decides; a fast rollback may already be over by then.
  const back =
    run.outputs.status === 'ROLLBACK_SUCCESSFUL'
      ? 'ECS rolled back to matrix-app:1'
      : 'ECS is rolling back to matrix-app:1';
  expect(text).toContain(`${back} (service deployment ${run.outputs.status})`);
  expect(text).not.toMatch(/replaced/);
}

/** The ContinueServiceDeployment / StopServiceDeployment requests the simulator saw. */
export const controlRequests = (world: MatrixWorld) =>
  world.local.ecs.requests
    .filter((r) => r.operation === 'ContinueServiceDeployment' || r.operation === 'StopServiceDeployment')
    .map((r): Record<string, string> => ({ operation: r.operation, ...(r.body as Record<string, string>) }));

/** The test of one cell of one strategy. */
async function runCell(world: MatrixWorld, strategy: Strategy, cell: Cell): Promise<void> {
  const profile = PROFILES[strategy];
  const held: DeploymentConfiguration = {
    ...profile.fast,
    ...profile.held,
    alarms: { alarmNames: [ALARM], enable: true, rollback: true }
  };
  const isHeld = (sd: ServiceDeployment) =>
    sd.status === 'IN_PROGRESS' &&
    sd.lifecycleStage === profile.holdStage &&
    (profile.holdWeight === undefined ||
      sd.targetServiceRevision?.requestedProductionTrafficWeight === profile.holdWeight);

  switch (cell) {
    case 'success': {
      await seedService(world, strategy, profile.fast);
      const run = await deployV2(world);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.outputs).toMatchObject({
        status: 'SUCCESSFUL',
        'lifecycle-stage': 'CLEAN_UP',
        'rollout-state': 'COMPLETED',
        'hook-id': '',
        'task-definition-arn': world.v2
      });
      expect(run.outputs['service-deployment-arn']).toMatch(SD_ARN);
      expect(run.outputs['deployment-id']).toMatch(/^ecs-svc\/\d{19}$/);
      expect(run.stdout).toMatch(/Deployment ecs-svc\/\d+ completed: 2 task\(s\) running\./);
      // One progress line per change, read from the service deployment.
      expect(run.stdout).toMatch(/service deployment \w+: SUCCESSFUL, stage CLEAN_UP/);
      if (strategy !== 'ROLLING') expect(run.stdout).toMatch(/traffic production 100% test 100%/);
      return;
    }
    case 'circuit-breaker rollback': {
      await seedService(world, strategy, profile.fast, { failing: true });
      const run = await deployV2(world);
      expectFailedDeploy(
        world,
        run,
        'SCALE_UP',
        /failed: ECS deployment circuit breaker: tasks failed to start \(3 failed task\(s\), threshold 3\)/
      );
      expect(run.stdout).toMatch(/CannotPullContainerError/);
      await expectRolledBackToV1(world, run.outputs['service-deployment-arn']!);
      return;
    }
    case 'alarm rollback': {
      await seedService(world, strategy, held);
      await createAlarm(world);
      const running = deployV2(world);
      const atHold = await reachServiceDeployment(world, isHeld);
      expect(atHold.alarms).toMatchObject({ status: 'MONITORING', alarmNames: [ALARM] });
      await world.cw.send(
        new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: 'matrix test' })
      );
      const run = await running;
      expectFailedDeploy(
        world,
        run,
        profile.holdStage,
        new RegExp(
          `failed: alarm rollback: deployment alarm ${ALARM} in ALARM \\(CloudWatch alarm\\(s\\) in ALARM: ${ALARM}`
        )
      );
      // No task failed: the new revision's tasks ECS scaled in for the rollback are no diagnosis.
      expect(run.summary).not.toContain('Why tasks stopped');
      expect(run.stdout).not.toMatch(/task\(s\) stopped: Scaling activity/);
      await expectRolledBackToV1(world, run.outputs['service-deployment-arn']!);
      return;
    }
    case 'lifecycle hook failure':
    case 'hook timeout': {
      const hook = cell === 'hook timeout' ? profile.hookTimeout! : profile.hookFailure!;
      await seedService(world, strategy, { ...profile.fast, lifecycleHooks: hook.hooks });
      if (hook.answer) world.local.ecs.setHookAnswer(HOOK_FUNCTION, hook.answer);
      const run = await deployV2(world);
      expectFailedDeploy(world, run, hook.stage, hook.reason);
      if (hook.invocations) {
        const seen = world.local.ecs.hookInvocations.map((i) => ({
          stage: i.lifecycleStage,
          production: (i.payload.productionTrafficWeights as Record<string, number>)[
            i.payload.targetServiceRevisionArn as string
          ]
        }));
        expect(seen).toEqual(hook.invocations.map((production) => ({ stage: hook.stage, production })));
      }
      await expectRolledBackToV1(world, run.outputs['service-deployment-arn']!);
      return;
    }
    case 'paused then continued':
    case 'paused then rolled back': {
      await seedService(world, strategy, { ...profile.fast, lifecycleHooks: [pause()] });
      const deploy = await deployV2(world, { 'wait-until': 'paused' });
      expect({ code: deploy.code, stderr: deploy.stderr }).toEqual({ code: 0, stderr: '' });
      expect(deploy.outputs).toMatchObject({
        status: 'IN_PROGRESS',
        'lifecycle-stage': 'POST_TEST_TRAFFIC_SHIFT',
        'rollout-state': 'IN_PROGRESS'
      });
      const arn = deploy.outputs['service-deployment-arn']!;
      const hookId = deploy.outputs['hook-id']!;
      expect(arn).toMatch(SD_ARN);
      expect(hookId).toMatch(/^ecs-pause-[A-Za-z0-9_-]{43}$/);
      expect(deploy.stdout).toContain(
        `is paused at lifecycle hook ${hookId} (stage POST_TEST_TRAFFIC_SHIFT)`
      );
      // Test traffic is on the new revision, production traffic still on the old one.
      const atPause = await describeSd(world, arn);
      expect(atPause.targetServiceRevision).toMatchObject({
        requestedTestTrafficWeight: 100,
        requestedProductionTrafficWeight: 0
      });
      const action = cell === 'paused then continued' ? 'CONTINUE' : 'ROLLBACK';
      // LINEAR names nothing: continue-deployment finds the service's current deployment and its one hook.
      const named: Record<string, string> =
        strategy === 'LINEAR' ? {} : { 'service-deployment-arn': arn, 'hook-id': hookId };
      const cont = await runBundle(world, 'continue-deployment', { ...named, action });
      expect({ code: cont.code, stderr: cont.stderr, errors: cont.errors }).toEqual({
        code: 0,
        stderr: '',
        errors: []
      });
      expect(controlRequests(world)).toEqual([
        { operation: 'ContinueServiceDeployment', serviceDeploymentArn: arn, hookId, action }
      ]);
      expect(cont.outputs['service-deployment-arn']).toBe(arn);
      expect(cont.outputs['hook-id']).toBe('');
      expect(cont.stdout).toContain(`hook ${hookId} answered ${action}`);
      if (action === 'CONTINUE') {
        expect(cont.outputs).toMatchObject({ status: 'SUCCESSFUL', 'lifecycle-stage': 'CLEAN_UP' });
        const service = await describeService(world.ecs, CLUSTER, SERVICE);
        expect(service.taskDefinition).toBe(world.v2);
      } else {
        expect(cont.outputs).toMatchObject({
          status: 'ROLLBACK_SUCCESSFUL',
          'lifecycle-stage': 'POST_TEST_TRAFFIC_SHIFT'
        });
        expect(cont.stdout).toMatch(/ended ROLLBACK_SUCCESSFUL: .*ContinueServiceDeployment action ROLLBACK/);
        await expectRolledBackToV1(world, arn);
      }
      return;
    }
    case 'stopped by stop-deployment': {
      await seedService(world, strategy, held);
      await createAlarm(world);
      const deploying = deployV2(world);
      const atHold = await reachServiceDeployment(world, isHeld);
      const stop = await runBundle(world, 'stop-deployment', {
        'service-deployment-arn': atHold.serviceDeploymentArn!
      });
      const deploy = await deploying;
      expect({ code: stop.code, stderr: stop.stderr, errors: stop.errors }).toEqual({
        code: 0,
        stderr: '',
        errors: []
      });
      expect(stop.outputs).toEqual({
        'service-deployment-arn': atHold.serviceDeploymentArn,
        status: 'ROLLBACK_SUCCESSFUL',
        'lifecycle-stage': profile.holdStage
      });
      expect(controlRequests(world)).toEqual([
        {
          operation: 'StopServiceDeployment',
          serviceDeploymentArn: atHold.serviceDeploymentArn,
          stopType: 'ROLLBACK'
        }
      ]);
      expectFailedDeploy(
        world,
        deploy,
        profile.holdStage,
        /failed: Service deployment rolled back by StopServiceDeployment/
      );
      expect(deploy.outputs['service-deployment-arn']).toBe(atHold.serviceDeploymentArn);
      await expectRolledBackToV1(world, atHold.serviceDeploymentArn!);
      return;
    }
    case 'wait-until traffic-shifted': {
      const rolling = strategy === 'ROLLING';
      await seedService(
        world,
        strategy,
        rolling ? profile.fast : { ...profile.fast, bakeTimeInMinutes: HOLD_MINUTES }
      );
      const run = await deployV2(world, { 'wait-until': 'traffic-shifted' });
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      if (rolling) {
        expect(run.outputs).toMatchObject({ status: 'SUCCESSFUL', 'rollout-state': 'COMPLETED' });
        return;
      }
      expect(run.outputs).toMatchObject({
        status: 'IN_PROGRESS',
        'lifecycle-stage': 'BAKE_TIME',
        'rollout-state': 'IN_PROGRESS',
        'hook-id': ''
      });
      expect(run.stdout).toMatch(/production traffic is on the new revision \(stage BAKE_TIME\)/);
      const sd = await describeSd(world, run.outputs['service-deployment-arn']!);
      expect(sd).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' });
      expect(sd.targetServiceRevision?.requestedProductionTrafficWeight).toBe(100);
      return;
    }
  }
}

/**
 * What a cell that does not apply shows instead: ROLLING refuses lifecycle hooks (so no hook can fail, time
 * out or pause), and deploy-service `wait-until: paused` on a ROLLING service has nothing to stop at, so it
 * waits until the deployment completes.
 */
async function runNotApplicable(world: MatrixWorld, strategy: Strategy, cell: Cell): Promise<void> {
  const profile = PROFILES[strategy];
  await seedService(world, strategy, profile.fast);
  const hooked = world.ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: 'hooked',
      taskDefinition: world.v1,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d4e5f60001'] } },
      deploymentConfiguration: {
        ...profile.fast,
        lifecycleHooks: [cell === 'lifecycle hook failure' ? lambda(['POST_SCALE_UP']) : pause()]
      }
    })
  );
  await expect(hooked).rejects.toBeInstanceOf(InvalidParameterException);
  if (cell === 'paused then continued') {
    const run = await deployV2(world, { 'wait-until': 'paused' });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'SUCCESSFUL', 'hook-id': '', 'lifecycle-stage': 'CLEAN_UP' });
  }
}

/** Declares the matrix of one strategy (call at the top level of its test file). */
export function strategyMatrix(strategy: Strategy): MatrixWorld {
  const world = useMatrixWorld();
  const profile = PROFILES[strategy];
  describe(`${strategy} through the bundles`, () => {
    const rows = CELLS.map((cell) => [cell, profile.notApplicable[cell]] as const);
    it.each(rows.filter(([, na]) => na === undefined).map(([cell]) => [cell]))('%s', async (cell) => {
      await runCell(world, strategy, cell);
    });
    const na = rows.filter(([, reason]) => reason !== undefined);
    if (na.length > 0) {
      it.each(na)('%s does not apply: %s', async (cell) => {
        await runNotApplicable(world, strategy, cell);
      });
    }
  });
  return world;
}
