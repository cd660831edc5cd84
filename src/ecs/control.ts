/**
 * Acting on a service deployment in flight: continue-deployment answers a lifecycle hook (CONTINUE or
 * ROLLBACK), stop-deployment stops it (ROLLBACK or ABORT); both then optionally follow it like
 * deploy-service does.
 *
 * AWS: DescribeServices, DescribeServiceDeployments, ContinueServiceDeployment, StopServiceDeployment —
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContinueServiceDeployment.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html
 */
import {
  ContinueServiceDeploymentCommand,
  StopServiceDeploymentCommand,
  type ECSClient,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { ConfigurationError, DeploymentError, errorName, show } from '../lib/errors.js';
import { resolveOptions, type InputOf } from '../lib/options.js';
import type { Reporter } from '../lib/reporter.js';
import { realClock, realSleep, type Clock, type Sleep } from '../lib/sleep.js';
import { arnName, ecsClient } from './client.js';
import { continueOptions, stopOptions } from './control-options.js';
import {
  describeServiceDeployment,
  isUnsupported,
  watchServiceDeployment,
  type ServiceDeploymentOutcome
} from './service-deployment.js';
import { describeService, takeNewEvents, type ServiceEventLine } from './watch.js';

/** What both operations need besides their declared options. */
export interface ControlRuntime {
  maxAttempts?: number;
  client?: ECSClient;
  sleep?: Sleep;
  clock?: Clock;
}

/** Options of continueDeployment: the declared options (src/ecs/control-options.ts `continueOptions`). */
export type ContinueOptions = InputOf<typeof continueOptions> & ControlRuntime;
/** Options of stopDeployment: the declared options (src/ecs/control-options.ts `stopOptions`). */
export type StopOptions = InputOf<typeof stopOptions> & ControlRuntime;

/** What continueDeployment or stopDeployment did. */
export interface ControlResult {
  cluster: string;
  service: string;
  serviceDeploymentArn: string;
  /** What was sent: CONTINUE / ROLLBACK (continue-deployment) or ROLLBACK / ABORT (stop-deployment). */
  action: string;
  /** The hook answered (continue-deployment). */
  hookId?: string;
  /** The service deployment's status and stage at the end. */
  status: string;
  lifecycleStage?: string;
  /** How the wait ended; `not-waited` when wait was false. */
  outcome: ServiceDeploymentOutcome['kind'] | 'not-waited';
  /** A PAUSE hook awaiting action when the wait stopped there. */
  nextHookId?: string;
  ok: boolean;
  message: string;
  events: ServiceEventLine[];
}

/** The service deployment to act on: the given ARN, else the service's current one; with the client. */
async function target(
  options: { region?: string; cluster: string; service: string; serviceDeploymentArn?: string },
  input: { client?: ECSClient; maxAttempts?: number }
): Promise<{ ecs: ECSClient; arn: string; deployment: ServiceDeployment; seen: Set<string> }> {
  const ecs = input.client ?? ecsClient({ region: options.region, maxAttempts: input.maxAttempts });
  return {
    ecs,
    ...(await deploymentToActOn(ecs, options.cluster, options.service, options.serviceDeploymentArn))
  };
}

/** The last segment of an ARN (`.../NAME`), or the value itself when it is a name. */
const nameOf = (value: string): string => (value.startsWith('arn:') ? arnName(value) : value);

/**
 * Refuses a service deployment ARN of another service than the one named: the action would act on one
 * service and follow (and report) another.
 * @throws ConfigurationError naming service-deployment-arn.
 */
function checkBelongs(arn: string, cluster: string, service: string): void {
  const [, ofCluster, ofService] = /:service-deployment\/([^/]+)\/([^/]+)\//.exec(arn) ?? [];
  if (ofCluster === undefined || ofService === undefined) return;
  if (ofCluster === nameOf(cluster) && ofService === nameOf(service)) return;
  throw new ConfigurationError(
    `service-deployment-arn ${show(arn)} is a deployment of service ${ofService} in cluster ${ofCluster}, not of \`service\` ${show(service)} in \`cluster\` ${show(cluster)}; give a service deployment of that service (deploy-service's service-deployment-arn output) or leave it empty for its current one. Nothing was sent.`,
    'service-deployment-arn'
  );
}

/** The service deployment to act on: the given ARN, else the service's current one. */
async function deploymentToActOn(
  ecs: ECSClient,
  cluster: string,
  service: string,
  given: string | undefined
): Promise<{ arn: string; deployment: ServiceDeployment; seen: Set<string> }> {
  if (given) checkBelongs(given, cluster, service);
  const described = await describeService(ecs, cluster, service);
  const seen = new Set<string>();
  takeNewEvents(described, seen);
  const arn = given ?? described.currentServiceDeployment;
  if (!arn) {
    throw new ConfigurationError(
      `Service ${service} in cluster ${cluster} has no current service deployment (DescribeServices returned no currentServiceDeployment: ECS records none, or this control plane has no ServiceDeployment API); give service-deployment-arn.`,
      'service-deployment-arn'
    );
  }
  let deployment: ServiceDeployment | undefined;
  try {
    deployment = await describeServiceDeployment(ecs, arn);
  } catch (error) {
    if (!isUnsupported(error)) throw error;
    throw new ConfigurationError(
      `This ECS control plane has no ServiceDeployment API (DescribeServiceDeployments: ${errorName(error)}), which continue-deployment and stop-deployment act through; nothing was sent for ${show(arn)}.`
    );
  }
  if (!deployment) {
    throw new ConfigurationError(
      `service-deployment-arn ${show(arn)} is not a service deployment ECS knows (DescribeServiceDeployments reports it missing).`,
      'service-deployment-arn'
    );
  }
  return { arn, deployment, seen };
}

/**
 * Answers a lifecycle hook of a service deployment, then (with `wait`) follows it: after CONTINUE until
 * `waitUntil`, after ROLLBACK until the rollback settles. The hook is `hookId`, else the one hook
 * AWAITING_ACTION; anything else is refused before ContinueServiceDeployment is sent.
 * @throws ConfigurationError when there is no such deployment or no hook awaiting action (nothing sent).
 * @throws DeploymentError when the deployment then fails, rolls back (after CONTINUE) or the wait times out.
 */
export async function continueDeployment(input: ContinueOptions, reporter: Reporter): Promise<ControlResult> {
  const options = resolveOptions(continueOptions, input);
  const { ecs, arn, deployment, seen } = await target(options, input);
  const waiting = (deployment.lifecycleHookDetails ?? []).filter((h) => h.status === 'AWAITING_ACTION');
  const hook = options.hookId
    ? deployment.lifecycleHookDetails?.find((h) => h.hookId === options.hookId)
    : waiting.length === 1
      ? waiting[0]
      : undefined;
  if (!hook || hook.status !== 'AWAITING_ACTION') {
    const listed = (deployment.lifecycleHookDetails ?? [])
      .map((h) => `${h.hookId} (${h.targetType ?? 'hook'}, ${h.status})`)
      .join(', ');
    throw new ConfigurationError(
      options.hookId
        ? `hook-id ${show(options.hookId)} is not awaiting action in ${arnName(arn)}; its hooks: ${listed || 'none'}.`
        : `${arnName(arn)} (${deployment.status}, stage ${deployment.lifecycleStage ?? '?'}) has ${waiting.length} hooks awaiting action; ${waiting.length ? 'name one with hook-id' : 'there is nothing to continue'}${listed ? ` (hooks: ${listed})` : ''}.`,
      'hook-id'
    );
  }
  await ecs.send(
    new ContinueServiceDeploymentCommand({
      serviceDeploymentArn: arn,
      hookId: hook.hookId!,
      action: options.action
    })
  );
  reporter.info(`${arnName(arn)}: hook ${hook.hookId} answered ${options.action}`);
  const changed = [`hook ${hook.hookId} of ${arnName(arn)} answered ${options.action}`];
  return follow(ecs, reporter, {
    cluster: options.cluster,
    service: options.service,
    arn,
    action: options.action,
    hookId: hook.hookId,
    wait: options.wait,
    waitUntil: options.action === 'ROLLBACK' ? 'settled' : options.waitUntil,
    timeout: options.timeout,
    pollInterval: options.pollInterval,
    seen,
    changed,
    sleep: input.sleep ?? realSleep,
    clock: input.clock ?? realClock
  });
}

/**
 * Stops a service deployment (ROLLBACK: back to the revision the service ran before; ABORT: where it is),
 * then (with `wait`) follows it until it settles.
 * @throws ConfigurationError when there is no such deployment or it has already ended (nothing sent).
 * @throws DeploymentError when the rollback fails or the wait times out.
 */
export async function stopDeployment(input: StopOptions, reporter: Reporter): Promise<ControlResult> {
  const options = resolveOptions(stopOptions, input);
  const { ecs, arn, deployment, seen } = await target(options, input);
  if (!['PENDING', 'IN_PROGRESS'].includes(deployment.status ?? '')) {
    const which = options.serviceDeploymentArn
      ? `service-deployment-arn ${show(arn)}`
      : `The current service deployment of ${options.service}, ${show(arn)},`;
    throw new ConfigurationError(
      `${which} is ${deployment.status}; only a PENDING or IN_PROGRESS service deployment can be stopped. Nothing was sent.`,
      'service-deployment-arn'
    );
  }
  await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: options.stopType }));
  reporter.info(`${arnName(arn)}: stop requested (${options.stopType})`);
  return follow(ecs, reporter, {
    cluster: options.cluster,
    service: options.service,
    arn,
    action: options.stopType,
    wait: options.wait,
    waitUntil: 'settled',
    timeout: options.timeout,
    pollInterval: options.pollInterval,
    seen,
    changed: [`stop (${options.stopType}) of ${arnName(arn)} requested`],
    sleep: input.sleep ?? realSleep,
    clock: input.clock ?? realClock
  });
}

/** The shared tail of both operations: follow (or not) and judge against what was asked. */
async function follow(
  ecs: ECSClient,
  reporter: Reporter,
  f: {
    cluster: string;
    service: string;
    arn: string;
    /** CONTINUE, ROLLBACK (continue) or the stop type; ROLLBACK means ROLLBACK_SUCCESSFUL is success. */
    action: string;
    hookId?: string;
    wait: boolean;
    waitUntil: Parameters<typeof watchServiceDeployment>[1]['waitUntil'];
    timeout: Parameters<typeof watchServiceDeployment>[1]['timeout'];
    pollInterval: Parameters<typeof watchServiceDeployment>[1]['pollInterval'];
    seen: Set<string>;
    changed: string[];
    sleep: Sleep;
    clock: Clock;
  }
): Promise<ControlResult> {
  const base = {
    cluster: f.cluster,
    service: f.service,
    serviceDeploymentArn: f.arn,
    action: f.action,
    hookId: f.hookId
  };
  if (!f.wait) {
    const now = await describeServiceDeployment(ecs, f.arn);
    return {
      ...base,
      status: now?.status ?? 'UNKNOWN',
      lifecycleStage: now?.lifecycleStage,
      outcome: 'not-waited',
      ok: true,
      message: `${f.action} sent to ${arnName(f.arn)}; not waiting.`,
      events: []
    };
  }
  const watched = await watchServiceDeployment(
    ecs,
    {
      cluster: f.cluster,
      service: f.service,
      serviceDeploymentArn: f.arn,
      waitUntil: f.waitUntil,
      timeout: f.timeout,
      pollInterval: f.pollInterval,
      seenEventIds: f.seen,
      sleep: f.sleep,
      clock: f.clock
    },
    reporter
  );
  const o = watched.outcome;
  const status = o.deployment?.status ?? 'UNKNOWN';
  // What success is depends on what was asked: a rollback that ended ROLLBACK_SUCCESSFUL, an abort that
  // ended STOPPED, or a continued deployment that reached `waitUntil`.
  const ok =
    f.action === 'ROLLBACK'
      ? status === 'ROLLBACK_SUCCESSFUL'
      : f.action === 'ABORT'
        ? status === 'STOPPED'
        : o.kind === 'completed' || o.kind === 'traffic-shifted' || o.kind === 'paused';
  const message =
    o.kind === 'timed-out'
      ? `${arnName(f.arn)} did not settle within ${f.timeout} after ${f.action} (status ${status}).`
      : o.kind === 'paused'
        ? `${arnName(f.arn)} is paused at hook ${o.hookId} (stage ${o.deployment.lifecycleStage}).`
        : o.kind === 'rolled-back' || o.kind === 'stopped'
          ? `${arnName(f.arn)} ended ${status}: ${o.cause.reason.replace(/\.$/, '')}.`
          : `${arnName(f.arn)} is ${status}.`;
  const result: ControlResult = {
    ...base,
    status,
    lifecycleStage: o.deployment?.lifecycleStage,
    outcome: o.kind,
    nextHookId: o.kind === 'paused' ? o.hookId : undefined,
    ok,
    message,
    events: watched.events
  };
  if (!ok) throw new DeploymentError(message, { result, changed: f.changed });
  return result;
}
