/**
 * run-task: a one-off task (database migrations, a batch job) with the service's network configuration,
 * waited until STOPPED; fails when the essential container exits non-zero or never started, and prints that
 * container's log lines from CloudWatch Logs.
 *
 * AWS APIs: RunTask, DescribeTasks (through the SDK waiter `waitUntilTasksStopped`), DescribeServices,
 * DescribeTaskDefinition, GetLogEvents —
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
 */
import {
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  waitUntilTasksStopped,
  type ECSClient,
  type NetworkConfiguration,
  type Task
} from '@aws-sdk/client-ecs';
import { ChangeLog } from '../lib/changes.js';
import { ConfigurationError, DeploymentError, messageOf, show } from '../lib/errors.js';
import { resolveOptions, type InputOf } from '../lib/options.js';
import { runTaskOptions } from './options.js';
import type { Reporter } from '../lib/reporter.js';
import { ecsError, ecsSend, regionOf } from './call.js';
import { arnName, ecsClient } from './client.js';
import { hintFor } from './diagnose.js';
import { logLocation, readLogLines } from './logs.js';
import { describeService } from './watch.js';
export { parseCommand } from './command.js';

/** What runTask needs besides its declared options (src/ecs/options.ts `runTaskOptions`). */
export interface RunTaskRuntime {
  /** Attempts per request including the first (SDK standard retry mode). Default 5. */
  maxAttempts?: number;
  client?: ECSClient;
}

/**
 * Options of runTask: the declared options (cluster, taskDefinition, service or subnets + securityGroups,
 * assignPublicIp, container, command, wait, timeout, pollInterval, stopOnTimeout, region).
 */
export type RunTaskOptions = InputOf<typeof runTaskOptions> & RunTaskRuntime;

/** What runTask did. */
export interface RunTaskResult {
  taskArn: string;
  container: string;
  /** Undefined when not waited, or the container never started. */
  exitCode?: number;
  stoppedReason?: string;
  ok: boolean;
  message: string;
  hint?: string;
  logLines: string[];
}

/**
 * Runs the task and (by default) waits for it.
 *
 * The container that is overridden and judged is `container`, or the only essential container; with more
 * than one essential container and no `container`, it is an error listing them (in the sidecar task both
 * `web` and `api` are essential, and overriding the proxy's command is never what a migration wants).
 * On timeout the task is stopped (StopTask) unless `stopOnTimeout` is false; either way the error says
 * which, and carries the task ARN in its result.
 *
 * AWS: DescribeTaskDefinition, DescribeServices, RunTask, DescribeTasks (waitUntilTasksStopped), StopTask,
 * GetLogEvents — https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
 * @throws ConfigurationError for bad options or a container that cannot be chosen (nothing started).
 * @throws DeploymentError when RunTask starts nothing, the task does not stop in time, or the container
 *   exits non-zero or never starts (its `result` has the task ARN, the exit code and the log lines).
 */
export async function runTask(input: RunTaskOptions, reporter: Reporter): Promise<RunTaskResult> {
  const options = resolveOptions(runTaskOptions, input);
  const ecs = input.client ?? ecsClient({ region: options.region, maxAttempts: input.maxAttempts });
  const nothing = { note: 'no task was started' };
  const described = await ecsSend(
    ecs,
    new DescribeTaskDefinitionCommand({ taskDefinition: options.taskDefinition }),
    { taskDefinition: options.taskDefinition, ...nothing }
  );
  const taskDefinition = described.taskDefinition!;
  const containers = taskDefinition.containerDefinitions ?? [];
  const names = containers.map((c) => c.name).join(', ');
  let target = options.container ? containers.find((c) => c.name === options.container) : undefined;
  if (options.container && !target) {
    throw new ConfigurationError(
      `container ${show(options.container)} is not in ${arnName(taskDefinition.taskDefinitionArn)}; its containers are: ${names}.`,
      'container'
    );
  }
  if (!target) {
    const essential = containers.filter((c) => c.essential !== false);
    if (essential.length > 1) {
      throw new ConfigurationError(
        `Input container is "" (not given), and ${arnName(taskDefinition.taskDefinitionArn)} has ${essential.length} essential containers (${essential.map((c) => c.name).join(', ')}); set \`container\` to the one whose command is overridden and whose exit code decides: one of ${essential.map((c) => show(c.name)).join(', ')}. No task was started.`,
        'container'
      );
    }
    target = essential[0] ?? containers[0];
  }
  if (!target?.name) {
    throw new ConfigurationError(
      `${arnName(taskDefinition.taskDefinitionArn)} has no container to run; its containers are: ${names}.`,
      'container'
    );
  }

  let networkConfiguration: NetworkConfiguration | undefined;
  let launchType: 'FARGATE' | 'EC2' | undefined = 'FARGATE';
  let capacityProviderStrategy;
  if (options.subnets?.length) {
    await lookUpCluster(ecs, options.cluster);
    networkConfiguration = {
      awsvpcConfiguration: {
        subnets: options.subnets,
        securityGroups: options.securityGroups,
        assignPublicIp: options.assignPublicIp ? 'ENABLED' : 'DISABLED'
      }
    };
  } else if (options.service) {
    const service = await describeService(ecs, options.cluster, options.service, nothing);
    networkConfiguration = service.networkConfiguration;
    if (service.capacityProviderStrategy?.length) {
      capacityProviderStrategy = service.capacityProviderStrategy;
      launchType = undefined;
    } else if (service.launchType === 'EC2') {
      launchType = 'EC2';
    }
  }

  const changes = new ChangeLog();
  const run = await ecsSend(
    ecs,
    new RunTaskCommand({
      cluster: options.cluster,
      taskDefinition: taskDefinition.taskDefinitionArn,
      count: 1,
      launchType,
      capacityProviderStrategy,
      networkConfiguration,
      startedBy: 'twotier-actions/run-task',
      overrides: options.command
        ? { containerOverrides: [{ name: target.name, command: options.command }] }
        : undefined
    }),
    { cluster: options.cluster, taskDefinition: arnName(taskDefinition.taskDefinitionArn), ...nothing }
  );
  const task = run.tasks?.[0];
  if (!task?.taskArn) {
    const failure = run.failures?.[0];
    throw new DeploymentError(
      `RunTask of ${arnName(taskDefinition.taskDefinitionArn)} in cluster ${options.cluster} started no task: ${failure?.reason ?? 'no reason given'}${failure?.detail ? ` (${failure.detail})` : ''}.`
    );
  }
  const taskArn = task.taskArn;
  const taskId = taskArn.split('/').pop() ?? '';
  changes.record(
    `started task ${taskId} of ${arnName(taskDefinition.taskDefinitionArn)} in cluster ${options.cluster}`
  );
  reporter.info(`started task ${taskId} of ${arnName(taskDefinition.taskDefinitionArn)}`);
  /** The result so far: every error from here on carries it, so the face always sets `task-arn`. */
  const partial: RunTaskResult = { taskArn, container: target.name, ok: false, message: '', logLines: [] };
  const fail = (message: string, error: unknown, extra: Partial<RunTaskResult> = {}) =>
    changes.error<RunTaskResult>(message, {
      result: { ...partial, ...extra, message },
      cause: error
    });
  if (!options.wait) {
    return {
      taskArn,
      container: target.name,
      ok: true,
      message: `Task ${taskId} started; not waiting for it.`,
      logLines: []
    };
  }
  const timeoutSeconds = Math.max(1, Math.ceil(options.timeout.seconds));
  const poll = options.pollInterval.seconds;
  const waited = await waitUntilTasksStopped(
    { client: ecs, maxWaitTime: timeoutSeconds, minDelay: poll, maxDelay: poll },
    { cluster: options.cluster, tasks: [taskArn] }
  ).catch((error: unknown) => ({ state: 'FAILURE', reason: error }));
  if (waited.state !== 'SUCCESS') {
    let fate: string;
    if (options.stopOnTimeout) {
      try {
        await ecsSend(
          ecs,
          new StopTaskCommand({
            cluster: options.cluster,
            task: taskArn,
            reason: `twotier run-task: did not stop within ${options.timeout}`
          }),
          { cluster: options.cluster, task: taskArn }
        );
      } catch (error) {
        throw fail(
          `Task ${taskId} did not stop within ${options.timeout}, and stopping it failed, so it may still be running: ${messageOf(error)}`,
          error
        );
      }
      changes.record(`stopped task ${taskId} (it had not stopped within ${options.timeout})`);
      fate = 'it was stopped (StopTask)';
    } else {
      fate = 'it keeps running (stop-on-timeout is false); stop it with StopTask when it is no longer wanted';
    }
    const reason = waited.state === 'TIMEOUT' ? 'waiter: TIMEOUT' : `waiter: ${waited.state}`;
    const message = `Task ${taskId} did not stop within ${options.timeout} (${reason}); ${fate}.`;
    throw fail(message, (waited as { reason?: unknown }).reason);
  }
  let stopped: Task | undefined;
  try {
    stopped = (
      await ecsSend(ecs, new DescribeTasksCommand({ cluster: options.cluster, tasks: [taskArn] }), {
        cluster: options.cluster,
        task: taskArn
      })
    ).tasks?.[0];
  } catch (error) {
    throw fail(`Task ${taskId} stopped, but its exit code could not be read: ${messageOf(error)}`, error);
  }
  const container = stopped?.containers?.find((c) => c.name === target.name);
  const location = logLocation(target, taskId);
  const logLines = location
    ? await readLogLines(location, options).catch((error: unknown) => {
        reporter.warn(
          `could not read the log of ${target.name} (${location.group} ${location.stream}): ${messageOf(error)}`
        );
        return [] as string[];
      })
    : [];
  if (location) {
    reporter.info(`logs of ${target.name} (${location.group} ${location.stream}):`);
    for (const line of logLines) reporter.info(`  | ${line}`);
    if (!logLines.length) reporter.info('  (no log lines)');
  } else {
    reporter.warn(
      `container ${target.name} has no awslogs log configuration with a stream prefix; no logs to show.`
    );
  }
  const exitCode = container?.exitCode;
  const stoppedReason = stopped?.stoppedReason;
  // The target container decides; others are stopped by ECS when it exits (SIGTERM, then SIGKILL: 137), so
  // their codes are reported, not judged.
  for (const other of stopped?.containers ?? []) {
    if (other.name !== target.name && other.exitCode !== undefined && other.exitCode !== 0) {
      reporter.warn(
        `container ${other.name} of task ${taskId} exited with code ${other.exitCode}${other.reason ? ` (${other.reason})` : ''}.`
      );
    }
  }
  if (exitCode === 0) {
    return {
      taskArn,
      container: target.name,
      exitCode,
      stoppedReason,
      ok: true,
      message: `Task ${taskId}: ${target.name} exited 0.`,
      logLines
    };
  }
  const why =
    exitCode === undefined
      ? `${target.name} never started: ${container?.reason ?? stoppedReason ?? 'no reason given'}`
      : `${target.name} exited with code ${exitCode}`;
  const failed: RunTaskResult = {
    taskArn,
    container: target.name,
    exitCode,
    stoppedReason,
    ok: false,
    message: `Task ${taskId} failed: ${why} (${stoppedReason ?? 'no stopped reason'}).`,
    hint: hintFor(`${stoppedReason ?? ''} ${container?.reason ?? ''}`, exitCode, target.name),
    logLines
  };
  throw changes.error([failed.message, failed.hint].filter(Boolean).join('\n'), { result: failed });
}

/**
 * Looks the cluster up before anything is started (DescribeClusters), when no service lookup does it.
 * @throws ConfigurationError naming `cluster` when it does not exist or is not ACTIVE.
 */
async function lookUpCluster(ecs: ECSClient, cluster: string): Promise<void> {
  const target = { cluster, note: 'no task was started' };
  const out = await ecsSend(ecs, new DescribeClustersCommand({ clusters: [cluster] }), target);
  const found = out.clusters?.[0];
  if (found?.status === 'ACTIVE') return;
  const missing = Object.assign(
    new Error(found ? `status ${found.status}` : (out.failures?.[0]?.reason ?? 'MISSING')),
    {
      name: 'ClusterNotFoundException'
    }
  );
  throw ecsError(missing, 'DescribeClusters', target, await regionOf(ecs));
}
