/**
 * Following the deployment an UpdateService started, whatever the control plane offers: through ECS's
 * ServiceDeployment record (service-deployment.ts; every strategy, hooks, alarms, traffic shifting) when the
 * API answers, else through DescribeServices' `deployments[].rolloutState` (watch.ts; rolling updates), said
 * once. Both answer with one outcome type, so deploy-service judges and reports them alike.
 *
 * AWS: ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions, DescribeServices,
 * StopServiceDeployment — https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html
 */
import {
  DescribeServiceRevisionsCommand,
  StopServiceDeploymentCommand,
  type ECSClient,
  type Service,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { Duration } from '../lib/duration.js';
import type { Reporter } from '../lib/reporter.js';
import type { Clock, Sleep } from '../lib/sleep.js';
import { ecsSend } from './call.js';
import { arnName } from './client.js';
import {
  isUnsupported,
  locateServiceDeployment,
  watchServiceDeployment,
  type FailureCause,
  type WaitUntil
} from './service-deployment.js';
import { watchDeployment, type ServiceEventLine, type WatchOutcome } from './watch.js';

/** How following ended. */
export type FollowKind =
  | 'completed'
  | 'traffic-shifted'
  | 'paused'
  | 'failed'
  | 'rolled-back'
  | 'replaced'
  | 'stopped'
  | 'timed-out';

/** The outcome of following one deployment, from either watcher. */
export interface Followed {
  kind: FollowKind;
  /** One sentence for a person. */
  message: string;
  /** Which record was followed. */
  watcher: 'service-deployment' | 'deployments';
  serviceDeploymentArn?: string;
  serviceDeployment?: ServiceDeployment;
  /** The PAUSE hook awaiting action (kind `paused`). */
  hookId?: string;
  /** Why it failed, when ECS said (ServiceDeployment watcher). */
  cause?: FailureCause;
  /** The task definition ECS rolls back to, when known. */
  rollbackTaskDefinition?: string;
  events: ServiceEventLine[];
  polls: number;
}

/** What follow() needs: the service, the deployment UpdateService started, and how to wait. */
export interface FollowOptions {
  cluster: string;
  service: string;
  /** The `ecs-svc/…` id of the PRIMARY deployment UpdateService returned. */
  deploymentId: string;
  /** The task definition that deployment runs. */
  taskDefinitionArn: string;
  /** The service as UpdateService returned it (for currentServiceDeployment). */
  updated?: Service;
  /** When UpdateService was sent (ListServiceDeployments' createdAt filter). */
  since: Date;
  waitUntil: WaitUntil;
  timeout: Duration;
  pollInterval: Duration;
  /** Event ids already shown; updated in place. */
  seenEventIds: Set<string>;
  sleep: Sleep;
  clock: Clock;
}

/** What every watcher takes from FollowOptions: its bounds, the events already shown and time. */
const waitParts = ({ timeout, pollInterval, seenEventIds, sleep, clock }: FollowOptions) => ({
  timeout,
  pollInterval,
  seenEventIds,
  sleep,
  clock
});

/**
 * Remembers, per deploy, whether the control plane has the ServiceDeployment API, so the fallback is said
 * once and tried once.
 */
export class Follower {
  /** Set once the control plane showed it has no ServiceDeployment API (or listed none for an update). */
  private fallback = false;

  constructor(
    private readonly ecs: ECSClient,
    private readonly reporter: Reporter
  ) {}

  /**
   * Follows the deployment UpdateService started until `waitUntil`, a failure, or the timeout.
   * @throws the SDK's errors after its retries (other than the API being absent).
   */
  async follow(options: FollowOptions): Promise<Followed> {
    if (!this.fallback) {
      const located = await locateServiceDeployment(this.ecs, options);
      if (located === 'unsupported' || located === undefined) {
        this.fallback = true;
        this.reporter.info(
          located === 'unsupported'
            ? 'This ECS control plane has no ServiceDeployment API; following the deployment through DescribeServices (rolloutState) instead.'
            : 'ECS listed no service deployment for this update; following the deployment through DescribeServices (rolloutState) instead.'
        );
      } else {
        return this.followServiceDeployment(located, options);
      }
    }
    if (options.waitUntil !== 'completed') {
      this.reporter.warn(
        `wait-until ${options.waitUntil} needs the ServiceDeployment API; waiting until the deployment completes instead.`
      );
    }
    return this.followRollout(options);
  }

  /**
   * Asks ECS to roll the service deployment back (StopServiceDeployment ROLLBACK) and waits until it
   * settles, at most `timeout`.
   */
  async rollBack(arn: string, options: Omit<FollowOptions, 'waitUntil'>): Promise<Followed> {
    await ecsSend(
      this.ecs,
      new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }),
      {
        cluster: options.cluster,
        service: options.service
      }
    );
    return this.followServiceDeployment(arn, { ...options, waitUntil: 'completed' }, 'settled');
  }

  private async followServiceDeployment(
    arn: string,
    options: FollowOptions,
    until: WaitUntil | 'settled' = options.waitUntil
  ): Promise<Followed> {
    const strategy = options.updated?.deploymentConfiguration?.strategy;
    const bake = options.updated?.deploymentConfiguration?.bakeTimeInMinutes;
    const watched = await watchServiceDeployment(
      this.ecs,
      {
        cluster: options.cluster,
        service: options.service,
        serviceDeploymentArn: arn,
        waitUntil: until,
        strategy,
        bakeTime: bake === undefined ? undefined : Duration.minutes(bake),
        ...waitParts(options)
      },
      this.reporter
    );
    const o = watched.outcome;
    const id = options.deploymentId;
    const base = {
      watcher: 'service-deployment' as const,
      serviceDeploymentArn: arn,
      serviceDeployment: o.deployment,
      events: watched.events,
      polls: watched.polls
    };
    switch (o.kind) {
      case 'completed': {
        const running = o.deployment.targetServiceRevision?.runningTaskCount;
        return {
          ...base,
          kind: 'completed',
          message: `Deployment ${id} completed${running === undefined ? '' : `: ${running} task(s) running`}.`
        };
      }
      case 'traffic-shifted':
        return {
          ...base,
          kind: 'traffic-shifted',
          message: `Deployment ${id}: production traffic is on the new revision (stage ${o.deployment.lifecycleStage}); ECS finishes the bake time and the clean-up on its own.`
        };
      case 'paused':
        return {
          ...base,
          kind: 'paused',
          hookId: o.hookId,
          message: `Deployment ${id} is paused at lifecycle hook ${o.hookId} (stage ${o.deployment.lifecycleStage}); continue it or roll it back with continue-deployment (hook-id ${o.hookId}).`
        };
      case 'rolled-back': {
        const back = await this.rollbackTarget(o.deployment);
        const to = rollbackProgress(o.deployment.status, back);
        return {
          ...base,
          kind: 'rolled-back',
          cause: o.cause,
          rollbackTaskDefinition: back,
          message: `Deployment ${id} failed: ${rollbackKind(o.cause)}${o.cause.reason.replace(/\.$/, '')}${to} (service deployment ${o.deployment.status}).`
        };
      }
      case 'stopped':
        return {
          ...base,
          kind: 'stopped',
          cause: o.cause,
          message: `Deployment ${id} was stopped: ${o.cause.reason.replace(/\.$/, '')} (service deployment ${o.deployment.status}).`
        };
      case 'timed-out':
        return {
          ...base,
          kind: 'timed-out',
          message: `Deployment ${id} did not complete within ${options.timeout.seconds} s.`
        };
    }
  }

  /** The task definition of the revision ECS rolls back to (DescribeServiceRevisions), when it says. */
  private async rollbackTarget(deployment: ServiceDeployment): Promise<string | undefined> {
    const revision = deployment.rollback?.serviceRevisionArn ?? deployment.sourceServiceRevisions?.[0]?.arn;
    if (!revision) return undefined;
    try {
      const out = await this.ecs.send(
        new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revision] })
      );
      return out.serviceRevisions?.[0]?.taskDefinition;
    } catch (error) {
      if (isUnsupported(error)) return undefined;
      this.reporter.debug(`DescribeServiceRevisions ${revision}: ${String(error)}`);
      return undefined;
    }
  }

  private async followRollout(options: FollowOptions): Promise<Followed> {
    const watched = await watchDeployment(
      this.ecs,
      {
        cluster: options.cluster,
        service: options.service,
        deploymentId: options.deploymentId,
        taskDefinitionArn: options.taskDefinitionArn,
        ...waitParts(options)
      },
      this.reporter
    );
    return {
      kind: watched.outcome.kind,
      message: describeRollout(watched.outcome, options.deploymentId, options.timeout),
      watcher: 'deployments',
      rollbackTaskDefinition:
        watched.outcome.kind === 'rolled-back' ? watched.outcome.rollbackTaskDefinition : undefined,
      events: watched.events,
      polls: watched.polls
    };
  }
}

/**
 * Where ECS's rollback stands, as the first poll that showed the failure saw it: still under way, already
 * done (a rollback can finish between two polls), or failed in turn.
 */
function rollbackProgress(status: string | undefined, back: string | undefined): string {
  const to = back ? ` to ${arnName(back)}` : '';
  if (status === 'ROLLBACK_SUCCESSFUL') return `; ECS rolled back${to}`;
  if (status === 'ROLLBACK_FAILED') return `; ECS's rollback${to} failed too`;
  return `; ECS is rolling back${to}`;
}

/** "alarm rollback: " / "lifecycle hook rollback: " / "" — so an alarm rollback reads as one. */
function rollbackKind(cause: FailureCause): string {
  if (cause.kind === 'alarm') return 'alarm rollback: ';
  if (cause.kind === 'hook') return 'lifecycle hook rollback: ';
  return '';
}

/** The sentence for an outcome of the DescribeServices watcher. */
export function describeRollout(outcome: WatchOutcome, deploymentId: string, timeout: Duration): string {
  switch (outcome.kind) {
    case 'completed':
      return `Deployment ${deploymentId} completed: ${outcome.deployment.runningCount} task(s) running.`;
    case 'failed':
      return `Deployment ${deploymentId} failed: ${outcome.reason}`;
    case 'rolled-back':
      return `Deployment ${deploymentId} failed: ${outcome.reason.replace(/\.$/, '')}; ECS is rolling back to ${arnName(outcome.rollbackTaskDefinition)}.`;
    case 'replaced':
      return `Deployment ${deploymentId} was replaced before it completed: ${outcome.reason}.`;
    case 'timed-out':
      return `Deployment ${deploymentId} did not complete within ${timeout.seconds} s.`;
  }
}
