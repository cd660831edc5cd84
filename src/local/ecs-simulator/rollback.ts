/**
 * Failing a service deployment and rolling it back, with the shapes real ECS shows:
 * - the deployment's rolloutState becomes FAILED ("ECS deployment circuit breaker: tasks failed to start." /
 *   "ECS deployment alarms: alarm detected."), with the service event "(service NAME) (deployment ID) deployment
 *   failed: ..." for the circuit breaker and alarms
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html);
 * - a rollback brings the last COMPLETED deployment back as PRIMARY **with its old id**, its rolloutState going
 *   from COMPLETED to IN_PROGRESS (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html),
 *   and the event "(service NAME) rolling back to deployment OLD-ID." names it;
 * - the failed deployment may still read ACTIVE / IN_PROGRESS in the next DescribeServices answers
 *   (`staleReads`), as public transcripts of real ECS show;
 * - the service deployment goes ROLLBACK_REQUESTED → ROLLBACK_IN_PROGRESS → ROLLBACK_SUCCESSFUL (or
 *   ROLLBACK_FAILED), with `rollback {reason, startedAt, serviceRevisionArn}`; without rollback it is STOPPED
 *   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html, stoppedAt).
 * When no COMPLETED deployment exists, a circuit breaker or alarm failure leaves the deployment stalled: FAILED,
 * launching nothing, its service deployment still IN_PROGRESS (the developer guide: "the deployment is stalled").
 */
import {
  ALARM_REASON,
  CIRCUIT_BREAKER_REASON,
  addEvent,
  deploymentFailed,
  deploymentFailedAlarm,
  rollbackReason,
  rollingBack
} from './events.js';
import type {
  Deployment,
  FailureTrigger,
  Json,
  Service,
  ServiceDeploymentRecord,
  ServiceDeploymentStatus,
  SimulatorState
} from './state.js';

/** Statuses after which a service deployment no longer changes. */
export const TERMINAL: readonly ServiceDeploymentStatus[] = [
  'SUCCESSFUL',
  'STOPPED',
  'ROLLBACK_SUCCESSFUL',
  'ROLLBACK_FAILED'
];

/** True while a service deployment is rolling back. */
export const rollingBackStatus = (sd: ServiceDeploymentRecord): boolean =>
  sd.status === 'ROLLBACK_REQUESTED' || sd.status === 'ROLLBACK_IN_PROGRESS';

/** The deployment a service deployment deploys, if the service still lists it. */
export function targetDeployment(service: Service, sd: ServiceDeploymentRecord): Deployment | undefined {
  return service.deployments.find((d) => d.id === sd.targetDeploymentId);
}

/** The deployment a rollback of `service` would bring back: the newest COMPLETED one other than `except`. */
export function rollbackTarget(service: Service, except: Deployment | undefined): Deployment | undefined {
  return service.deployments.find((d) => d !== except && d.rolloutState === 'COMPLETED');
}

const ROLLOUT_REASON: Record<FailureTrigger, string> = {
  'circuit-breaker': CIRCUIT_BREAKER_REASON,
  alarm: ALARM_REASON,
  hook: 'ECS deployment lifecycle hook failed.',
  stop: 'ECS deployment stopped: rollback requested.',
  continue: 'ECS deployment lifecycle hook action: ROLLBACK.'
};

const ROLLBACK_PREFIX: Record<FailureTrigger, string> = {
  'circuit-breaker': 'ECS deployment circuit breaker',
  alarm: 'ECS deployment alarms',
  hook: 'ECS deployment lifecycle hook',
  stop: 'ECS deployment stop request',
  continue: 'ECS deployment lifecycle hook action'
};

/**
 * Marks `deployment` FAILED (rolloutState and its reason for `trigger`), records when, and adds the service
 * event ECS writes for a circuit-breaker or alarm failure.
 */
export function markDeploymentFailed(
  state: SimulatorState,
  service: Service,
  deployment: Deployment,
  trigger: FailureTrigger,
  now: number
): void {
  deployment.rolloutState = 'FAILED';
  deployment.rolloutStateReason = ROLLOUT_REASON[trigger];
  deployment.updatedAt = now;
  state.failedAt.set(deployment.id, now);
  if (trigger === 'circuit-breaker') addEvent(service, deploymentFailed(service.name, deployment.id), now);
  if (trigger === 'alarm') addEvent(service, deploymentFailedAlarm(service.name, deployment.id), now);
}

/**
 * Fails service deployment `sd` of `service`: its deployment FAILED and then, when `rollback` holds, rolled
 * back (see the module comment). `reason` becomes the service deployment's statusReason.
 */
export function failServiceDeployment(
  state: SimulatorState,
  service: Service,
  sd: ServiceDeploymentRecord,
  trigger: FailureTrigger,
  reason: string,
  rollback: boolean,
  now: number
): void {
  const ours = targetDeployment(service, sd);
  const before = ours ? { state: ours.rolloutState, reason: ours.rolloutStateReason } : undefined;
  if (ours && ours.rolloutState !== 'FAILED') markDeploymentFailed(state, service, ours, trigger, now);
  if (trigger === 'circuit-breaker') {
    sd.breakerStatus = 'TRIGGERED';
    sd.failureCountAtTrip ??= ours?.failedTasks;
  }
  if (trigger === 'alarm') sd.alarmStatus = 'TRIGGERED';
  sd.statusReason = reason;
  sd.updatedAt = now;
  for (const run of sd.hookRuns) {
    if (run.status === 'AWAITING_ACTION' || run.status === 'IN_PROGRESS') run.status = 'FAILED';
  }
  if (!rollback) {
    sd.status = 'STOPPED';
    sd.stoppedAt = now;
    return;
  }
  const target = rollbackTarget(service, ours);
  if (!target) {
    if (trigger === 'circuit-breaker' || trigger === 'alarm') return; // stalled, as documented
    sd.status = 'ROLLBACK_FAILED';
    sd.statusReason = `${reason} No COMPLETED service revision to roll back to.`;
    sd.finishedAt = now;
    return;
  }
  if (ours) {
    ours.status = 'ACTIVE';
    if (before && state.options.staleReads > 0) {
      ours.stale = {
        reads: state.options.staleReads,
        rolloutState: before.state === 'FAILED' ? 'IN_PROGRESS' : before.state,
        rolloutStateReason: before.reason
      };
    }
  }
  bringBack(state, service, target, ROLLBACK_PREFIX[trigger], now);
  sd.status = 'ROLLBACK_REQUESTED';
  sd.rollback = { reason, startedAt: now, serviceRevisionArn: target.revisionArn, deploymentId: target.id };
  routeAllTraffic(sd, target.revisionArn);
}

/**
 * Puts all production and test traffic (100 %) on one revision and none on the others, as a finished or
 * rolled-back deployment requests it. A ROLLING deployment (no managed traffic shifting, empty weights) is left
 * as it is.
 */
export function routeAllTraffic(sd: ServiceDeploymentRecord, revisionArn: string): void {
  if (Object.keys(sd.weights).length === 0) return;
  for (const arn of Object.keys(sd.weights)) sd.weights[arn] = { production: 0, test: 0 };
  sd.weights[revisionArn] = { production: 100, test: 100 };
}

/** Makes `target` the PRIMARY again (old id, rolloutState IN_PROGRESS) and restores its revision's settings. */
function bringBack(
  state: SimulatorState,
  service: Service,
  target: Deployment,
  prefix: string,
  now: number
): void {
  for (const d of service.deployments) d.status = 'ACTIVE';
  target.status = 'PRIMARY';
  target.rolloutState = 'IN_PROGRESS';
  target.rolloutStateReason = rollbackReason(prefix, target.id);
  target.desiredCount = service.desiredCount;
  target.updatedAt = now;
  service.deployments = [target, ...service.deployments.filter((d) => d !== target)];
  service.taskDefinition = target.taskDefinition;
  const revision = state.serviceRevisions.get(target.revisionArn);
  if (revision) {
    service.networkConfiguration = revision.networkConfiguration as Json | undefined;
    service.loadBalancers = revision.loadBalancers;
    service.platformVersion = revision.platformVersion;
  }
  addEvent(service, rollingBack(service.name, target.id), now);
}
