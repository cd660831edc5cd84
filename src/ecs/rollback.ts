/**
 * The service half of `rollback`: take an ECS service back to the task definition it ran before.
 *
 * - A service deployment in flight (PENDING or IN_PROGRESS): ECS's own rollback, StopServiceDeployment
 *   `stopType: ROLLBACK`, followed until it settles (ROLLBACK_SUCCESSFUL is success).
 * - Otherwise: the task definition before the current one is read from ECS's record, the source service
 *   revision of the last SUCCESSFUL ServiceDeployment (ListServiceDeployments → DescribeServiceDeployments
 *   → DescribeServiceRevisions); UpdateService points the service at it and the new deployment is followed
 *   like deploy-service does (src/ecs/follow.ts).
 * - Fallback, on a control plane without the ServiceDeployment API (an older ECS, an emulator): the highest
 *   ACTIVE revision of the same task definition family below the one the service runs (ListTaskDefinitions),
 *   which is the one before as long as every deploy registered a new revision; the log says it was chosen so.
 *
 * AWS: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceRevisions.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTaskDefinitions.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  UpdateServiceCommand,
  type ECSClient,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { ConfigurationError, DeploymentError } from '../lib/errors.js';
import { resolveOptions, type InputOf } from '../lib/options.js';
import type { Reporter } from '../lib/reporter.js';
import { realClock, realSleep, type Clock, type Sleep } from '../lib/sleep.js';
import { ecsSend } from './call.js';
import { arnName, ecsClient } from './client.js';
import { rollbackServiceOptions } from './control-options.js';
import { Follower, type FollowKind } from './follow.js';
import { describeServiceDeployment, isUnsupported } from './service-deployment.js';
import { describeService, takeNewEvents, type ServiceEventLine } from './watch.js';

/** Options of {@link rollbackService}: the declared options and the runtime ones. */
export type RollbackServiceOptions = InputOf<typeof rollbackServiceOptions> & {
  maxAttempts?: number;
  client?: ECSClient;
  sleep?: Sleep;
  clock?: Clock;
};

/** How the service was rolled back. */
export type ServiceRollbackMode = 'stopped-in-flight' | 'updated-to-previous';

/** What {@link rollbackService} did. */
export interface ServiceRollbackResult {
  cluster: string;
  service: string;
  mode: ServiceRollbackMode;
  /** The task definition the service ran when the rollback started. */
  fromTaskDefinition?: string;
  /** The task definition it was taken back to (when known). */
  toTaskDefinition?: string;
  /** How the target was found: the ServiceDeployment record, or the family's revisions (fallback). */
  source: 'service-deployment' | 'family-revisions' | 'in-flight';
  serviceDeploymentArn?: string;
  /** How following ended (`not-waited` when wait is false). */
  outcome: FollowKind | 'not-waited' | 'rollback-successful';
  ok: boolean;
  message: string;
  events: ServiceEventLine[];
  dryRun: boolean;
}

const IN_FLIGHT = ['PENDING', 'IN_PROGRESS'];

/**
 * Rolls the service back (see the module comment) and, with `wait`, follows it until it settles.
 * @throws ConfigurationError before any write: the cluster or service does not exist, or there is no
 *   earlier task definition to go back to.
 * @throws DeploymentError when the rollback deployment fails, is rolled back, or does not settle in time.
 */
export async function rollbackService(
  input: RollbackServiceOptions,
  reporter: Reporter
): Promise<ServiceRollbackResult> {
  const options = resolveOptions(rollbackServiceOptions, input);
  const ecs = input.client ?? ecsClient({ region: options.region, maxAttempts: input.maxAttempts });
  const sleep = input.sleep ?? realSleep;
  const clock = input.clock ?? realClock;
  const { cluster, service } = options;
  const described = await describeService(ecs, cluster, service);
  const seen = new Set<string>();
  takeNewEvents(described, seen);
  const from = described.taskDefinition;
  const base = { cluster, service, fromTaskDefinition: from, dryRun: options.dryRun };
  const follower = new Follower(ecs, reporter);
  const common = {
    cluster,
    service,
    pollInterval: options.pollInterval,
    seenEventIds: seen,
    sleep,
    clock,
    timeout: options.timeout
  };

  // 1. A service deployment in flight: ECS rolls it back itself.
  let current: ServiceDeployment | undefined;
  let api = true;
  if (described.currentServiceDeployment) {
    try {
      current = await describeServiceDeployment(ecs, described.currentServiceDeployment);
    } catch (error) {
      if (!isUnsupported(error)) throw error;
      api = false;
    }
  }
  if (current && IN_FLIGHT.includes(current.status ?? '')) {
    const arn = current.serviceDeploymentArn ?? described.currentServiceDeployment!;
    reporter.info(
      `service ${service}: ${arnName(arn)} is ${current.status}; asking ECS to roll it back (StopServiceDeployment ROLLBACK)`
    );
    if (options.dryRun) {
      return {
        ...base,
        mode: 'stopped-in-flight',
        source: 'in-flight',
        serviceDeploymentArn: arn,
        outcome: 'not-waited',
        ok: true,
        message: `would stop ${arnName(arn)} with ROLLBACK`,
        events: []
      };
    }
    const back = await follower.rollBack(arn, {
      ...common,
      deploymentId: arnName(arn),
      taskDefinitionArn: from ?? '',
      since: new Date()
    });
    const ok = back.serviceDeployment?.status === 'ROLLBACK_SUCCESSFUL';
    const result: ServiceRollbackResult = {
      ...base,
      mode: 'stopped-in-flight',
      source: 'in-flight',
      toTaskDefinition: back.rollbackTaskDefinition,
      serviceDeploymentArn: arn,
      outcome: ok ? 'rollback-successful' : back.kind,
      ok,
      message: ok
        ? `Service ${service}: ${arnName(arn)} rolled back by ECS (ROLLBACK_SUCCESSFUL)${back.rollbackTaskDefinition ? `; it runs ${arnName(back.rollbackTaskDefinition)}` : ''}.`
        : `Service ${service}: the rollback of ${arnName(arn)} did not succeed: ${back.message}`,
      events: back.events
    };
    if (!ok)
      throw new DeploymentError(result.message, {
        result,
        changed: [`ECS was asked to roll ${arnName(arn)} back`]
      });
    return result;
  }

  // 2. Nothing in flight: the task definition it ran before.
  const found = api ? await previousFromServiceDeployments(ecs, cluster, service, from) : 'unsupported';
  let to: string | undefined;
  let source: ServiceRollbackResult['source'];
  if (found === 'unsupported') {
    reporter.info(
      'This ECS control plane has no ServiceDeployment API; the task definition before is the previous ACTIVE revision of the family (ListTaskDefinitions).'
    );
    to = await previousRevisionOfFamily(ecs, from);
    source = 'family-revisions';
  } else {
    to = found;
    source = 'service-deployment';
  }
  if (!to || to === from) {
    throw new ConfigurationError(
      `Service ${service} in cluster ${cluster} runs ${arnName(from)}, and ECS records no earlier task definition to roll back to (${source === 'service-deployment' ? 'no SUCCESSFUL service deployment with a source revision' : 'no lower ACTIVE revision of the family'}). Nothing was changed.`,
      'service'
    );
  }
  reporter.info(
    `service ${service}: ${arnName(from)} → ${arnName(to)} (the task definition it ran before, from ${source === 'service-deployment' ? 'the last SUCCESSFUL service deployment' : 'the family revisions'})`
  );
  if (options.dryRun) {
    return {
      ...base,
      mode: 'updated-to-previous',
      source,
      toTaskDefinition: to,
      outcome: 'not-waited',
      ok: true,
      message: `would update ${service} to ${arnName(to)}`,
      events: []
    };
  }
  const since = new Date();
  const out = await ecsSend(ecs, new UpdateServiceCommand({ cluster, service, taskDefinition: to }), {
    cluster,
    service
  });
  const changed = [`service ${service} now runs ${arnName(to)}`];
  const primary = out.service?.deployments?.find((d) => d.status === 'PRIMARY');
  if (!options.wait || !primary?.id) {
    return {
      ...base,
      mode: 'updated-to-previous',
      source,
      toTaskDefinition: to,
      serviceDeploymentArn: out.service?.currentServiceDeployment,
      outcome: 'not-waited',
      ok: true,
      message: `Service ${service} updated to ${arnName(to)}; not waiting.`,
      events: []
    };
  }
  const followed = await follower.follow({
    ...common,
    deploymentId: primary.id,
    taskDefinitionArn: to,
    updated: out.service,
    since,
    waitUntil: 'completed'
  });
  const ok = followed.kind === 'completed';
  const result: ServiceRollbackResult = {
    ...base,
    mode: 'updated-to-previous',
    source,
    toTaskDefinition: to,
    serviceDeploymentArn: followed.serviceDeploymentArn,
    outcome: followed.kind,
    ok,
    message: ok
      ? `Service ${service} rolled back to ${arnName(to)}: ${followed.message}`
      : `Service ${service}: the rollback to ${arnName(to)} did not complete: ${followed.message}`,
    events: followed.events
  };
  if (!ok) throw new DeploymentError(result.message, { result, changed });
  return result;
}

/**
 * The task definition before `current`, from the newest SUCCESSFUL service deployment whose source
 * revision runs another task definition. 'unsupported' when the control plane lacks the API.
 */
async function previousFromServiceDeployments(
  ecs: ECSClient,
  cluster: string,
  service: string,
  current: string | undefined
): Promise<string | undefined | 'unsupported'> {
  try {
    const listed = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service, status: ['SUCCESSFUL'] })
    );
    const arns = (listed.serviceDeployments ?? [])
      .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))
      .flatMap((d) => (d.serviceDeploymentArn ? [d.serviceDeploymentArn] : []))
      .slice(0, 20);
    if (arns.length === 0) return undefined;
    const deployments =
      (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns })))
        .serviceDeployments ?? [];
    const byArn = new Map(deployments.map((d) => [d.serviceDeploymentArn, d]));
    for (const arn of arns) {
      const sources = (byArn.get(arn)?.sourceServiceRevisions ?? []).flatMap((r) => (r.arn ? [r.arn] : []));
      if (sources.length === 0) continue;
      const revisions =
        (await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: sources.slice(0, 20) })))
          .serviceRevisions ?? [];
      const other = revisions.map((r) => r.taskDefinition).find((td) => td && td !== current);
      if (other) return other;
    }
    return undefined;
  } catch (error) {
    if (isUnsupported(error)) return 'unsupported';
    throw error;
  }
}

/** The highest ACTIVE revision of `current`'s family below it (ListTaskDefinitions, newest first). */
async function previousRevisionOfFamily(
  ecs: ECSClient,
  current: string | undefined
): Promise<string | undefined> {
  const m = /([^/:]+):(\d+)$/.exec(current ?? '');
  if (!m) return undefined;
  const [, family, revision] = m;
  let token: string | undefined;
  do {
    const page = await ecs.send(
      new ListTaskDefinitionsCommand({
        familyPrefix: family,
        status: 'ACTIVE',
        sort: 'DESC',
        nextToken: token
      })
    );
    for (const arn of page.taskDefinitionArns ?? []) {
      const r = /([^/:]+):(\d+)$/.exec(arn);
      if (r && r[1] === family && Number(r[2]) < Number(revision)) return arn;
    }
    token = page.nextToken;
  } while (token);
  return undefined;
}
