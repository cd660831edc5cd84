/**
 * Following a deployment through ECS's own record of it, the ServiceDeployment (2024-10): its status,
 * lifecycle stage, traffic weights, rollback, circuit breaker, alarms and lifecycle hooks. This is how a
 * deployment with any strategy (ROLLING, BLUE_GREEN, LINEAR, CANARY) is watched; `Deployment.rolloutState`
 * (watch.ts) is documented for the rolling type only and is the fallback for control planes without this API.
 *
 * AWS: ListServiceDeployments, DescribeServiceDeployments —
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceDeployments.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  type DeploymentLifecycleHookDetail,
  type ECSClient,
  type Service,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { Duration } from '../lib/duration.js';
import { DeploymentError, errorName, messageOf } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';
import type { Clock, Sleep } from '../lib/sleep.js';
import { arnName } from './client.js';
import { describeService, takeNewEvents, type ServiceEventLine } from './watch.js';

/** What deploy-service waits for. */
export const WAIT_UNTIL = ['completed', 'traffic-shifted', 'paused'] as const;

/** The statuses after which a service deployment changes no more. */
export const SETTLED_STATUSES = ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'] as const;
/**
 * `completed`: the service deployment is SUCCESSFUL. `traffic-shifted`: production traffic is fully on the
 * new revision (bake time under way; for ROLLING, which shifts no traffic, the same as completed).
 * `paused`: a PAUSE lifecycle hook is AWAITING_ACTION (continue it with continue-deployment).
 */
export type WaitUntil = (typeof WAIT_UNTIL)[number];

/** The statuses that mean the deployment failed or was stopped: never wait for them to settle. */
export const FAILED_STATUSES = [
  'ROLLBACK_REQUESTED',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_SUCCESSFUL',
  'ROLLBACK_FAILED',
  'STOP_REQUESTED',
  'STOPPED'
] as const;

/** Lifecycle stages at which production traffic has been shifted to the target revision. */
const AFTER_PRODUCTION_SHIFT = new Set(['POST_PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'CLEAN_UP']);

/** Why a service deployment failed, as far as ECS says. */
export interface FailureCause {
  /** What tripped: the circuit breaker, an alarm, a lifecycle hook, a stop request, or ECS did not say. */
  kind: 'circuit-breaker' | 'alarm' | 'hook' | 'stopped' | 'other';
  /** One sentence for a person. */
  reason: string;
  /** Alarms in ALARM (`alarms.triggeredAlarmNames`). */
  alarms?: string[];
  /** The hook that failed or timed out. */
  hook?: DeploymentLifecycleHookDetail;
}

/** How a watched service deployment ended (or reached what `waitUntil` asked for). */
export type ServiceDeploymentOutcome =
  | { kind: 'completed'; deployment: ServiceDeployment }
  | { kind: 'traffic-shifted'; deployment: ServiceDeployment }
  | { kind: 'paused'; deployment: ServiceDeployment; hookId: string }
  | { kind: 'rolled-back'; deployment: ServiceDeployment; cause: FailureCause }
  | { kind: 'stopped'; deployment: ServiceDeployment; cause: FailureCause }
  | { kind: 'timed-out'; deployment?: ServiceDeployment };

/**
 * Why `deployment` failed, from what ECS recorded, most specific first: the triggered alarms, the tripped
 * circuit breaker (failures / threshold), a FAILED or TIMED_OUT hook, the rollback reason, statusReason.
 * Alarms and the breaker come before hooks: a hook still pending when an alarm or the breaker fails the
 * deployment ends FAILED as a consequence, and the deployment's own TRIGGERED status says what happened.
 */
export function explainFailure(deployment: ServiceDeployment): FailureCause {
  const status = deployment.status ?? '';
  const hook = deployment.lifecycleHookDetails?.find(
    (h) => h.status === 'FAILED' || h.status === 'TIMED_OUT'
  );
  const said = [...new Set([deployment.rollback?.reason, deployment.statusReason].filter(Boolean))].join(
    '; '
  );
  const suffix = said ? ` (${said})` : '';
  const alarms = deployment.alarms?.triggeredAlarmNames ?? [];
  if (alarms.length > 0 || deployment.alarms?.status === 'TRIGGERED') {
    return {
      kind: 'alarm',
      reason: `deployment alarm${alarms.length === 1 ? '' : 's'} ${alarms.join(', ') || '(unnamed)'} in ALARM${suffix}`,
      alarms
    };
  }
  const breaker = deployment.deploymentCircuitBreaker;
  if (breaker?.status === 'TRIGGERED') {
    const counts = `${breaker.failureCount ?? '?'} failed task(s), threshold ${breaker.threshold ?? '?'}`;
    return {
      kind: 'circuit-breaker',
      reason: said
        ? `${said.replace(/\.$/, '')} (${counts})`
        : `ECS deployment circuit breaker tripped (${counts})`
    };
  }
  if (hook) {
    const target = hook.targetArn ? ` ${arnName(hook.targetArn)}` : '';
    // A Lambda hook answers; a PAUSE hook ends FAILED when it is answered ROLLBACK.
    const how =
      hook.status === 'TIMED_OUT'
        ? `timed out${hook.timeoutAction ? `, its timeout action is ${hook.timeoutAction}` : ''}`
        : hook.targetType === 'PAUSE'
          ? 'ended FAILED'
          : 'answered FAILED';
    return {
      kind: 'hook',
      reason:
        `lifecycle hook ${hook.hookId ?? ''}${target} (${hook.targetType ?? 'hook'}) ${how}${suffix}`.replace(
          / {2}/g,
          ' '
        ),
      hook
    };
  }
  if (status === 'STOP_REQUESTED' || status === 'STOPPED') {
    return { kind: 'stopped', reason: `the deployment was stopped${suffix || ' (StopServiceDeployment)'}` };
  }
  return { kind: 'other', reason: said || `status ${status}` };
}

/**
 * Decides from one DescribeServiceDeployments answer; undefined while the deployment is still on its way to
 * what `waitUntil` asks for. Failure is decided at the first status that shows it (ROLLBACK_* / STOP*),
 * never after the rollback has ended. Pure: exported for unit tests of every branch.
 */
export function judgeServiceDeployment(
  deployment: ServiceDeployment,
  waitUntil: WaitUntil,
  strategy?: string
): ServiceDeploymentOutcome | undefined {
  const status = deployment.status ?? 'PENDING';
  if ((FAILED_STATUSES as readonly string[]).includes(status)) {
    const cause = explainFailure(deployment);
    return status.startsWith('STOP')
      ? { kind: 'stopped', deployment, cause }
      : { kind: 'rolled-back', deployment, cause };
  }
  if (status === 'SUCCESSFUL') return { kind: 'completed', deployment };
  if (waitUntil === 'paused') {
    const paused = deployment.lifecycleHookDetails?.find((h) => h.status === 'AWAITING_ACTION');
    if (paused?.hookId) return { kind: 'paused', deployment, hookId: paused.hookId };
  }
  if (waitUntil === 'traffic-shifted' && (strategy ?? 'ROLLING') !== 'ROLLING') {
    const weight = deployment.targetServiceRevision?.requestedProductionTrafficWeight;
    if (weight === 100 && AFTER_PRODUCTION_SHIFT.has(deployment.lifecycleStage ?? '')) {
      return { kind: 'traffic-shifted', deployment };
    }
  }
  return undefined;
}

/**
 * One line of progress: status, lifecycle stage, the target revision's traffic weights and task counts, the
 * hooks waiting, and the bake time left when an IN_PROGRESS deployment is at BAKE_TIME.
 * @param bakeLeft the bake time still to go, when known.
 */
export function progressLine(deployment: ServiceDeployment, bakeLeft?: Duration): string {
  const target = deployment.targetServiceRevision;
  const parts = [`${deployment.status ?? 'PENDING'}`];
  if (deployment.lifecycleStage) parts.push(`stage ${deployment.lifecycleStage}`);
  if (
    target?.requestedProductionTrafficWeight !== undefined ||
    target?.requestedTestTrafficWeight !== undefined
  ) {
    parts.push(
      `traffic production ${target?.requestedProductionTrafficWeight ?? 0}% test ${target?.requestedTestTrafficWeight ?? 0}%`
    );
  }
  if (target) {
    parts.push(
      `tasks running ${target.runningTaskCount ?? 0}/${target.requestedTaskCount ?? 0}, pending ${target.pendingTaskCount ?? 0}`
    );
  }
  const breaker = deployment.deploymentCircuitBreaker;
  if (breaker?.failureCount) parts.push(`failed tasks ${breaker.failureCount}/${breaker.threshold ?? '?'}`);
  for (const hook of deployment.lifecycleHookDetails ?? []) {
    if (hook.status === 'AWAITING_ACTION' || hook.status === 'IN_PROGRESS')
      parts.push(`hook ${hook.hookId} ${hook.targetType ?? ''} ${hook.status}`.replace(/ {2}/g, ' '));
  }
  // Bake time runs only while the deployment does: not once it rolls back, stops or ends.
  const running = (deployment.status ?? 'PENDING') === 'IN_PROGRESS';
  if (running && deployment.lifecycleStage === 'BAKE_TIME' && bakeLeft)
    parts.push(`bake time left ${bakeLeft}`);
  return parts.join(', ');
}

/**
 * True for the errors of a control plane that has no ServiceDeployment API (an older ECS, an emulator):
 * UnknownOperationException / UnrecognizedClientException, HTTP 404 or 501, or an HTTP 500 whose body is not
 * the service's JSON (the SDK's deserialization error). The last is how moto's server answers an operation
 * it does not implement (a Werkzeug HTML page; ListServiceDeployments, DescribeServiceDeployments and
 * DescribeServiceRevisions with moto 5.2); ECS itself answers every error with an
 * `application/x-amz-json-1.1` body, so a real 500 from ECS is never taken for a missing API.
 */
export function isUnsupported(error: unknown): boolean {
  const name = errorName(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const notJson = name === 'SyntaxError' || /Deserialization error/.test(messageOf(error));
  return (
    name === 'UnknownOperationException' ||
    name === 'UnrecognizedClientException' ||
    status === 404 ||
    status === 501 ||
    (status === 500 && notJson)
  );
}

/** Reads one service deployment. @returns undefined when ECS reports it as a failure (not found). */
export async function describeServiceDeployment(
  ecs: ECSClient,
  arn: string
): Promise<ServiceDeployment | undefined> {
  const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  return out?.serviceDeployments?.find((d) => d.serviceDeploymentArn === arn) ?? out?.serviceDeployments?.[0];
}

/**
 * Finds the service deployment an UpdateService started: `Service.currentServiceDeployment` of its answer,
 * else, of the ListServiceDeployments created at or after `since`, the newest whose target service revision
 * runs `taskDefinitionArn` (DescribeServiceRevisions), else the newest.
 * @returns the ARN; undefined when ECS lists none; 'unsupported' when the control plane lacks the API.
 * @throws the SDK's errors otherwise.
 */
export async function locateServiceDeployment(
  ecs: ECSClient,
  options: { cluster: string; service: string; updated?: Service; since: Date; taskDefinitionArn?: string }
): Promise<string | 'unsupported' | undefined> {
  const current = options.updated?.currentServiceDeployment;
  try {
    if (current) {
      // Confirm the API answers at all (an emulator may echo the field without serving the API).
      await describeServiceDeployment(ecs, current);
      return current;
    }
    const listed = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: options.cluster,
        service: options.service,
        createdAt: { after: new Date(options.since.getTime() - 1000) }
      })
    );
    const newestFirst = [...(listed?.serviceDeployments ?? [])].sort(
      (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0)
    );
    const revisions = newestFirst.flatMap((d) =>
      d.targetServiceRevisionArn ? [d.targetServiceRevisionArn] : []
    );
    if (options.taskDefinitionArn && revisions.length > 0) {
      const described = await ecs.send(
        new DescribeServiceRevisionsCommand({ serviceRevisionArns: revisions.slice(0, 20) })
      );
      const ours = new Set(
        (described.serviceRevisions ?? [])
          .filter((r) => r.taskDefinition === options.taskDefinitionArn)
          .map((r) => r.serviceRevisionArn)
      );
      const match = newestFirst.find((d) => ours.has(d.targetServiceRevisionArn));
      if (match) return match.serviceDeploymentArn;
    }
    return newestFirst[0]?.serviceDeploymentArn;
  } catch (error) {
    if (isUnsupported(error)) return 'unsupported';
    throw error;
  }
}

/** What watchServiceDeployment follows and how. */
export interface ServiceDeploymentWatch {
  cluster: string;
  service: string;
  serviceDeploymentArn: string;
  /** What to wait for; `settled`: any status in SETTLED_STATUSES (after a stop or a rollback request). */
  waitUntil: WaitUntil | 'settled';
  /**
   * The service's deployment strategy; unset: the one the service deployment records
   * (`deploymentConfiguration.strategy`), else ROLLING.
   */
  strategy?: string;
  /**
   * The bake time configured on the service (for the "bake time left" progress); unset: the one the service
   * deployment records, if any.
   */
  bakeTime?: Duration;
  timeout: Duration;
  /** The fixed time between polls (each poll: DescribeServiceDeployments + DescribeServices for events). */
  pollInterval: Duration;
  /** Event ids already shown; updated in place. */
  seenEventIds: Set<string>;
  sleep: Sleep;
  clock: Clock;
}

/** What the watcher saw. */
export interface ServiceDeploymentWatchResult {
  outcome: ServiceDeploymentOutcome;
  events: ServiceEventLine[];
  /** Polls made (each one DescribeServiceDeployments and one DescribeServices). */
  polls: number;
}

/**
 * Polls the service deployment at a fixed interval until `judgeServiceDeployment` decides or the timeout
 * passes; streams new service events and one progress line per change.
 * @throws DeploymentError when ECS stops knowing the deployment; the SDK's errors after its retries.
 */
export async function watchServiceDeployment(
  ecs: ECSClient,
  options: ServiceDeploymentWatch,
  reporter: Reporter
): Promise<ServiceDeploymentWatchResult> {
  const started = options.clock();
  const events: ServiceEventLine[] = [];
  let polls = 0;
  let last = '';
  let bakeStarted: number | undefined;
  for (;;) {
    const deployment = await describeServiceDeployment(ecs, options.serviceDeploymentArn);
    const service = await describeService(ecs, options.cluster, options.service);
    polls += 1;
    for (const e of takeNewEvents(service, options.seenEventIds)) {
      reporter.info(`event ${e.at}: ${e.message}`);
      events.push(e);
    }
    if (!deployment) {
      throw new DeploymentError(
        `ECS no longer describes service deployment ${options.serviceDeploymentArn} of ${options.service}.`
      );
    }
    if (deployment.lifecycleStage === 'BAKE_TIME') bakeStarted ??= options.clock();
    const recorded = deployment.deploymentConfiguration?.bakeTimeInMinutes;
    const bakeTime = options.bakeTime ?? (recorded === undefined ? undefined : Duration.minutes(recorded));
    const bakeLeft =
      bakeStarted !== undefined && bakeTime
        ? Duration.ms(Math.max(0, bakeTime.ms - (options.clock() - bakeStarted)))
        : undefined;
    const line = progressLine(deployment, bakeLeft && Duration.minutes(Math.ceil(bakeLeft.minutes)));
    if (line !== last) {
      reporter.info(`service deployment ${arnName(options.serviceDeploymentArn)}: ${line}`);
      last = line;
    }
    const outcome =
      options.waitUntil === 'settled'
        ? (SETTLED_STATUSES as readonly string[]).includes(deployment.status ?? '')
          ? (judgeServiceDeployment(deployment, 'completed') as ServiceDeploymentOutcome)
          : undefined
        : judgeServiceDeployment(
            deployment,
            options.waitUntil,
            // The service deployment records the strategy it runs with; the caller may not know it
            // (continue-deployment is given no service configuration).
            options.strategy ?? deployment.deploymentConfiguration?.strategy
          );
    if (outcome) return { outcome, events, polls };
    const remaining = options.timeout.ms - (options.clock() - started);
    if (remaining <= 0) return { outcome: { kind: 'timed-out', deployment }, events, polls };
    await options.sleep(Math.min(options.pollInterval.ms, remaining));
  }
}
