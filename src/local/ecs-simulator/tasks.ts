/**
 * Task operations: RunTask, DescribeTasks, ListTasks, StopTask
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html and neighbours), and the task
 * factory the rollout engine also uses for service tasks.
 */
import { randomUUID } from 'node:crypto';
import { invalidParameter, optionalInt, optionalString, requireString, serviceNotFound } from './errors.js';
import { matchRule } from './scenarios.js';
import { stopTask } from './lifecycle.js';
import { decodeToken, encodeToken } from './pagination.js';
import { activeTaskDefinition } from './task-definitions.js';
import { taskShape } from './shapes.js';
import { resolveCluster } from './clusters.js';
import { requireNetworkConfiguration, resolvePlacement } from './placement.js';
import {
  lastSegment,
  newTaskId,
  type Cluster,
  type ContainerState,
  type Json,
  type SimulatorState,
  type Tag,
  type Task,
  type TaskDefinitionRecord
} from './state.js';

/** What a new task is made from. */
export interface NewTask {
  cluster: Cluster;
  taskDefinition: TaskDefinitionRecord;
  overrides?: Json;
  serviceName?: string;
  deploymentId?: string;
  startedBy?: string;
  group?: string;
  launchType?: string;
  platformVersion?: string;
  tags?: Tag[];
}

const joinCommand = (value: unknown): string | undefined =>
  Array.isArray(value) ? value.map(String).join(' ') : undefined;

/** Creates a task in PROVISIONING, matching it against the failure rules. */
export function createTask(state: SimulatorState, spec: NewTask, now: number): Task {
  const id = newTaskId();
  const td = spec.taskDefinition.body;
  const overrides = spec.overrides ?? {};
  const containerOverrides = Array.isArray(overrides.containerOverrides)
    ? (overrides.containerOverrides as Json[])
    : [];
  const containers: ContainerState[] = ((td.containerDefinitions as Json[]) ?? []).map((def) => {
    const override = containerOverrides.find((o) => o.name === def.name);
    const command =
      joinCommand(override?.command) ??
      [joinCommand(def.entryPoint), joinCommand(def.command)].filter(Boolean).join(' ');
    return {
      containerArn: state.arn(`container/${spec.cluster.name}/${id}/${randomUUID()}`),
      name: String(def.name),
      image: String(def.image),
      lastStatus: 'PENDING',
      essential: def.essential !== false,
      cpu: def.cpu === undefined ? undefined : String(def.cpu),
      memory: def.memory === undefined ? undefined : String(def.memory),
      command,
      logConfiguration: def.logConfiguration as Json | undefined,
      hasHealthCheck: def.healthCheck !== undefined && def.healthCheck !== null,
      healthStatus: 'UNKNOWN'
    };
  });
  const task: Task = {
    id,
    arn: state.arn(`task/${spec.cluster.name}/${id}`),
    clusterArn: spec.cluster.arn,
    clusterName: spec.cluster.name,
    taskDefinitionArn: spec.taskDefinition.arn,
    family: spec.taskDefinition.family,
    serviceName: spec.serviceName,
    deploymentId: spec.deploymentId,
    startedBy: spec.startedBy,
    group:
      spec.group ??
      (spec.serviceName ? `service:${spec.serviceName}` : `family:${spec.taskDefinition.family}`),
    launchType: spec.launchType,
    platformVersion: spec.launchType === 'FARGATE' ? (spec.platformVersion ?? '1.4.0') : undefined,
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    createdAt: now,
    phaseAt: now,
    containers,
    overrides: { containerOverrides, inferenceAcceleratorOverrides: [], ...overrides },
    cpu: (overrides.cpu as string | undefined) ?? (td.cpu === undefined ? undefined : String(td.cpu)),
    memory:
      (overrides.memory as string | undefined) ?? (td.memory === undefined ? undefined : String(td.memory)),
    tags: spec.tags ?? [],
    failed: false
  };
  task.rule = matchRule(state.rules, {
    family: task.family,
    taskDefinitionArn: task.taskDefinitionArn,
    containers
  });
  state.tasks.set(id, task);
  return task;
}

/**
 * RunTask: starts `count` (1-10) one-off tasks; each runs its command and stops with stopCode
 * EssentialContainerExited (exit code 0 unless a failure rule says otherwise).
 * @returns `{tasks, failures: []}`
 * @throws ClusterNotFoundException, InvalidParameterException (missing/inactive task definition, awsvpc without
 *   networkConfiguration, launchType with capacityProviderStrategy, a launch type the task definition does
 *   not support, bad count).
 */
export function runTask(state: SimulatorState, body: Json, now: number): Json {
  const cluster = resolveCluster(state, body.cluster);
  const td = activeTaskDefinition(state, requireString(body, 'taskDefinition'));
  const count = optionalInt(body, 'count', 1, 10) ?? 1;
  const placement = resolvePlacement(body, cluster, td);
  requireNetworkConfiguration(td, body.networkConfiguration);
  const tasks: Json[] = [];
  for (let i = 0; i < count; i++) {
    const task = createTask(
      state,
      {
        cluster,
        taskDefinition: td,
        overrides: (body.overrides as Json | undefined) ?? {},
        startedBy: optionalString(body, 'startedBy'),
        group: optionalString(body, 'group'),
        launchType: placement.effectiveLaunchType,
        platformVersion: optionalString(body, 'platformVersion'),
        tags: (body.tags as Tag[] | undefined) ?? []
      },
      now
    );
    tasks.push(taskShape(state, task));
  }
  return { tasks, failures: [] };
}

/** Finds a task of a cluster by ID or ARN. */
function findTask(state: SimulatorState, clusterName: string, ref: string): Task | undefined {
  const task = state.tasks.get(lastSegment(ref));
  return task && task.clusterName === clusterName ? task : undefined;
}

/**
 * DescribeTasks: up to 100 task IDs or ARNs; unknown ones come back in `failures` with reason MISSING.
 * Stopped tasks stay describable.
 */
export function describeTasks(state: SimulatorState, body: Json): Json {
  const cluster = resolveCluster(state, body.cluster);
  const refs = body.tasks;
  if (!Array.isArray(refs) || refs.length === 0) throw invalidParameter('Tasks cannot be empty.');
  if (refs.length > 100) throw invalidParameter('Tasks cannot have more than 100 elements.');
  const includeTags = Array.isArray(body.include) && body.include.includes('TAGS');
  const tasks: Json[] = [];
  const failures: Json[] = [];
  for (const ref of refs.map(String)) {
    const task = findTask(state, cluster.name, ref);
    if (task) tasks.push(taskShape(state, task, includeTags));
    else
      failures.push({
        arn: ref.startsWith('arn:') ? ref : state.arn(`task/${cluster.name}/${ref}`),
        reason: 'MISSING'
      });
  }
  return { tasks, failures };
}

/**
 * ListTasks: filters `serviceName`, `family`, `startedBy`, `launchType`, `desiredStatus` (RUNNING by default,
 * PENDING or STOPPED); `maxResults` (1-100), `nextToken`.
 * @throws ServiceNotFoundException for an unknown serviceName.
 */
export function listTasks(state: SimulatorState, body: Json): Json {
  const cluster = resolveCluster(state, body.cluster);
  const desiredStatus = body.desiredStatus ?? 'RUNNING';
  if (!['RUNNING', 'PENDING', 'STOPPED'].includes(String(desiredStatus))) {
    throw invalidParameter('desiredStatus must be RUNNING, PENDING or STOPPED.');
  }
  const serviceName = optionalString(body, 'serviceName');
  if (serviceName !== undefined && !state.services.has(`${cluster.name}/${lastSegment(serviceName)}`)) {
    throw serviceNotFound();
  }
  const family = optionalString(body, 'family');
  const startedBy = optionalString(body, 'startedBy');
  const launchType = optionalString(body, 'launchType');
  const maxResults = optionalInt(body, 'maxResults', 1, 100) ?? 100;
  const arns = [...state.tasks.values()]
    .filter(
      (t) =>
        t.clusterName === cluster.name &&
        (serviceName === undefined || t.serviceName === lastSegment(serviceName)) &&
        (family === undefined || t.family === family) &&
        (startedBy === undefined || t.startedBy === startedBy) &&
        (launchType === undefined || t.launchType === launchType) &&
        (desiredStatus === 'PENDING'
          ? t.lastStatus !== 'RUNNING' && t.lastStatus !== 'STOPPED'
          : t.desiredStatus === desiredStatus)
    )
    .map((t) => t.arn);
  const start = decodeToken(body.nextToken);
  const out: Json = { taskArns: arns.slice(start, start + maxResults) };
  if (start + maxResults < arns.length) out.nextToken = encodeToken(start + maxResults);
  return out;
}

/**
 * StopTask: the task stops at once with stopCode UserInitiated and the given `reason`.
 * @throws InvalidParameterException when the task does not exist.
 */
export function stopTaskOperation(state: SimulatorState, body: Json, now: number): Json {
  const cluster = resolveCluster(state, body.cluster);
  const ref = requireString(body, 'task');
  const task = findTask(state, cluster.name, ref);
  if (!task) throw invalidParameter('The referenced task was not found.');
  const reason = optionalString(body, 'reason') ?? 'Task stopped by user';
  stopTask(task, { stopCode: 'UserInitiated', reason }, now);
  return { task: taskShape(state, task) };
}
