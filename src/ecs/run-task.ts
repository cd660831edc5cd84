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
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  waitUntilTasksStopped,
  type ECSClient,
  type NetworkConfiguration,
  type Task
} from '@aws-sdk/client-ecs';
import type { AwsOptions } from '../lib/aws.js';
import { ConfigurationError, DeploymentError, show } from '../lib/errors.js';
import type { Reporter } from '../lib/reporter.js';
import { arnName, ecsClient } from './client.js';
import { hintFor } from './diagnose.js';
import { logLocation, readLogLines } from './logs.js';
import { describeService } from './watch.js';

/** Options of runTask. */
export interface RunTaskOptions extends AwsOptions {
  cluster: string;
  /** Task definition ARN, `family:revision` or `family` (latest ACTIVE). */
  taskDefinition: string;
  /** Copy networkConfiguration (and launch type) from this service unless subnets are given. */
  service?: string;
  subnets?: string[];
  securityGroups?: string[];
  assignPublicIp?: boolean;
  /** The container whose command is overridden and whose exit code decides; default the first essential one. */
  container?: string;
  /** Command override for `container` (exec form). */
  command?: string[];
  /** Wait for STOPPED (default true). */
  wait?: boolean;
  /** Seconds to wait (default 1800). */
  timeoutSeconds?: number;
  /** Seconds between DescribeTasks calls while waiting (default 6). */
  pollIntervalSeconds?: number;
  client?: ECSClient;
}

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
 * Splits a command input: a JSON array (`["python","-m","app.migrate"]`) or words separated by spaces.
 * @throws ConfigurationError when a JSON array is malformed or holds non-strings.
 */
export function parseCommand(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new ConfigurationError(
        `command ${show(trimmed)} starts with [ but is not a JSON array of strings.`,
        'command'
      );
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === 'string')) {
      throw new ConfigurationError(
        `command ${show(trimmed)} must be a non-empty JSON array of strings.`,
        'command'
      );
    }
    return parsed as string[];
  }
  return trimmed.split(/\s+/);
}

/**
 * Runs the task and (by default) waits for it.
 * @throws ConfigurationError for bad options or an unknown container; DeploymentError when RunTask reports
 *   failures or the task does not stop in time. A non-zero exit is returned with `ok: false`.
 */
export async function runTask(options: RunTaskOptions, reporter: Reporter): Promise<RunTaskResult> {
  for (const [key, input] of [
    ['cluster', 'cluster'],
    ['taskDefinition', 'task-definition']
  ] as const) {
    if (!options[key]) throw new ConfigurationError(`Input required and not supplied: ${input}`, input);
  }
  if (!options.service && !options.subnets?.length) {
    throw new ConfigurationError(
      'Give `service` (to copy its network configuration) or `subnets`.',
      'subnets'
    );
  }
  for (const subnet of options.subnets ?? []) {
    if (!/^subnet-[0-9a-f]{8,17}$/.test(subnet)) {
      throw new ConfigurationError(
        `subnets: ${show(subnet)} is not a subnet id (subnet-0123abcd...).`,
        'subnets'
      );
    }
  }
  for (const group of options.securityGroups ?? []) {
    if (!/^sg-[0-9a-f]{8,17}$/.test(group)) {
      throw new ConfigurationError(
        `security-groups: ${show(group)} is not a security group id (sg-0123abcd...).`,
        'security-groups'
      );
    }
  }
  const ecs = options.client ?? ecsClient(options);
  const described = await ecs
    .send(new DescribeTaskDefinitionCommand({ taskDefinition: options.taskDefinition }))
    .catch((error) => {
      if ((error as { name?: string }).name === 'ClientException') {
        throw new DeploymentError(`Task definition ${options.taskDefinition} is not registered.`);
      }
      throw error;
    });
  const taskDefinition = described.taskDefinition!;
  const containers = taskDefinition.containerDefinitions ?? [];
  const target = options.container
    ? containers.find((c) => c.name === options.container)
    : (containers.find((c) => c.essential !== false) ?? containers[0]);
  if (!target?.name) {
    throw new ConfigurationError(
      `container ${show(options.container)} is not in ${arnName(taskDefinition.taskDefinitionArn)}; its containers are: ${containers.map((c) => c.name).join(', ')}.`,
      'container'
    );
  }

  let networkConfiguration: NetworkConfiguration | undefined;
  let launchType: 'FARGATE' | 'EC2' | undefined = 'FARGATE';
  let capacityProviderStrategy;
  if (options.subnets?.length) {
    networkConfiguration = {
      awsvpcConfiguration: {
        subnets: options.subnets,
        securityGroups: options.securityGroups,
        assignPublicIp: options.assignPublicIp ? 'ENABLED' : 'DISABLED'
      }
    };
  } else if (options.service) {
    const service = await describeService(ecs, options.cluster, options.service);
    networkConfiguration = service.networkConfiguration;
    if (service.capacityProviderStrategy?.length) {
      capacityProviderStrategy = service.capacityProviderStrategy;
      launchType = undefined;
    } else if (service.launchType === 'EC2') {
      launchType = 'EC2';
    }
  }

  const run = await ecs.send(
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
    })
  );
  const task = run.tasks?.[0];
  if (!task?.taskArn) {
    const failure = run.failures?.[0];
    throw new DeploymentError(
      `RunTask started no task: ${failure?.reason ?? 'no reason given'}${failure?.detail ? ` (${failure.detail})` : ''}.`
    );
  }
  const taskArn = task.taskArn;
  const taskId = taskArn.split('/').pop() ?? '';
  reporter.info(`started task ${taskId} of ${arnName(taskDefinition.taskDefinitionArn)}`);
  if (options.wait === false) {
    return {
      taskArn,
      container: target.name,
      ok: true,
      message: `Task ${taskId} started; not waiting for it.`,
      logLines: []
    };
  }
  const timeoutSeconds = options.timeoutSeconds ?? 1800;
  const poll = options.pollIntervalSeconds ?? 6;
  const waited = await waitUntilTasksStopped(
    { client: ecs, maxWaitTime: timeoutSeconds, minDelay: poll, maxDelay: poll },
    { cluster: options.cluster, tasks: [taskArn] }
  ).catch((error: unknown) => ({ state: 'FAILURE', reason: error }));
  if (waited.state !== 'SUCCESS') {
    throw new DeploymentError(
      `Task ${taskId} did not stop within ${timeoutSeconds} s (waiter: ${waited.state}).`
    );
  }
  const stopped: Task | undefined = (
    await ecs.send(new DescribeTasksCommand({ cluster: options.cluster, tasks: [taskArn] }))
  ).tasks?.[0];
  const container = stopped?.containers?.find((c) => c.name === target.name);
  const location = logLocation(target, taskId);
  const logLines = location ? await readLogLines(location, options) : [];
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
  return {
    taskArn,
    container: target.name,
    exitCode,
    stoppedReason,
    ok: false,
    message: `Task ${taskId} failed: ${why} (${stoppedReason ?? 'no stopped reason'}).`,
    hint: hintFor(`${stoppedReason ?? ''} ${container?.reason ?? ''}`, exitCode, target.name),
    logLines
  };
}
