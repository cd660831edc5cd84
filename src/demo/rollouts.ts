/**
 * The rollouts the demo and bench/ecs show: the four ECS deployment strategies with settings short enough to
 * watch (bake times of a few simulated minutes), and the failure scenarios that are not about a broken image:
 * a deployment alarm going to ALARM during the bake time, and a Lambda lifecycle hook answering FAILED after
 * test traffic reached the new revision. Everything here drives the local AWS only (moto's CloudWatch and the
 * ECS rollout simulator); the code under test (deployService) sees them as it would see ECS.
 *
 * AWS: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html (ROLLING),
 * .../blue-green-deployment-how-it-works.html, .../deployment-type-linear.html, .../deployment-type-canary.html,
 * .../deployment-alarm-failure.html, .../lambda-lifecycle-hooks.html.
 */
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import type { AdvancedConfiguration, DeploymentConfiguration } from '@aws-sdk/client-ecs';
import type { LocalAws } from '../local/local-aws.js';
import type { TimelineEntry } from '../local/ecs-simulator/index.js';
import { realSleep } from '../lib/sleep.js';

/** The demo's strategy names (`--strategy`), in the order the docs list them. */
export const DEMO_STRATEGIES = ['rolling', 'blue-green', 'linear', 'canary'] as const;
export type DemoStrategy = (typeof DEMO_STRATEGIES)[number];

/** ECS's DeploymentStrategy for a demo strategy name (`blue-green` → `BLUE_GREEN`). */
export type EcsStrategy = 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';
export const ecsStrategy = (strategy: DemoStrategy): EcsStrategy =>
  strategy.toUpperCase().replace('-', '_') as EcsStrategy;

/** Rollout failure scenarios (`--scenario`), besides the image failures of the simulator. */
export const ROLLOUT_SCENARIOS = ['alarm-rollback', 'hook-rollback'] as const;
export type RolloutScenario = (typeof ROLLOUT_SCENARIOS)[number];

/** Bake time after the production shift, in (simulated) minutes. */
export const BAKE_MINUTES = 3;
/** The Lambda function of the hook-rollback scenario (the simulator answers for it). */
export const SMOKE_TEST_HOOK = 'arn:aws:lambda:us-east-1:123456789012:function:twotier-smoke-test';
/** The role ECS invokes lifecycle hooks with. */
export const HOOK_ROLE = 'arn:aws:iam::123456789012:role/twotier-ecs-hook-invoke';
/** The stage the hook-rollback hook runs at: test traffic is on the new revision, production is not. */
export const HOOK_STAGE = 'POST_TEST_TRAFFIC_SHIFT';

/** What a service needs for one strategy (and, optionally, an alarm or a hook). */
export interface RolloutSettings {
  deploymentConfiguration: DeploymentConfiguration;
  /** For BLUE_GREEN, LINEAR and CANARY: the load balancer's advancedConfiguration per service. */
  advancedConfiguration?: (service: string) => AdvancedConfiguration;
}

/**
 * The deploymentConfiguration members and load balancer settings of `strategy`: BLUE_GREEN bakes
 * BAKE_MINUTES; LINEAR shifts 50 % then 100 % with a 1-minute step bake; CANARY shifts 10 %, bakes 2 minutes,
 * then the rest. `alarm` adds a deployment alarm with rollback; `hook` a Lambda hook at HOOK_STAGE (not for
 * ROLLING, which has no lifecycle hooks).
 * @throws Error for a hook with ROLLING.
 */
export function rolloutSettings(
  strategy: EcsStrategy,
  options: { region?: string; alarm?: string; hook?: string } = {}
): RolloutSettings {
  const region = options.region ?? 'us-east-1';
  const cfg: DeploymentConfiguration = { strategy };
  if (strategy !== 'ROLLING') cfg.bakeTimeInMinutes = BAKE_MINUTES;
  if (strategy === 'LINEAR') cfg.linearConfiguration = { stepPercent: 50, stepBakeTimeInMinutes: 1 };
  if (strategy === 'CANARY') cfg.canaryConfiguration = { canaryPercent: 10, canaryBakeTimeInMinutes: 2 };
  if (options.alarm) cfg.alarms = { alarmNames: [options.alarm], enable: true, rollback: true };
  if (options.hook) {
    if (strategy === 'ROLLING') throw new Error('ROLLING deployments have no lifecycle hooks');
    cfg.lifecycleHooks = [
      {
        targetType: 'AWS_LAMBDA',
        hookTargetArn: options.hook,
        roleArn: HOOK_ROLE,
        lifecycleStages: [HOOK_STAGE]
      }
    ];
  }
  if (strategy === 'ROLLING') return { deploymentConfiguration: cfg };
  const elb = `arn:aws:elasticloadbalancing:${region}:123456789012`;
  return {
    deploymentConfiguration: cfg,
    advancedConfiguration: (service) => ({
      alternateTargetGroupArn: `${elb}:targetgroup/${service}-green/0123456789abcdef`,
      productionListenerRule: `${elb}:listener-rule/app/twotier/0123456789abcdef/0123456789abcdef/1111111111111111`,
      testListenerRule: `${elb}:listener-rule/app/twotier/0123456789abcdef/0123456789abcdef/2222222222222222`,
      roleArn: 'arn:aws:iam::123456789012:role/twotier-ecs-infrastructure'
    })
  };
}

const cloudWatch = (local: LocalAws) =>
  new CloudWatchClient({
    endpoint: local.moto.endpoint,
    region: local.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });

/**
 * Creates the deployment alarm in moto's CloudWatch, state OK: target 5xx over 3 periods of 60 s (a ROLLING
 * deployment with alarms bakes Period × EvaluationPeriods, 3 simulated minutes).
 */
export async function createDeploymentAlarm(local: LocalAws, name: string): Promise<void> {
  const cw = cloudWatch(local);
  try {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 3,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold'
      })
    );
    await cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'OK', StateReason: 'demo' }));
  } finally {
    cw.destroy();
  }
}

/** The newest service deployment of `cluster/service` the simulator has, with its timeline. */
export function newestServiceDeployment(
  local: LocalAws,
  cluster: string,
  service: string
): { arn: string; timeline: readonly TimelineEntry[] } | undefined {
  let found: { arn: string; timeline: readonly TimelineEntry[] } | undefined;
  for (const [arn, timeline] of local.ecs.timelines()) {
    if (!arn.includes(`:service-deployment/${cluster}/${service}/`)) continue;
    if (!found || (timeline[0]?.at ?? 0) >= (found.timeline[0]?.at ?? 0)) found = { arn, timeline };
  }
  return found;
}

/**
 * Puts `alarm` in ALARM once the next service deployment of `cluster/service` (started after this call)
 * reaches `stage` (default BAKE_TIME), as a 5xx burst after the production shift would. Watches the
 * simulator's timeline, not the ECS API, so the watcher's call counts stay its own.
 * @returns `done` (resolves true when the alarm fired, false when stopped first) and `stop`.
 */
export function fireAlarmAtStage(
  local: LocalAws,
  options: { cluster: string; service: string; alarm: string; stage?: string }
): { done: Promise<boolean>; stop: () => void } {
  const since = Date.now();
  const stage = options.stage ?? 'BAKE_TIME';
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const sd = newestServiceDeployment(local, options.cluster, options.service);
      const entries = sd && (sd.timeline[0]?.at ?? 0) >= since ? sd.timeline : [];
      if (entries.some((e) => e.lifecycleStage === stage)) {
        const cw = cloudWatch(local);
        try {
          await cw.send(
            new SetAlarmStateCommand({
              AlarmName: options.alarm,
              StateValue: 'ALARM',
              StateReason: `5xx burst after the production traffic shift (${stage})`
            })
          );
        } finally {
          cw.destroy();
        }
        return true;
      }
      if (entries.some((e) => e.status !== 'PENDING' && e.status !== 'IN_PROGRESS')) return false;
      await realSleep(25);
    }
    return false;
  })();
  return {
    done,
    stop: () => {
      stopped = true;
    }
  };
}
