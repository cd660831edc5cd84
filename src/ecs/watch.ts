/**
 * The rollout watcher: follows one deployment of a service (by its id) at a fixed interval and decides as soon
 * as one DescribeServices answer shows the outcome. It never waits for a rollback to finish before saying the
 * deployment failed. New service events are streamed as they appear, without repeats.
 *
 * Uses DescribeServices: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html
 * Deployment and rolloutState semantics:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
 */
import { DescribeServicesCommand, type Deployment, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import type { Reporter } from '../lib/reporter.js';
import type { Clock, Sleep } from '../lib/sleep.js';
import { ecsSend, regionOf, serviceNotFound, type EcsTarget } from './call.js';
import type { Duration } from '../lib/duration.js';

/** How a watched deployment ended. */
export type WatchOutcome =
  | { kind: 'completed'; deployment: Deployment }
  /** rolloutState FAILED and no rollback deployment (circuit breaker without rollback). */
  | { kind: 'failed'; reason: string; deployment: Deployment }
  /** Failed, and ECS started a deployment of an earlier task definition (circuit breaker rollback). */
  | { kind: 'rolled-back'; reason: string; rollbackDeploymentId?: string; rollbackTaskDefinition?: string }
  /** A newer deployment took over (someone else deployed) before ours completed. */
  | { kind: 'replaced'; reason: string; byDeploymentId?: string; byTaskDefinition?: string }
  | { kind: 'timed-out'; deployment?: Deployment };

/** A service event as printed: time (ISO 8601) and message. */
export interface ServiceEventLine {
  at: string;
  message: string;
}

/** What watchDeployment follows and how: the deployment, its timeout and poll interval (seconds), and the injectable clock. */
export interface WatchOptions {
  cluster: string;
  service: string;
  /** The deployment to follow, e.g. `ecs-svc/1234567890123456789`. */
  deploymentId: string;
  /** The task definition ARN our deployment runs. */
  taskDefinitionArn: string;
  /** Give up after this long. */
  timeout: Duration;
  /** The time between DescribeServices calls (fixed: predictable API usage). */
  pollInterval: Duration;
  /** Event ids already shown (or that predate the deployment); updated in place. */
  seenEventIds: Set<string>;
  sleep: Sleep;
  clock: Clock;
}

/** What the watcher saw. */
export interface WatchResult {
  outcome: WatchOutcome;
  /** New service events, oldest first. */
  events: ServiceEventLine[];
  /** DescribeServices calls made. */
  polls: number;
}

/**
 * Describes one service (DescribeServices).
 * @param target extra context for messages (input names, a note such as `the service was not changed`).
 * @throws ConfigurationError naming the input when the cluster or the service does not exist (a
 *   ClusterNotFoundException, or a DescribeServices `failures` entry such as MISSING); the errors of
 *   {@link ecsSend} otherwise.
 */
export async function describeService(
  ecs: ECSClient,
  cluster: string,
  service: string,
  target: Omit<EcsTarget, 'cluster' | 'service'> = {}
): Promise<Service> {
  const about = { ...target, cluster, service };
  const out = await ecsSend(ecs, new DescribeServicesCommand({ cluster, services: [service] }), about);
  const found = out.services?.[0];
  if (!found) {
    const failure = out.failures?.[0];
    const detail = `ECS DescribeServices: ${failure?.reason ?? 'no service and no failure returned'}`;
    throw serviceNotFound(about, await regionOf(ecs), detail);
  }
  return found;
}

/** Streams events not yet seen (oldest first) and returns them. */
export function takeNewEvents(service: Service, seen: Set<string>): ServiceEventLine[] {
  const fresh: ServiceEventLine[] = [];
  for (const event of [...(service.events ?? [])].reverse()) {
    const id = event.id ?? `${event.createdAt?.toISOString()}|${event.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    fresh.push({ at: event.createdAt?.toISOString() ?? '', message: event.message ?? '' });
  }
  return fresh;
}

/**
 * Decides the state of our deployment from one DescribeServices answer; undefined while still rolling out.
 * Pure: exported for unit tests of every branch.
 */
export function judgeDeployment(
  service: Service,
  deploymentId: string,
  taskDefinitionArn: string,
  recentEvents: string[] = []
): WatchOutcome | undefined {
  const deployments = service.deployments ?? [];
  const ours = deployments.find((d) => d.id === deploymentId);
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const rollingBack = recentEvents.some((m) => /rolling back to deployment/i.test(m));
  // When ECS has already finished the rollback, our deployment is gone; its failure survives in the events.
  const failedMarker = `(deployment ${deploymentId}) deployment failed: `;
  const failedEvent = recentEvents.find((m) => m.includes(failedMarker));
  const goneReason = failedEvent
    ? `ECS deployment circuit breaker: ${failedEvent.slice(failedEvent.indexOf(failedMarker) + failedMarker.length)}`
    : undefined;
  if (ours?.rolloutState === 'FAILED') {
    const reason = ours.rolloutStateReason ?? 'rolloutState FAILED';
    if (primary && primary.id !== deploymentId) {
      return {
        kind: 'rolled-back',
        reason,
        rollbackDeploymentId: primary.id,
        rollbackTaskDefinition: primary.taskDefinition
      };
    }
    return { kind: 'failed', reason, deployment: ours };
  }
  if (!ours || ours.status !== 'PRIMARY') {
    if (primary && primary.id !== deploymentId) {
      // Real ECS brings the last COMPLETED deployment back as PRIMARY with its old id, and our deployment may
      // still read ACTIVE / IN_PROGRESS for a while: a PRIMARY created before ours, or running an earlier
      // revision of our family, is a rollback even before the event or our FAILED state shows.
      const broughtBack =
        ours?.createdAt !== undefined &&
        primary.createdAt !== undefined &&
        primary.createdAt.getTime() < ours.createdAt.getTime();
      const revision = (arn: string | undefined) => /task-definition\/([^:]+):(\d+)$/.exec(arn ?? '');
      const theirs = revision(primary.taskDefinition);
      const mine = revision(taskDefinitionArn);
      const earlier =
        ours?.rolloutState !== 'COMPLETED' &&
        !!theirs &&
        !!mine &&
        theirs[1] === mine[1] &&
        Number(theirs[2]) < Number(mine[2]);
      if (broughtBack || earlier) {
        return {
          kind: 'rolled-back',
          reason: goneReason ?? 'the deployment failed and ECS started a rollback',
          rollbackDeploymentId: primary.id,
          rollbackTaskDefinition: primary.taskDefinition
        };
      }
      if (
        rollingBack ||
        (primary.taskDefinition !== taskDefinitionArn && ours?.rolloutState !== 'COMPLETED')
      ) {
        return {
          kind: rollingBack ? 'rolled-back' : 'replaced',
          reason: rollingBack
            ? (goneReason ?? 'the deployment failed and ECS started a rollback')
            : `deployment ${primary.id} (task definition ${primary.taskDefinition}) replaced ours`,
          rollbackDeploymentId: primary.id,
          rollbackTaskDefinition: primary.taskDefinition,
          byDeploymentId: primary.id,
          byTaskDefinition: primary.taskDefinition
        } as WatchOutcome;
      }
      return {
        kind: 'replaced',
        reason: `deployment ${primary.id} replaced ours`,
        byDeploymentId: primary.id,
        byTaskDefinition: primary.taskDefinition
      };
    }
    return undefined;
  }
  const settled = (ours.runningCount ?? 0) === (ours.desiredCount ?? 0);
  if (ours.rolloutState === 'COMPLETED' && settled) return { kind: 'completed', deployment: ours };
  if (ours.rolloutState === undefined && settled && deployments.length === 1) {
    return { kind: 'completed', deployment: ours };
  }
  return undefined;
}

function formatDeployment(d: Deployment | undefined): string {
  if (!d) return 'deployment not listed';
  return `${d.rolloutState ?? d.status}: running ${d.runningCount ?? 0}/${d.desiredCount ?? 0}, pending ${d.pendingCount ?? 0}, failed tasks ${d.failedTasks ?? 0}`;
}

/**
 * Follows a deployment until it completes, fails, is rolled back or replaced, or the timeout passes.
 * The first DescribeServices call is made at once; then one per `pollInterval`.
 * @throws the SDK's errors when DescribeServices keeps failing after the SDK's own retries.
 */
export async function watchDeployment(
  ecs: ECSClient,
  options: WatchOptions,
  reporter: Reporter
): Promise<WatchResult> {
  const started = options.clock();
  const events: ServiceEventLine[] = [];
  let polls = 0;
  let lastStatus = '';
  for (;;) {
    const service = await describeService(ecs, options.cluster, options.service);
    polls += 1;
    const fresh = takeNewEvents(service, options.seenEventIds);
    for (const e of fresh) reporter.info(`event ${e.at}: ${e.message}`);
    events.push(...fresh);
    const outcome = judgeDeployment(
      service,
      options.deploymentId,
      options.taskDefinitionArn,
      events.map((e) => e.message)
    );
    const ours = service.deployments?.find((d) => d.id === options.deploymentId);
    const status = formatDeployment(ours);
    if (status !== lastStatus) {
      reporter.info(`deployment ${options.deploymentId}: ${status}`);
      lastStatus = status;
    }
    if (outcome) return { outcome, events, polls };
    const remainingMs = options.timeout.ms - (options.clock() - started);
    if (remainingMs <= 0) return { outcome: { kind: 'timed-out', deployment: ours }, events, polls };
    // The last wait is cut short so that one final look happens at the deadline.
    await options.sleep(Math.min(options.pollInterval.ms, remainingMs));
  }
}
