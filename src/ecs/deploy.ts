/**
 * deploy-service: point a service at a task definition, then follow that deployment until it completes or
 * fails, streaming service events, and explain a failure from the stopped tasks.
 *
 * AWS APIs: DescribeServices, DescribeTaskDefinition, UpdateService, ListTasks, DescribeTasks —
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
 */
import { DescribeTaskDefinitionCommand, UpdateServiceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { AwsOptions } from '../lib/aws.js';
import { ConfigurationError, DeploymentError, show } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';
import { realClock, realSleep, type Clock, type Sleep } from '../lib/sleep.js';
import { arnName, ecsClient } from './client.js';
import { describeGroups, diagnoseStoppedTasks, type StoppedTaskGroup } from './diagnose.js';
import {
  describeService,
  takeNewEvents,
  watchDeployment,
  type ServiceEventLine,
  type WatchOutcome
} from './watch.js';

/** Options of deployService. */
export interface DeployOptions extends AwsOptions {
  cluster: string;
  service: string;
  /** Full ARN or `family:revision` of a registered task definition. */
  taskDefinitionArn: string;
  /** New desired task count; unchanged when undefined. */
  desiredCount?: number;
  /** Start a new deployment even if the task definition is unchanged. */
  forceNewDeployment?: boolean;
  /** Follow the deployment (default true). */
  wait?: boolean;
  /** Seconds to wait for the deployment (default 1800). */
  timeoutSeconds?: number;
  /** Seconds between DescribeServices calls (default 10). */
  pollIntervalSeconds?: number;
  /** On timeout, return the service to the task definition it ran before and wait for that. */
  rollbackOnTimeout?: boolean;
  client?: ECSClient;
  sleep?: Sleep;
  clock?: Clock;
}

/**
 * The end of a deploy: `completed` (success), `not-waited` (wait false), `failed` (circuit breaker tripped),
 * `rolled-back` (breaker rollback started by ECS), `replaced` (someone else's deployment took over),
 * `timed-out`, `timed-out-rolled-back` (our rollback after a timeout completed).
 */
export type DeployOutcome = 'completed' | 'not-waited' | WatchOutcome['kind'] | 'timed-out-rolled-back';

/** What deployService did. */
export interface DeployResult {
  cluster: string;
  service: string;
  deploymentId: string;
  /** rolloutState of our deployment at the end (IN_PROGRESS when not waited or timed out). */
  rolloutState: string;
  outcome: DeployOutcome;
  /** True for completed and not-waited. */
  ok: boolean;
  /** One sentence for a person. */
  message: string;
  taskDefinitionArn: string;
  previousTaskDefinitionArn?: string;
  images: { container: string; image: string }[];
  durationSeconds: number;
  /** Service events seen during the deployment, oldest first. */
  events: ServiceEventLine[];
  /** Stopped tasks of our task definition, grouped, when the deployment did not complete. */
  failures: StoppedTaskGroup[];
  /** DescribeServices calls made while waiting. */
  polls: number;
}

/**
 * Checks the options without calling AWS.
 * @throws ConfigurationError naming the input.
 */
export function validateDeployOptions(options: DeployOptions): void {
  const required: [keyof DeployOptions, string][] = [
    ['cluster', 'cluster'],
    ['service', 'service'],
    ['taskDefinitionArn', 'task-definition-arn']
  ];
  for (const [key, input] of required) {
    if (!options[key]) throw new ConfigurationError(`Input required and not supplied: ${input}`, input);
  }
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(options.service) && !options.service.startsWith('arn:')) {
    throw new ConfigurationError(
      `service ${show(options.service)} is not a service name (letters, numbers, hyphens, underscores) or ARN.`,
      'service'
    );
  }
  if (
    !/^(arn:aws[\w-]*:ecs:[\w-]+:\d{12}:task-definition\/)?[A-Za-z0-9_-]{1,255}:\d+$/.test(
      options.taskDefinitionArn
    )
  ) {
    throw new ConfigurationError(
      `task-definition-arn ${show(options.taskDefinitionArn)} is not a task definition ARN or family:revision (for example arn:aws:ecs:us-east-1:123456789012:task-definition/app:7).`,
      'task-definition-arn'
    );
  }
}

/**
 * Updates the service and (unless `wait` is false) follows the new deployment.
 * Before UpdateService it checks that the service exists and is ACTIVE and the task definition is registered,
 * so a bad input never leaves the service pointing at something that does not exist.
 * @throws ConfigurationError for bad options; DeploymentError when the service or task definition is missing.
 *   A rollout that fails is not thrown: it is returned with `ok: false` and the diagnosis.
 */
export async function deployService(options: DeployOptions, reporter: Reporter): Promise<DeployResult> {
  validateDeployOptions(options);
  const ecs = options.client ?? ecsClient(options);
  const sleep = options.sleep ?? realSleep;
  const clock = options.clock ?? realClock;
  const timeoutSeconds = options.timeoutSeconds ?? 1800;
  const pollIntervalSeconds = options.pollIntervalSeconds ?? 10;
  const started = clock();

  const before = await describeService(ecs, options.cluster, options.service);
  const controller = before.deploymentController?.type ?? 'ECS';
  if (controller !== 'ECS') {
    throw new ConfigurationError(
      `Service ${options.service} uses the ${controller} deployment controller; deploy-service drives rolling (ECS) deployments. ${controller === 'CODE_DEPLOY' ? 'Deploy it through a CodeDeploy deployment (appspec) instead.' : 'Deploy it through its task sets instead.'}`,
      'service'
    );
  }
  if (before.status !== 'ACTIVE') {
    throw new DeploymentError(
      `Service ${options.service} is ${before.status}, not ACTIVE; it cannot be deployed.`
    );
  }
  let taskDefinition;
  try {
    taskDefinition = (
      await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: options.taskDefinitionArn }))
    ).taskDefinition;
  } catch (error) {
    if ((error as { name?: string }).name === 'ClientException') {
      throw new DeploymentError(
        `Task definition ${options.taskDefinitionArn} is not registered; the service was not changed.`
      );
    }
    throw error;
  }
  const taskDefinitionArn = taskDefinition?.taskDefinitionArn ?? options.taskDefinitionArn;
  if (taskDefinition?.status === 'INACTIVE') {
    reporter.warn(
      `${arnName(taskDefinitionArn)} is INACTIVE (deregistered); ECS may refuse new deployments of it.`
    );
  }
  const images = (taskDefinition?.containerDefinitions ?? []).map((c) => ({
    container: c.name ?? '',
    image: c.image ?? ''
  }));
  const previousTaskDefinitionArn = before.taskDefinition;
  const seen = new Set<string>();
  takeNewEvents(before, seen); // events before our deployment are history, not news
  const inFlight = (before.deployments ?? []).filter((d) => d.rolloutState === 'IN_PROGRESS');
  if (inFlight.length) {
    reporter.warn(
      `Service ${options.service} already has a deployment in progress (${inFlight.map((d) => d.id).join(', ')}); ours replaces it.`
    );
  }

  const updated = await ecs.send(
    new UpdateServiceCommand({
      cluster: options.cluster,
      service: options.service,
      taskDefinition: taskDefinitionArn,
      desiredCount: options.desiredCount,
      forceNewDeployment: options.forceNewDeployment
    })
  );
  const primary = updated.service?.deployments?.find((d) => d.status === 'PRIMARY');
  if (!primary?.id) throw new DeploymentError('UpdateService returned no PRIMARY deployment.');
  const deploymentId = primary.id;
  reporter.info(
    `service ${options.service}: ${arnName(previousTaskDefinitionArn)} → ${arnName(taskDefinitionArn)}, deployment ${deploymentId}`
  );
  const base = {
    cluster: options.cluster,
    service: options.service,
    deploymentId,
    taskDefinitionArn,
    previousTaskDefinitionArn,
    images
  };
  const seconds = () => Math.round((clock() - started) / 1000);
  if (options.wait === false) {
    return {
      ...base,
      rolloutState: primary.rolloutState ?? 'IN_PROGRESS',
      outcome: 'not-waited',
      ok: true,
      message: `Deployment ${deploymentId} started; not waiting for it.`,
      durationSeconds: seconds(),
      events: [],
      failures: [],
      polls: 0
    };
  }

  /** Follows one deployment of this service with the shared settings and event history. */
  const follow = (id: string, arn: string) =>
    watchDeployment(
      ecs,
      {
        ...options,
        deploymentId: id,
        taskDefinitionArn: arn,
        timeoutSeconds,
        pollIntervalSeconds,
        seenEventIds: seen,
        sleep,
        clock
      },
      reporter
    );
  const watched = await follow(deploymentId, taskDefinitionArn);
  let outcome: DeployOutcome = watched.outcome.kind;
  let events = watched.events;
  let polls = watched.polls;
  let message = describeOutcome(watched.outcome, deploymentId, timeoutSeconds);

  if (watched.outcome.kind === 'timed-out' && options.rollbackOnTimeout && previousTaskDefinitionArn) {
    reporter.warn(`${message} Rolling back to ${arnName(previousTaskDefinitionArn)}.`);
    const rollback = await ecs.send(
      new UpdateServiceCommand({
        cluster: options.cluster,
        service: options.service,
        taskDefinition: previousTaskDefinitionArn
      })
    );
    const rollbackId = rollback.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id ?? '';
    const back = await follow(rollbackId, previousTaskDefinitionArn);
    events = [...events, ...back.events];
    polls += back.polls;
    if (back.outcome.kind === 'completed') {
      outcome = 'timed-out-rolled-back';
      message = `${message} Rolled back to ${arnName(previousTaskDefinitionArn)} (deployment ${rollbackId} completed).`;
    } else {
      message = `${message} The rollback to ${arnName(previousTaskDefinitionArn)} did not complete either: ${describeOutcome(back.outcome, rollbackId, timeoutSeconds)}`;
    }
  }

  const ok = outcome === 'completed';
  const failures = ok
    ? []
    : await diagnoseStoppedTasks(ecs, options.cluster, options.service, taskDefinitionArn);
  if (!ok) for (const line of describeGroups(failures)) reporter.info(line);
  const final = (await describeService(ecs, options.cluster, options.service)).deployments?.find(
    (d) => d.id === deploymentId
  );
  return {
    ...base,
    rolloutState: final?.rolloutState ?? (watched.outcome.kind === 'completed' ? 'COMPLETED' : 'FAILED'),
    outcome,
    ok,
    message,
    durationSeconds: seconds(),
    events,
    failures,
    polls
  };
}

function describeOutcome(outcome: WatchOutcome, deploymentId: string, timeoutSeconds: number): string {
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
      return `Deployment ${deploymentId} did not complete within ${timeoutSeconds} s.`;
  }
}
