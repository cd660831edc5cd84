/**
 * The demo's rollout scene: the services get the `--strategy` (and, for `--scenario alarm-rollback` /
 * `hook-rollback`, a deployment alarm or a smoke-test Lambda hook) before they are created, the alarm fires
 * at the bake time of each deploy, and after each deploy the scene tells what ECS did: the lifecycle stages
 * in order with the traffic weights of the new revision, how long the bake lasted, and, after a rollback,
 * what the service runs once ECS has finished rolling back. The stages come from the simulator's timeline
 * (what ECS did, not what a 1 s poll happened to see); the final state from the ECS API.
 */
import { DescribeServicesCommand, ECSClient, type ServiceDeployment } from '@aws-sdk/client-ecs';
import { describeServiceDeployment, SETTLED_STATUSES } from '../ecs/service-deployment.js';
import type { TimelineEntry } from '../local/ecs-simulator/index.js';
import type { LocalAws } from '../local/local-aws.js';
import type { Reporter } from '../lib/reporter.js';
import { realSleep } from '../lib/sleep.js';
import type { SeedOptions } from './backend-fixture.js';
import type { DemoScenario } from './options.js';
import {
  BAKE_MINUTES,
  HOOK_STAGE,
  SMOKE_TEST_HOOK,
  createDeploymentAlarm,
  ecsStrategy,
  fireAlarmAtStage,
  newestServiceDeployment,
  rolloutSettings,
  type DemoStrategy,
  type EcsStrategy
} from './rollouts.js';

/** The deployment alarm of `--scenario alarm-rollback`. */
export const DEMO_ALARM = 'twotier-target-5xx';

/** What ECS did with one deploy, as the demo reports it (and its test checks). */
export interface RolloutReport {
  service: string;
  strategy: EcsStrategy;
  /** The lifecycle stages in order, with the new revision's traffic weights where they moved. */
  stages: string[];
  /** The service deployment's statuses in order (PENDING, IN_PROGRESS, SUCCESSFUL / ROLLBACK_...). */
  statuses: string[];
  /** How long BAKE_TIME lasted, ms (simulated minutes are short here). */
  bakeMs?: number;
  /** The service deployment's status once the demo stopped watching (after a rollback settled). */
  finalStatus?: string;
  /** The task definition the service runs at the end (`family:revision`). */
  taskDefinition?: string;
  /** Production traffic on the new revision at the end, percent (strategies that shift traffic). */
  productionWeight?: number;
  /** The lines printed for it. */
  lines: string[];
}

/** A prepared scene. */
export interface RolloutScene {
  strategy: EcsStrategy;
  /** What seedBackend needs so the services deploy with the strategy (and the alarm or hook). */
  seed: Pick<SeedOptions, 'deploymentConfiguration' | 'advancedConfiguration'>;
  /** Starts what the scenario does during a deploy of `service` (the alarm at BAKE_TIME); returns stop. */
  arm(cluster: string, service: string): () => void;
  /** What ECS did with the last deploy of `service`; after a rollback, waits (at most 60 s) until it settles. */
  report(cluster: string, service: string, serviceDeploymentArn: string | undefined): Promise<RolloutReport>;
}

const SETTLED: readonly string[] = SETTLED_STATUSES;

/** Sets up the strategy and the rollout scenario in the local AWS (alarm in CloudWatch, hook answer). */
export async function prepareRolloutScene(
  local: LocalAws,
  options: { strategy?: DemoStrategy; scenario?: DemoScenario },
  reporter: Reporter
): Promise<RolloutScene> {
  const strategy = ecsStrategy(options.strategy ?? 'rolling');
  const alarm = options.scenario === 'alarm-rollback' ? DEMO_ALARM : undefined;
  const hook = options.scenario === 'hook-rollback' ? SMOKE_TEST_HOOK : undefined;
  if (alarm) await createDeploymentAlarm(local, alarm);
  if (hook) local.ecs.setHookAnswer(hook, { hookStatus: 'FAILED' });
  const settings = rolloutSettings(strategy, { region: local.region, alarm, hook });
  reporter.info(`deployment strategy ${strategy}: ${describeStrategy(strategy)}`);
  if (alarm)
    reporter.warn(
      `scenario alarm-rollback: deployment alarm ${alarm} goes to ALARM when a deploy reaches BAKE_TIME`
    );
  if (hook)
    reporter.warn(
      `scenario hook-rollback: the Lambda hook ${hook.split(':').pop()} at ${HOOK_STAGE} answers FAILED`
    );
  const ecs = () =>
    new ECSClient({
      endpoint: local.ecs.endpoint,
      region: local.region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
    });
  return {
    strategy,
    seed: {
      deploymentConfiguration: settings.deploymentConfiguration,
      advancedConfiguration: settings.advancedConfiguration
    },
    arm(cluster, service) {
      if (!alarm) return () => undefined;
      return fireAlarmAtStage(local, { cluster, service, alarm }).stop;
    },
    async report(cluster, service, arn) {
      const client = ecs();
      try {
        let sd: ServiceDeployment | undefined;
        const deadline = Date.now() + 60000;
        while (arn) {
          sd = await describeServiceDeployment(client, arn);
          if (!sd || SETTLED.includes(sd.status ?? '') || Date.now() > deadline) break;
          await realSleep(250);
        }
        const described = await client.send(new DescribeServicesCommand({ cluster, services: [service] }));
        const taskDefinition = described.services?.[0]?.taskDefinition?.split('/').pop();
        const timeline = arn
          ? local.ecs.timeline(arn)
          : (newestServiceDeployment(local, cluster, service)?.timeline ?? []);
        return describeRollout(service, strategy, timeline, sd, taskDefinition);
      } finally {
        client.destroy();
      }
    }
  };
}

/** One sentence on what a strategy does with the demo's settings. */
function describeStrategy(strategy: EcsStrategy): string {
  switch (strategy) {
    case 'ROLLING':
      return 'new tasks replace old ones within minimumHealthyPercent 100 / maximumPercent 200; no traffic shifting';
    case 'BLUE_GREEN':
      return `green scales up beside blue, test then production traffic move to green at once, bake ${BAKE_MINUTES} minutes, blue is scaled in`;
    case 'LINEAR':
      return `production traffic moves 50 % then 100 %, 1 minute between steps, bake ${BAKE_MINUTES} minutes`;
    case 'CANARY':
      return `10 % of production traffic for 2 minutes, then the rest, bake ${BAKE_MINUTES} minutes`;
  }
}

/** The report of one deploy from the simulator's timeline and the final ServiceDeployment. */
export function describeRollout(
  service: string,
  strategy: EcsStrategy,
  timeline: readonly TimelineEntry[],
  sd: ServiceDeployment | undefined,
  taskDefinition: string | undefined
): RolloutReport {
  const stages: string[] = [];
  const statuses: string[] = [];
  let lastStage: string | undefined;
  let lastWeights: string | undefined;
  let bakeStart: number | undefined;
  let bakeMs: number | undefined;
  for (const e of timeline) {
    if (statuses.at(-1) !== e.status) statuses.push(e.status);
    if (bakeStart !== undefined && bakeMs === undefined && e.lifecycleStage !== 'BAKE_TIME')
      bakeMs = e.at - bakeStart;
    if (e.lifecycleStage === 'BAKE_TIME') bakeStart ??= e.at;
    // A rollback keeps the stage it failed in; its weights are the rollback's, not the rollout's.
    const rollingBack = e.status.startsWith('ROLLBACK') || e.status.startsWith('STOP');
    if (!e.lifecycleStage || rollingBack) continue;
    const w = e.targetWeights;
    const weights = w ? `production ${w.production} %, test ${w.test} %` : undefined;
    const moved = weights !== undefined && lastWeights !== undefined && weights !== lastWeights;
    if (weights !== undefined) lastWeights = weights;
    if (e.lifecycleStage === lastStage && !moved) continue;
    const label = moved ? `${e.lifecycleStage} (${weights})` : e.lifecycleStage;
    // The stage's hooks ran before its shift: one label for both.
    if (e.lifecycleStage === lastStage && stages.at(-1) === lastStage) stages[stages.length - 1] = label;
    else stages.push(label);
    lastStage = e.lifecycleStage;
  }
  const finalStatus = sd?.status;
  const productionWeight = sd?.targetServiceRevision?.requestedProductionTrafficWeight;
  const lines = [`  ${service}: ${strategy} stages: ${stages.join(' → ')}`];
  if (bakeMs !== undefined) lines.push(`  ${service}: bake time ${(bakeMs / 1000).toFixed(1)} s`);
  lines.push(`  ${service}: service deployment ${statuses.join(' → ')}`);
  if (finalStatus?.startsWith('ROLLBACK')) {
    const back = sd?.sourceServiceRevisions?.[0]?.requestedProductionTrafficWeight;
    lines.push(
      `  ${service}: ROLLED BACK (${finalStatus}): the service runs ${taskDefinition ?? '?'} again` +
        (back === undefined ? '' : `, production traffic ${back} % on it`) +
        (sd?.rollback?.reason ? `; reason: ${sd.rollback.reason}` : '')
    );
  }
  return {
    service,
    strategy,
    stages,
    statuses,
    bakeMs,
    finalStatus,
    taskDefinition,
    productionWeight,
    lines
  };
}
