/**
 * deploy-service: point a service at a task definition, then follow that deployment until it completes or
 * fails, streaming service events, and explain a failure from the stopped tasks.
 *
 * AWS APIs: DescribeServices, DescribeTaskDefinition, UpdateService, ListTasks, DescribeTasks —
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
 */
import {
  DescribeTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
  type TaskDefinition
} from '@aws-sdk/client-ecs';
import { ChangeLog } from '../lib/changes.js';
import { ConfigurationError, show } from '../lib/errors.js';
import { resolveOptions, type InputOf, type ValuesOf } from '../lib/options.js';
import type { Reporter } from '../lib/reporter.js';
import { realClock, realSleep, type Clock, type Sleep } from '../lib/sleep.js';
import { arnName, ecsClient } from './client.js';
import { describeGroups, diagnoseStoppedTasks, type StoppedTaskGroup } from './diagnose.js';
import { deployOptions } from './options.js';
import { ecsSend } from './call.js';
import {
  applyRegistration,
  prepareRegistration,
  type PreparedRegistration,
  type RegisterResult
} from './register.js';
import { Follower, type FollowKind } from './follow.js';
import { describeService, takeNewEvents, type ServiceEventLine } from './watch.js';

/** What deployService needs besides its declared options (src/ecs/options.ts `deployOptions`). */
export interface DeployRuntime {
  /** Attempts per request including the first (SDK standard retry mode). Default 5. */
  maxAttempts?: number;
  /** An ECS client to use instead of building one (tests, or a caller that already has one). */
  client?: ECSClient;
  sleep?: Sleep;
  clock?: Clock;
}

/**
 * Options of deployService: the declared options (cluster, service, taskDefinitionArn or
 * taskDefinitionFile + images, desiredCount, forceNewDeployment, wait, timeout, pollInterval,
 * rollbackOnTimeout, rollbackTimeout, preflight, region), with the declared defaults for the ones left out.
 */
export type DeployOptions = InputOf<typeof deployOptions> & DeployRuntime;

/**
 * The end of a deploy: `completed` (success), `traffic-shifted` and `paused` (success when `waitUntil` asked
 * for them), `not-waited` (wait false), `failed` (circuit breaker tripped, no rollback), `rolled-back` (ECS
 * rolls back: breaker, alarm or lifecycle hook), `stopped` (StopServiceDeployment), `replaced` (someone
 * else's deployment took over), `timed-out`, `timed-out-rolled-back` (our rollback after a timeout settled).
 */
export type DeployOutcome = 'not-waited' | FollowKind | 'timed-out-rolled-back';

/** What deployService did. */
export interface DeployResult {
  cluster: string;
  service: string;
  deploymentId: string;
  /**
   * rolloutState of our deployment at the end (IN_PROGRESS when not waited or timed out; FAILED once it
   * failed or rolled back, even while DescribeServices still reads it IN_PROGRESS).
   */
  rolloutState: string;
  /** The ServiceDeployment ECS recorded for this deploy (empty on control planes without the API). */
  serviceDeploymentArn?: string;
  /** Its status at the end (SUCCESSFUL, IN_PROGRESS, ROLLBACK_IN_PROGRESS, ...), else the rolloutState. */
  status: string;
  /** Its lifecycle stage at the end. */
  lifecycleStage?: string;
  /** The PAUSE hook awaiting action (outcome `paused`). */
  hookId?: string;
  /** Which record was followed: the ServiceDeployment, or DescribeServices' deployments (fallback). */
  watcher?: 'service-deployment' | 'deployments';
  outcome: DeployOutcome;
  /** True for completed and not-waited. */
  ok: boolean;
  /** One sentence for a person. */
  message: string;
  taskDefinitionArn: string;
  previousTaskDefinitionArn?: string;
  /** The registration of `taskDefinitionFile`, when one was given. */
  registered?: RegisterResult;
  images: { container: string; image: string }[];
  durationSeconds: number;
  /** Service events seen during the deployment, oldest first. */
  events: ServiceEventLine[];
  /** Stopped tasks of our task definition, grouped, when the deployment did not complete. */
  failures: StoppedTaskGroup[];
  /** Looks at the deployment while waiting (one DescribeServiceDeployments + DescribeServices each with the ServiceDeployment API, one DescribeServices without). */
  polls: number;
}

/**
 * Checks the options without calling AWS and fills the declared defaults.
 * @throws ConfigurationError naming the input.
 */
export function validateDeployOptions(options: DeployOptions): ValuesOf<typeof deployOptions> {
  return resolveOptions(deployOptions, options);
}

/**
 * Points the service at a task definition (registering a `taskDefinitionFile` first) and, unless `wait` is
 * false, follows the new deployment.
 *
 * Everything is checked and looked up before the first write: the options, the service (exists, ACTIVE, ECS
 * deployment controller), and either the registered revision or the file (rendered, preflighted). So a bad
 * input never registers a revision for a service that does not exist, and the service never points at a task
 * definition that was never registered. The wait is bounded: at most `timeout`, plus `rollbackTimeout` when
 * `rollbackOnTimeout` rolls back.
 *
 * AWS: DescribeServices, DescribeTaskDefinition, (RegisterTaskDefinition), UpdateService, ListTasks,
 * DescribeTasks — https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
 * @throws ConfigurationError for bad options, a service that cannot be deployed this way, or a file that
 *   does not render — nothing has been changed.
 * @throws DeploymentError when the rollout does not complete (its `result` has the outcome, the events and
 *   the stopped-task diagnosis), or a request fails after a write (its message says what was changed).
 */
export async function deployService(input: DeployOptions, reporter: Reporter): Promise<DeployResult> {
  const options = validateDeployOptions(input);
  const ecs = input.client ?? ecsClient({ region: options.region, maxAttempts: input.maxAttempts });
  const sleep = input.sleep ?? realSleep;
  const clock = input.clock ?? realClock;
  const started = clock();
  const unchanged = { note: 'the service was not changed' };

  // Resolve: every lookup before the first write.
  const before = await describeService(ecs, options.cluster, options.service, unchanged);
  const controller = before.deploymentController?.type ?? 'ECS';
  if (controller !== 'ECS') {
    throw new ConfigurationError(
      `Service ${options.service} uses the ${controller} deployment controller; deploy-service drives rolling (ECS) deployments. ${controller === 'CODE_DEPLOY' ? 'Deploy it through a CodeDeploy deployment (appspec) instead.' : 'Deploy it through its task sets instead.'}`,
      'service'
    );
  }
  if (before.status !== 'ACTIVE') {
    throw new ConfigurationError(
      `Service ${options.service} is ${before.status}, not ACTIVE; it cannot be deployed (\`service\` ${show(options.service)} must name an ACTIVE service of cluster ${options.cluster}); the service was not changed.`,
      'service'
    );
  }
  let prepared: PreparedRegistration | undefined;
  let described: TaskDefinition | undefined;
  if (options.taskDefinitionFile) {
    prepared = await prepareRegistration(
      {
        taskDefinitionFile: options.taskDefinitionFile,
        images: options.images,
        preflight: options.preflight,
        region: options.region,
        client: ecs
      },
      reporter
    );
  } else {
    described = (
      await ecsSend(ecs, new DescribeTaskDefinitionCommand({ taskDefinition: options.taskDefinitionArn }), {
        taskDefinition: options.taskDefinitionArn,
        inputs: { taskDefinition: 'task-definition-arn' },
        ...unchanged
      })
    ).taskDefinition;
    if (described?.status === 'INACTIVE') {
      reporter.warn(
        `${arnName(described.taskDefinitionArn)} is INACTIVE (deregistered); ECS may refuse new deployments of it.`
      );
    }
  }
  const previousTaskDefinitionArn = before.taskDefinition;
  const seen = new Set<string>();
  takeNewEvents(before, seen); // events before our deployment are history, not news
  const inFlight = (before.deployments ?? []).filter((d) => d.rolloutState === 'IN_PROGRESS');
  if (inFlight.length) {
    reporter.warn(
      `Service ${options.service} already has a deployment in progress (${inFlight.map((d) => d.id).join(', ')}); ours replaces it.`
    );
  }

  // Apply: every write is recorded; a failure after one says what was changed.
  const changes = new ChangeLog();
  return changes.guard(async () => {
    let registered: RegisterResult | undefined;
    let taskDefinitionArn: string;
    let images: { container: string; image: string }[];
    if (prepared) {
      registered = await applyRegistration(prepared, reporter, changes);
      taskDefinitionArn = registered.taskDefinitionArn;
      images = registered.images;
    } else {
      taskDefinitionArn = described?.taskDefinitionArn ?? options.taskDefinitionArn!;
      images = (described?.containerDefinitions ?? []).map((c) => ({
        container: c.name ?? '',
        image: c.image ?? ''
      }));
    }

    /** UpdateService, returning the PRIMARY deployment it started (the same check for every update). */
    const update = async (
      arn: string,
      extra: { desiredCount?: number; forceNewDeployment?: boolean },
      change: string
    ) => {
      const out = await ecsSend(
        ecs,
        new UpdateServiceCommand({
          cluster: options.cluster,
          service: options.service,
          taskDefinition: arn,
          ...extra
        }),
        { cluster: options.cluster, service: options.service }
      );
      changes.record(change);
      const primary = out.service?.deployments?.find((d) => d.status === 'PRIMARY');
      if (!primary?.id) {
        throw changes.error(
          `UpdateService of ${options.service} to ${arnName(arn)} returned no PRIMARY deployment; the service was updated but its rollout cannot be followed.`
        );
      }
      return { primary, service: out.service };
    };
    const since = new Date();
    const { primary, service: updated } = await update(
      taskDefinitionArn,
      { desiredCount: options.desiredCount, forceNewDeployment: options.forceNewDeployment },
      `service ${options.service} now runs ${arnName(taskDefinitionArn)}`
    );
    const deploymentId = primary.id!;
    reporter.info(
      `service ${options.service}: ${arnName(previousTaskDefinitionArn)} → ${arnName(taskDefinitionArn)}, deployment ${deploymentId}`
    );
    const base = {
      cluster: options.cluster,
      service: options.service,
      deploymentId,
      taskDefinitionArn,
      previousTaskDefinitionArn,
      registered,
      images
    };
    const seconds = () => Math.round((clock() - started) / 1000);
    if (!options.wait) {
      return {
        ...base,
        rolloutState: primary.rolloutState ?? 'IN_PROGRESS',
        serviceDeploymentArn: updated?.currentServiceDeployment,
        status: primary.rolloutState ?? 'IN_PROGRESS',
        outcome: 'not-waited',
        ok: true,
        message: `Deployment ${deploymentId} started; not waiting for it.`,
        durationSeconds: seconds(),
        events: [],
        failures: [],
        polls: 0
      };
    }

    const follower = new Follower(ecs, reporter);
    const common = {
      cluster: options.cluster,
      service: options.service,
      pollInterval: options.pollInterval,
      seenEventIds: seen,
      sleep,
      clock
    };
    const watched = await follower.follow({
      ...common,
      deploymentId,
      taskDefinitionArn,
      updated,
      since,
      waitUntil: options.waitUntil,
      timeout: options.timeout
    });
    let outcome: DeployOutcome = watched.kind;
    let events = watched.events;
    let polls = watched.polls;
    let message = watched.message;
    let last = watched;

    if (watched.kind === 'timed-out' && options.rollbackOnTimeout && previousTaskDefinitionArn) {
      reporter.warn(`${message} Rolling back to ${arnName(previousTaskDefinitionArn)}.`);
      let back: typeof watched;
      let rollbackId: string;
      if (watched.serviceDeploymentArn) {
        // ECS's own rollback of the service deployment (StopServiceDeployment ROLLBACK).
        back = await follower.rollBack(watched.serviceDeploymentArn, {
          ...common,
          deploymentId,
          taskDefinitionArn: previousTaskDefinitionArn,
          since: new Date(),
          timeout: options.rollbackTimeout
        });
        changes.record(`ECS was asked to roll ${arnName(watched.serviceDeploymentArn)} back`);
        rollbackId = arnName(watched.serviceDeploymentArn);
      } else {
        const rolled = await update(
          previousTaskDefinitionArn,
          {},
          `service ${options.service} was rolled back to ${arnName(previousTaskDefinitionArn)}`
        );
        rollbackId = rolled.primary.id!;
        back = await follower.follow({
          ...common,
          deploymentId: rollbackId,
          taskDefinitionArn: previousTaskDefinitionArn,
          updated: rolled.service,
          since: new Date(),
          waitUntil: 'completed',
          timeout: options.rollbackTimeout
        });
      }
      events = [...events, ...back.events];
      polls += back.polls;
      last = back;
      const settled = back.kind === 'completed' || back.serviceDeployment?.status === 'ROLLBACK_SUCCESSFUL';
      if (settled) {
        outcome = 'timed-out-rolled-back';
        message = `${message} Rolled back to ${arnName(previousTaskDefinitionArn)} (deployment ${rollbackId} ${back.serviceDeployment?.status ?? 'completed'}).`;
      } else {
        message = `${message} The rollback to ${arnName(previousTaskDefinitionArn)} did not complete either: ${back.message}`;
      }
    }

    const ok = outcome === 'completed' || outcome === 'traffic-shifted' || outcome === 'paused';
    const failures = ok
      ? []
      : await diagnoseStoppedTasks(ecs, options.cluster, options.service, taskDefinitionArn);
    if (!ok) for (const line of describeGroups(failures)) reporter.info(line);
    const final = (await describeService(ecs, options.cluster, options.service)).deployments?.find(
      (d) => d.id === deploymentId
    );
    // Once the watcher has seen the failure, our deployment is FAILED even where DescribeServices still
    // reads it IN_PROGRESS: real ECS's states arrive out of step after a rollback started (REFERENCE.md §7).
    const failed = outcome === 'rolled-back' || outcome === 'failed';
    const rolloutState = failed
      ? 'FAILED'
      : (final?.rolloutState ?? (ok ? (outcome === 'completed' ? 'COMPLETED' : 'IN_PROGRESS') : 'FAILED'));
    const sd = last.serviceDeployment ?? watched.serviceDeployment;
    const result: DeployResult = {
      ...base,
      rolloutState,
      serviceDeploymentArn: watched.serviceDeploymentArn,
      status: sd?.status ?? rolloutState,
      lifecycleStage: sd?.lifecycleStage,
      hookId: watched.hookId,
      watcher: watched.watcher,
      outcome,
      ok,
      message,
      durationSeconds: seconds(),
      events,
      failures,
      polls
    };
    if (!ok) {
      const hints = failures.filter((f) => f.hint).map((f) => `${f.reason}: ${f.hint}`);
      throw changes.error([message, ...hints].join('\n'), { result });
    }
    return result;
  });
}
